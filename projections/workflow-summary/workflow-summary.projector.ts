import type { Insertable, Selectable, Transaction } from 'kysely';
import type { RecordedEvent, WorkflowEvent } from '@contracts';
import { StreamCategory } from '@contracts';
import type { Database } from '../../src/adapters/database/tables';
import type { Projector } from '../projector';
import type { WorkflowSummaryTable } from './workflow-summary.table';

export type WorkflowSummaryRow = Omit<Insertable<WorkflowSummaryTable>, 'tags' | 'step_count' | 'version'> & {
  revision: string;
  step_count: number;
  version: number;
  tags: string[];
};

/**
 * The row after one more event: pure, so a batch of events can be folded in memory and written
 * once (a rebuild writes each row once per batch instead of once per event).
 */
export function evolveWorkflowSummary(row: WorkflowSummaryRow | undefined, recorded: RecordedEvent): WorkflowSummaryRow | undefined {
  const event = recorded as RecordedEvent & WorkflowEvent;
  const touched = { revision: recorded.revision.toString(), updated_at: event.metadata.occurredAt, updated_by: event.metadata.actor.id };
  if (event.type === 'WorkflowCreated') {
    if (row) return row; // a replayed creation changes nothing
    return {
      workflow_id: event.data.workflowId,
      workspace_id: event.data.workspaceId,
      name: event.data.name,
      description: event.data.description,
      status: 'active',
      step_count: 0,
      version: 0,
      tags: [],
      created_at: event.metadata.occurredAt,
      created_by: event.metadata.actor.id,
      ...touched,
    };
  }
  if (!row) return undefined;
  switch (event.type) {
    case 'WorkflowRenamed':
      return { ...row, name: event.data.name, ...touched };
    case 'WorkflowDescriptionChanged':
      return { ...row, description: event.data.description, ...touched };
    case 'WorkflowArchived':
      return { ...row, status: 'archived', ...touched };
    case 'WorkflowRestored':
      return { ...row, status: 'active', ...touched };
    case 'StepAdded':
      return { ...row, step_count: row.step_count + 1, ...touched };
    case 'StepRemoved':
      return { ...row, step_count: Math.max(0, row.step_count - 1), ...touched };
    case 'WorkflowTagsChanged':
      return { ...row, tags: event.data.tags, ...touched };
    case 'WorkflowVersionPublished':
      // Right after publishing (or rolling back) the draft is the published graph.
      return { ...row, version: event.data.version, step_count: event.data.definition.steps.length, ...touched };
    default:
      // Later event types of the workflow stream still move the revision (the ETag of reads).
      return { ...row, ...touched };
  }
}

/** `workflow_summary`: one row per workflow, for lists, search and `GET /api/workflows/:id`. */
export const workflowSummaryProjector: Projector = {
  name: 'workflow_summary',
  categories: [StreamCategory.workflow],
  tables: ['workflow_summary'],

  async apply(trx: Transaction<Database>, events: readonly RecordedEvent[]): Promise<void> {
    const ids = [...new Set(events.map((e) => (e.data as { workflowId: string }).workflowId))];
    const existing = await trx.selectFrom('workflow_summary').selectAll().where('workflow_id', 'in', ids).execute();
    const rows = new Map<string, WorkflowSummaryRow | undefined>(existing.map((r) => [r.workflow_id, fromSelected(r)]));
    const changed = new Set<string>();
    for (const event of events) {
      const id = (event.data as { workflowId: string }).workflowId;
      const next = evolveWorkflowSummary(rows.get(id), event);
      if (next !== rows.get(id)) changed.add(id);
      rows.set(id, next);
    }
    const upserts = [...changed].map((id) => rows.get(id)).filter((r): r is WorkflowSummaryRow => r !== undefined);
    if (upserts.length === 0) return;
    await trx
      .insertInto('workflow_summary')
      .values(upserts.map((r) => ({ ...r, tags: JSON.stringify(r.tags) })))
      .onConflict((oc) =>
        oc.column('workflow_id').doUpdateSet((eb) => ({
          name: eb.ref('excluded.name'),
          description: eb.ref('excluded.description'),
          status: eb.ref('excluded.status'),
          revision: eb.ref('excluded.revision'),
          updated_at: eb.ref('excluded.updated_at'),
          updated_by: eb.ref('excluded.updated_by'),
          step_count: eb.ref('excluded.step_count'),
          version: eb.ref('excluded.version'),
          tags: eb.ref('excluded.tags'),
        })),
      )
      .execute();
  },
};

function fromSelected(row: Selectable<WorkflowSummaryTable>): WorkflowSummaryRow {
  return {
    ...row,
    revision: String(row.revision),
    tags: row.tags ?? [],
    created_at: new Date(row.created_at).toISOString(),
    updated_at: new Date(row.updated_at).toISOString(),
  };
}
