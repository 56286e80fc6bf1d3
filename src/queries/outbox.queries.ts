import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { sql, type Selectable } from 'kysely';
import type { Page } from '@contracts';
import type { EmailOutboxTable } from '../adapters/database/tables';
import type { Infrastructure } from '../infrastructure';
import { INFRASTRUCTURE } from '../runtime/tokens';

/** One row of `GET /api/outbox`: an e-mail a send_email step sent (SMTP) or put in the outbox (JSON transport). */
export interface OutboxMessageDto {
  /** The step's idempotency key (`<executionId>:<stepId>`): one message per key. */
  id: string;
  /** The message's Message-ID header. */
  messageId: string;
  executionId?: string;
  stepId?: string;
  from: string;
  to: string[];
  cc: string[];
  subject: string;
  text?: string;
  html?: string;
  transport: 'smtp' | 'outbox';
  accepted: string[];
  rejected: string[];
  sentAt: string;
}

/** Keyset paging, newest first: `(sent_at, message_id)` of the last row of the previous page. */
export interface OutboxCursor {
  sentAt: string;
  id: string;
}

export class ListOutboxQuery {
  constructor(
    readonly workspaceId: string,
    readonly page: { limit: number; cursor?: OutboxCursor },
  ) {}
}

export function encodeOutboxCursor(cursor: OutboxCursor): string {
  return Buffer.from(JSON.stringify([cursor.sentAt, cursor.id])).toString('base64url');
}

export function decodeOutboxCursor(text: string): OutboxCursor | undefined {
  try {
    const [sentAt, id] = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as unknown[];
    if (typeof sentAt !== 'string' || typeof id !== 'string' || id.length > 1000 || Number.isNaN(Date.parse(sentAt))) return undefined;
    return { sentAt: new Date(sentAt).toISOString(), id };
  } catch {
    return undefined;
  }
}

@QueryHandler(ListOutboxQuery)
export class ListOutboxHandler implements IQueryHandler<ListOutboxQuery, Page<OutboxMessageDto>> {
  constructor(@Inject(INFRASTRUCTURE) private readonly infra: Infrastructure) {}

  async execute({ workspaceId, page }: ListOutboxQuery): Promise<Page<OutboxMessageDto>> {
    let query = this.infra.database.db.selectFrom('email_outbox').selectAll().where('workspace_id', '=', workspaceId);
    if (page.cursor) {
      query = query.where(sql<boolean>`(sent_at, message_id) < (${page.cursor.sentAt}::timestamptz, ${page.cursor.id})`);
    }
    const rows = await query.orderBy('sent_at', 'desc').orderBy('message_id', 'desc').limit(page.limit + 1).execute();
    const items = rows.slice(0, page.limit);
    const result: Page<OutboxMessageDto> = { items: items.map(toOutboxMessageDto) };
    const last = items[items.length - 1];
    if (rows.length > page.limit && last) result.nextCursor = encodeOutboxCursor({ sentAt: new Date(last.sent_at).toISOString(), id: last.message_id });
    return result;
  }
}

export function toOutboxMessageDto(row: Selectable<EmailOutboxTable>): OutboxMessageDto {
  const result = (typeof row.transport_result === 'string' ? JSON.parse(row.transport_result) : row.transport_result) as {
    messageId?: string;
    accepted?: string[];
    rejected?: string[];
  };
  return {
    id: row.message_id,
    messageId: result.messageId ?? '',
    ...(row.execution_id ? { executionId: row.execution_id } : {}),
    ...(row.step_id ? { stepId: row.step_id } : {}),
    from: row.from_address,
    to: row.to_addresses,
    cc: row.cc_addresses,
    subject: row.subject,
    ...(row.text_body !== null ? { text: row.text_body } : {}),
    ...(row.html_body !== null ? { html: row.html_body } : {}),
    transport: row.transport as 'smtp' | 'outbox',
    accepted: result.accepted ?? [],
    rejected: result.rejected ?? [],
    sentAt: new Date(row.sent_at).toISOString(),
  };
}
