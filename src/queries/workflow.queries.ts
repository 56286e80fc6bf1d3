import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { sql, type Selectable } from 'kysely';
import type { LogPosition, Page, RecordedEvent, WorkflowDetailDto, WorkflowStatus, WorkflowSummaryDto } from '@contracts';
import { StreamCategory, emptyDefinition, isUuid, workflowStream } from '@contracts';
import { validateDefinition } from '../domain/workflow/definition.validator';
import { evolveWorkflow, initialWorkflowState, type WorkflowDecidedEvent } from '../domain/workflow/workflow.decider';
import { evolveWorkflowSummary, type WorkflowSummaryRow } from '../../projections/workflow-summary/workflow-summary.projector';
import type { WorkflowSummaryTable } from '../../projections/workflow-summary/workflow-summary.table';
import type { Infrastructure } from '../infrastructure';
import { INFRASTRUCTURE } from '../runtime/tokens';
import { waitForProjection } from './wait-for-projection';

export class ListWorkflowsQuery {
  constructor(
    readonly filter: {
      workspaceId: string;
      status?: WorkflowStatus | 'all';
      tag?: string;
      text?: string;
      limit: number;
      cursor?: ListCursor;
      minPosition?: LogPosition;
    },
  ) {}
}

export class GetWorkflowQuery {
  constructor(
    readonly workflowId: string,
    readonly minPosition?: LogPosition,
  ) {}
}

/** The workflow as it was at a revision (inclusive) or an instant: a fold of the first events. */
export class GetWorkflowAsOfQuery {
  constructor(
    readonly workflowId: string,
    readonly asOf: { revision: bigint } | { time: string },
  ) {}
}

/** Keyset paging on (created_at DESC, workflow_id DESC). */
export interface ListCursor {
  createdAt: string;
  id: string;
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

export function encodeCursor(cursor: ListCursor): string {
  return Buffer.from(JSON.stringify([cursor.createdAt, cursor.id])).toString('base64url');
}

export function decodeCursor(text: string): ListCursor | undefined {
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as unknown[];
    if (typeof createdAt !== 'string' || typeof id !== 'string') return undefined;
    // Only what encodeCursor writes: an ISO instant PostgreSQL reads back exactly, and a UUID.
    if (!ISO_INSTANT.test(createdAt) || new Date(createdAt).toISOString() !== createdAt) return undefined;
    if (!isUuid(id)) return undefined;
    return { createdAt, id };
  } catch {
    return undefined;
  }
}

@QueryHandler(ListWorkflowsQuery)
export class ListWorkflowsHandler implements IQueryHandler<ListWorkflowsQuery, Page<WorkflowSummaryDto>> {
  constructor(@Inject(INFRASTRUCTURE) private readonly infra: Infrastructure) {}

  async execute({ filter }: ListWorkflowsQuery): Promise<Page<WorkflowSummaryDto>> {
    const { db } = this.infra.database;
    if (filter.minPosition) await waitForProjection(db, 'workflow_summary', StreamCategory.workflow, filter.minPosition);
    let query = db.selectFrom('workflow_summary').selectAll().where('workspace_id', '=', filter.workspaceId);
    const status = filter.status ?? 'active';
    if (status !== 'all') query = query.where('status', '=', status);
    if (filter.tag) query = query.where(sql<boolean>`tags @> ${JSON.stringify([filter.tag.trim().toLowerCase()])}::jsonb`);
    if (filter.text) {
      const pattern = `%${filter.text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      query = query.where((eb) => eb.or([eb('name', 'ilike', pattern), eb('description', 'ilike', pattern)]));
    }
    if (filter.cursor) {
      const { createdAt, id } = filter.cursor;
      query = query.where(sql<boolean>`(created_at, workflow_id) < (${createdAt}::timestamptz, ${id}::uuid)`);
    }
    const rows = await query
      .orderBy('created_at', 'desc')
      .orderBy('workflow_id', 'desc')
      .limit(filter.limit + 1)
      .execute();
    const items = rows.slice(0, filter.limit).map(toWorkflowSummaryDto);
    const last = items[items.length - 1];
    return rows.length > filter.limit && last ? { items, nextCursor: encodeCursor({ createdAt: last.createdAt, id: last.id }) } : { items };
  }
}

@QueryHandler(GetWorkflowQuery)
export class GetWorkflowHandler implements IQueryHandler<GetWorkflowQuery, WorkflowDetailDto | undefined> {
  constructor(@Inject(INFRASTRUCTURE) private readonly infra: Infrastructure) {}

  async execute({ workflowId, minPosition }: GetWorkflowQuery): Promise<WorkflowDetailDto | undefined> {
    const { db } = this.infra.database;
    if (minPosition) {
      await Promise.all(['workflow_summary', 'workflow_definition'].map((p) => waitForProjection(db, p, StreamCategory.workflow, minPosition)));
    }
    const row = await db.selectFrom('workflow_summary').selectAll().where('workflow_id', '=', workflowId).executeTakeFirst();
    if (!row) return undefined;
    const draft = await db.selectFrom('workflow_definition').select('definition').where('workflow_id', '=', workflowId).executeTakeFirst();
    const definition = draft?.definition ?? emptyDefinition();
    // Validated on read: the catalogue's current rules apply to every draft.
    return { ...toWorkflowSummaryDto(row), definition, validation: validateDefinition(definition) };
  }
}

@QueryHandler(GetWorkflowAsOfQuery)
export class GetWorkflowAsOfHandler implements IQueryHandler<GetWorkflowAsOfQuery, WorkflowDetailDto | undefined> {
  constructor(@Inject(INFRASTRUCTURE) private readonly infra: Infrastructure) {}

  async execute({ workflowId, asOf }: GetWorkflowAsOfQuery): Promise<WorkflowDetailDto | undefined> {
    const history = await this.infra.store.readStream(workflowStream(workflowId));
    const upTo =
      'revision' in asOf ? history.filter((e) => e.revision <= asOf.revision) : history.filter((e) => e.metadata.occurredAt <= asOf.time);
    if (upTo.length === 0) return undefined;
    return foldWorkflowDetail(workflowId, upTo);
  }
}

/** The detail DTO from the first events of a stream: what `?asOf=` answers (time travel). */
export function foldWorkflowDetail(workflowId: string, events: readonly RecordedEvent[]): WorkflowDetailDto {
  const state = events.reduce((s, e) => evolveWorkflow(s, e as unknown as WorkflowDecidedEvent), initialWorkflowState());
  let row: WorkflowSummaryRow | undefined;
  for (const event of events) row = evolveWorkflowSummary(row, event);
  const summary = toWorkflowSummaryDto({ ...row!, workflow_id: workflowId } as unknown as Selectable<WorkflowSummaryTable>);
  return { ...summary, definition: state.definition, validation: validateDefinition(state.definition) };
}

export function toWorkflowSummaryDto(row: Selectable<WorkflowSummaryTable>): WorkflowSummaryDto {
  return {
    id: row.workflow_id,
    workspaceId: row.workspace_id,
    name: row.name,
    description: row.description,
    status: row.status,
    revision: Number(row.revision),
    createdAt: new Date(row.created_at).toISOString(),
    createdBy: row.created_by,
    updatedAt: new Date(row.updated_at).toISOString(),
    updatedBy: row.updated_by,
    stepCount: Number(row.step_count ?? 0),
    version: Number(row.version ?? 0),
    tags: (row.tags as string[] | null) ?? [],
  };
}
