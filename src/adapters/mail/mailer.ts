import nodemailer, { type Transporter } from 'nodemailer';
import addressparser from 'nodemailer/lib/addressparser';
import type { Kysely, Selectable } from 'kysely';
import type { Database, EmailOutboxTable } from '../database/tables';
import { uuidV5 } from '../crypto/deterministic-uuid';

/** Namespace of the Message-IDs derived from idempotency keys. */
const MESSAGE_ID_NAMESPACE = '0b6f1f0e-5a8e-4d55-9a57-6a1f3c2b9d41';
const MESSAGE_ID_DOMAIN = 'workflows.bluebird';

export interface OutgoingMail {
  /** The step's idempotency key: one message per key, however often the step runs. */
  key: string;
  workspaceId?: string;
  executionId?: string;
  stepId?: string;
  from: string;
  to: string[];
  cc?: string[];
  bcc?: string[];
  replyTo?: string;
  subject: string;
  text?: string;
  html?: string;
}

export type MailTransportKind = 'smtp' | 'outbox';

export interface SentMail {
  messageId: string;
  accepted: string[];
  rejected: string[];
  transport: MailTransportKind;
  /** True when the key had been sent before: nothing was sent this time. */
  alreadySent: boolean;
}

/** The transport refused the message (SMTP 5xx, or no recipient accepted): sending again cannot help. */
export class MailRejected extends Error {
  constructor(message: string, readonly responseCode?: number) {
    super(message);
    this.name = 'MailRejected';
  }
}

/** The bare addresses of "a@x.io, Ann <ann@y.io>" (or of a list of such strings); names are dropped. */
export function parseAddresses(value: string | readonly string[]): { valid: string[]; invalid: string[] } {
  const valid: string[] = [];
  const invalid: string[] = [];
  for (const text of typeof value === 'string' ? [value] : value) {
    for (const entry of addressparser(text, { flatten: true })) {
      const address = entry.address?.trim() ?? '';
      if (EMAIL.test(address)) valid.push(address);
      else if (address || entry.name) invalid.push(address || entry.name);
    }
  }
  return { valid: [...new Set(valid)], invalid };
}
// Deliberately plain: one @, no spaces, a dot in the domain (what an SMTP server would take).
const EMAIL = /^[^\s@<>(),;:"]+@[^\s@<>(),;:"]+\.[^\s@<>(),;:"]+$/;

/**
 * Sends e-mail for the send_email step: through SMTP when SMTP_URL is set, otherwise through
 * nodemailer's JSON transport, and records every message in `email_outbox` (the outbox the API
 * lists) under its idempotency key. A key already in the outbox is not sent again: a redelivered
 * step answers what was sent the first time.
 *
 * LIMIT: a worker that dies between the SMTP send and the insert sends again on redelivery (at
 * least once, SPEC B9); the Message-ID is derived from the key, so the copies carry the same one
 * and a receiving system can drop the second.
 */
export class Mailer {
  private readonly transporter: Transporter;
  readonly kind: MailTransportKind;

  constructor(
    private readonly db: Kysely<Database>,
    options: { smtpUrl?: string },
  ) {
    this.kind = options.smtpUrl ? 'smtp' : 'outbox';
    this.transporter = options.smtpUrl ? nodemailer.createTransport(options.smtpUrl) : nodemailer.createTransport({ jsonTransport: true });
  }

  async send(mail: OutgoingMail, sentAt: Date): Promise<SentMail> {
    const earlier = await this.sentBefore(mail.key);
    if (earlier) return earlier;

    const messageId = `<${uuidV5(MESSAGE_ID_NAMESPACE, mail.key)}@${MESSAGE_ID_DOMAIN}>`;
    let info: { messageId: string; accepted?: unknown[]; rejected?: unknown[]; response?: string; envelope?: unknown; message?: unknown };
    try {
      info = await this.transporter.sendMail({
        from: mail.from,
        to: mail.to,
        cc: mail.cc,
        bcc: mail.bcc,
        replyTo: mail.replyTo,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        messageId,
        headers: { 'X-BlueBird-Idempotency-Key': mail.key },
      });
    } catch (error) {
      const code = (error as { responseCode?: number }).responseCode;
      if (code !== undefined && code >= 500 && code < 600) throw new MailRejected((error as Error).message, code);
      throw error;
    }
    const everyone = [...mail.to, ...(mail.cc ?? []), ...(mail.bcc ?? [])];
    // The JSON transport accepts every recipient (it reports none); SMTP says which the server took.
    const accepted = this.kind === 'smtp' ? (info.accepted ?? []).map(addressOf) : everyone;
    const rejected = this.kind === 'smtp' ? (info.rejected ?? []).map(addressOf) : [];
    const result =
      this.kind === 'smtp'
        ? { messageId: info.messageId, accepted, rejected, envelope: info.envelope, response: info.response }
        : { messageId: info.messageId, accepted, rejected, envelope: info.envelope, message: JSON.parse(String(info.message)) as unknown };

    const inserted = await this.db
      .insertInto('email_outbox')
      .values({
        message_id: mail.key,
        workspace_id: mail.workspaceId ?? null,
        execution_id: mail.executionId ?? null,
        step_id: mail.stepId ?? null,
        from_address: mail.from,
        to_addresses: JSON.stringify(mail.to),
        cc_addresses: JSON.stringify(mail.cc ?? []),
        subject: mail.subject,
        text_body: mail.text ?? null,
        html_body: mail.html ?? null,
        transport: this.kind,
        transport_result: JSON.stringify(result),
        sent_at: sentAt.toISOString(),
      })
      .onConflict((oc) => oc.column('message_id').doNothing())
      .returning('message_id')
      .executeTakeFirst();
    // Another worker recorded the same key first (both sent): answer its record, the one kept.
    if (!inserted) return (await this.sentBefore(mail.key))!;
    return { messageId: info.messageId, accepted, rejected, transport: this.kind, alreadySent: false };
  }

  close(): void {
    this.transporter.close();
  }

  private async sentBefore(key: string): Promise<SentMail | undefined> {
    const row = await this.db.selectFrom('email_outbox').selectAll().where('message_id', '=', key).executeTakeFirst();
    return row ? sentMailOf(row) : undefined;
  }
}

function sentMailOf(row: Selectable<EmailOutboxTable>): SentMail {
  const result = (typeof row.transport_result === 'string' ? JSON.parse(row.transport_result) : row.transport_result) as {
    messageId: string;
    accepted: string[];
    rejected: string[];
  };
  return { messageId: result.messageId, accepted: result.accepted, rejected: result.rejected, transport: row.transport as MailTransportKind, alreadySent: true };
}

const addressOf = (entry: unknown): string => (typeof entry === 'string' ? entry : String((entry as { address?: string }).address ?? ''));

const mailers = new WeakMap<Kysely<Database>, Map<string, Mailer>>();

/** One mailer per database and SMTP URL (the SMTP transport keeps its connection settings). */
export function mailerFor(db: Kysely<Database>, smtpUrl: string | undefined): Mailer {
  let byUrl = mailers.get(db);
  if (!byUrl) mailers.set(db, (byUrl = new Map()));
  let mailer = byUrl.get(smtpUrl ?? '');
  if (!mailer) byUrl.set(smtpUrl ?? '', (mailer = new Mailer(db, { smtpUrl })));
  return mailer;
}
