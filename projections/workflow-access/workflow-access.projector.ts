import type { Transaction } from 'kysely';
import type { RecordedEvent, WorkflowEvent } from '@contracts';
import { StreamCategory } from '@contracts';
import type { Database } from '../../src/adapters/database/tables';
import type { Projector } from '../projector';

/** Shares and public links of every workflow: who else may see or change it. */
export const workflowAccessProjector: Projector = {
  name: 'workflow_access',
  categories: [StreamCategory.workflow],
  tables: ['workflow_share', 'public_link'],

  async apply(trx: Transaction<Database>, events: readonly RecordedEvent[]): Promise<void> {
    for (const recorded of events) {
      const event = recorded as RecordedEvent & WorkflowEvent;
      const at = event.metadata.occurredAt;
      switch (event.type) {
        case 'WorkflowShared':
          await trx
            .insertInto('workflow_share')
            .values({
              share_id: event.data.shareId,
              workflow_id: event.data.workflowId,
              grantee_kind: event.data.grantee.kind,
              grantee_id: event.data.grantee.id,
              permission: event.data.permission,
              created_at: at,
              created_by: event.metadata.actor.id,
              updated_at: at,
            })
            .onConflict((oc) => oc.column('share_id').doNothing())
            .execute();
          break;
        case 'WorkflowShareChanged':
          await trx.updateTable('workflow_share').set({ permission: event.data.permission, updated_at: at }).where('share_id', '=', event.data.shareId).execute();
          break;
        case 'WorkflowShareRevoked':
          await trx.deleteFrom('workflow_share').where('share_id', '=', event.data.shareId).execute();
          break;
        case 'PublicLinkCreated':
          await trx
            .insertInto('public_link')
            .values({
              link_id: event.data.linkId,
              workflow_id: event.data.workflowId,
              token_hash: event.data.tokenHash,
              expires_at: event.data.expiresAt,
              include_executions: event.data.includeExecutions,
              created_at: at,
              created_by: event.metadata.actor.id,
            })
            .onConflict((oc) => oc.column('link_id').doNothing())
            .execute();
          break;
        case 'PublicLinkRevoked':
          await trx.updateTable('public_link').set({ revoked: true }).where('link_id', '=', event.data.linkId).execute();
          break;
        default:
          break;
      }
    }
  },
};
