import type { Approvers } from '@contracts';
import { isUuid } from '@contracts';
import type { StepExecutor } from '../executor';
import { StepFailure } from '../step-failure';

type People = { userIds?: unknown[]; role?: Approvers['role'] };

/**
 * approval: records the request (who may answer, how, until when) and ends the attempt; the step
 * waits durably for `POST /api/approvals/:id/decision` or the approval's timeout timer.
 */
export const approvalExecutor: StepExecutor<'approval'> = {
  type: 'approval',
  async execute(ctx) {
    const config = ctx.config as {
      approvers: People;
      mode?: 'any' | 'all';
      title?: unknown;
      message: unknown;
      requireComment?: boolean;
      timeoutMs?: number;
      onTimeout?: 'escalate' | 'reject' | 'approve';
      escalateTo?: People;
    };
    const approvers = people(config.approvers, 'approvers');
    const escalateTo = config.escalateTo ? people(config.escalateTo, 'escalateTo') : undefined;
    const title = text(config.title) || 'Approval requested';
    const timeoutAt = config.timeoutMs ? new Date(ctx.services.now().getTime() + config.timeoutMs).toISOString() : undefined;
    return {
      wait: {
        kind: 'approval',
        // One request per attempt: a retried step asks again.
        approvalId: ctx.scheduledId,
        title: title.slice(0, 200),
        message: text(config.message).slice(0, 5000),
        approvers,
        mode: config.mode ?? 'any',
        requireComment: config.requireComment ?? false,
        ...(timeoutAt ? { timeoutAt } : {}),
        onTimeout: config.onTimeout ?? 'reject',
        ...(escalateTo ? { escalateTo } : {}),
      },
    };
  },
};

/** Rendered user ids must be user ids: an expression that yields anything else fails the step. */
function people(value: People, field: string): Approvers {
  const userIds = (value.userIds ?? []).flat().map(String);
  const bad = userIds.find((id) => !isUuid(id));
  if (bad !== undefined) throw new StepFailure('InvalidConfig', `${field}: "${String(bad).slice(0, 60)}" is not a user id`, { retryable: false });
  if (userIds.length === 0 && !value.role) throw new StepFailure('NoApprovers', `${field} names nobody`, { retryable: false });
  return { userIds: [...new Set(userIds)], ...(value.role ? { role: value.role } : {}) };
}

const text = (value: unknown): string => (value === undefined || value === null ? '' : typeof value === 'string' ? value : JSON.stringify(value));
