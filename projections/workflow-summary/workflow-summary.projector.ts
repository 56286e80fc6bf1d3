import type { Transaction } from 'kysely';
import type { RecordedEvent, WorkflowEvent } from '@contracts';
import { StreamCategory } from '@contracts';
import type { Database } from '../../src/adapters/database/tables';
import type { Projector } from '../projector';

/** `workflow_summary`: one row per workflow, for lists, search and `GET /api/workflows/:id`. */
export const workflowSummaryProjector: Projector = {
  name: 'workflow_summary',
  categories: [StreamCategory.workflow],
  tables: ['workflow_summary'],

  async apply(trx: Transaction<Database>, recorded: RecordedEvent): Promise<void> {
    const event = recorded as RecordedEvent & WorkflowEvent;
    const touched = {
      revision: recorded.revision.toString(),
      updated_at: event.metadata.occurredAt,
      updated_by: event.metadata.actor.id,
    };
    const row = () => trx.updateTable('workflow_summary').where('workflow_id', '=', event.data.workflowId);
    switch (event.type) {
      case 'WorkflowCreated':
        await trx
          .insertInto('workflow_summary')
          .values({
            workflow_id: event.data.workflowId,
            workspace_id: event.data.workspaceId,
            name: event.data.name,
            description: event.data.description,
            status: 'active',
            created_at: event.metadata.occurredAt,
            created_by: event.metadata.actor.id,
            ...touched,
          })
          .onConflict((oc) => oc.column('workflow_id').doNothing())
          .execute();
        return;
      case 'WorkflowRenamed':
        await row().set({ name: event.data.name, ...touched }).execute();
        return;
      case 'WorkflowDescriptionChanged':
        await row().set({ description: event.data.description, ...touched }).execute();
        return;
      case 'WorkflowArchived':
        await row().set({ status: 'archived', ...touched }).execute();
        return;
      case 'WorkflowRestored':
        await row().set({ status: 'active', ...touched }).execute();
        return;
      default:
        // Later event types of the workflow stream still move the revision (the ETag of reads).
        await row().set(touched).execute();
    }
  },
};
