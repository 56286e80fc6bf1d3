import type { Transaction } from 'kysely';
import type { ExecutionEvent, RecordedEvent } from '@contracts';
import { StreamCategory } from '@contracts';
import type { Database } from '../../src/adapters/database/tables';
import type { Projector } from '../projector';

/**
 * `approval`: the requests of approval steps and their answers (B8), for the inbox. One statement
 * per approval event; the other execution events (most of them) are skipped without a query.
 */
export const approvalProjector: Projector = {
  name: 'approval',
  queue: 'execution',
  categories: [StreamCategory.execution],
  tables: ['approval'],

  async apply(trx: Transaction<Database>, events: readonly RecordedEvent[]): Promise<void> {
    for (const recorded of events) {
      const event = recorded as RecordedEvent & ExecutionEvent;
      switch (event.type) {
        case 'ApprovalRequested': {
          const d = event.data;
          await trx
            .insertInto('approval')
            .values({
              approval_id: d.approvalId,
              execution_id: d.executionId,
              step_id: d.stepId,
              workspace_id: recorded.metadata.workspaceId,
              workflow_id: d.workflowId,
              title: d.title,
              message: d.message,
              approver_user_ids: JSON.stringify(d.approvers.userIds),
              approver_role: d.approvers.role ?? null,
              mode: d.mode,
              require_comment: d.requireComment,
              status: 'pending',
              escalated: false,
              granted_by: '[]',
              decided_by: null,
              comment: null,
              requested_at: d.requestedAt,
              decided_at: null,
              timeout_at: d.timeoutAt ?? null,
            })
            .onConflict((oc) => oc.column('approval_id').doNothing())
            .execute();
          break;
        }
        case 'ApprovalGranted':
        case 'ApprovalRejected': {
          const d = event.data;
          const row = await trx.selectFrom('approval').select(['granted_by', 'mode', 'approver_user_ids']).where('approval_id', '=', d.approvalId).executeTakeFirst();
          if (!row) break;
          const granted = event.type === 'ApprovalGranted' && d.userId ? [...new Set([...row.granted_by, d.userId])] : row.granted_by;
          const everyoneAgreed = row.mode !== 'all' || row.approver_user_ids.length === 0 || row.approver_user_ids.every((id) => granted.includes(id));
          const final = event.type === 'ApprovalRejected' || everyoneAgreed || !d.userId;
          await trx
            .updateTable('approval')
            .set({
              granted_by: JSON.stringify(granted),
              ...(final
                ? { status: event.type === 'ApprovalGranted' ? 'approved' : 'rejected', decided_by: d.userId ?? null, comment: d.comment ?? null, decided_at: d.decidedAt }
                : {}),
            })
            .where('approval_id', '=', d.approvalId)
            .execute();
          break;
        }
        case 'ApprovalEscalated': {
          const d = event.data;
          await trx
            .updateTable('approval')
            .set({ escalated: true, approver_user_ids: JSON.stringify(d.approvers.userIds), approver_role: d.approvers.role ?? null, timeout_at: d.timeoutAt ?? null })
            .where('approval_id', '=', d.approvalId)
            .execute();
          break;
        }
        case 'ExecutionCancelled':
        case 'ExecutionFailed':
          // A run that ends leaves nothing to approve.
          await trx.updateTable('approval').set({ status: 'closed' }).where('execution_id', '=', event.data.executionId).where('status', '=', 'pending').execute();
          break;
        default:
          break;
      }
    }
  },
};
