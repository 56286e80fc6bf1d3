import { defineAction } from './define-action';
import { people, template } from './schema-parts';

const DAY_MS = 86_400_000;

export const approvalAction = defineAction({
  type: 'approval',
  title: 'Approval',
  group: 'Human',
  icon: 'approval',
  description:
    'Asks named users or everyone with a role to approve or reject, and waits (durably) for the answer. ' +
    'After timeoutMs it escalates, rejects or approves, as onTimeout says. Continues along "approved" or "rejected".',
  configSchema: {
    type: 'object',
    properties: {
      approvers: people('Who may decide: userIds, or a role'),
      mode: { type: 'string', enum: ['any', 'all'], default: 'any', description: 'any: the first answer decides; all: every named user must approve' },
      title: template(200, 'Headline in the approval inbox'),
      message: template(5000, 'What the approvers are asked'),
      requireComment: { type: 'boolean', default: false, description: 'A rejection must say why' },
      timeoutMs: { type: 'integer', minimum: 60_000, maximum: 90 * DAY_MS, description: 'How long to wait for an answer' },
      onTimeout: { type: 'string', enum: ['escalate', 'reject', 'approve'], default: 'reject' },
      escalateTo: people('Who is asked when the wait times out (onTimeout: escalate)'),
    },
    required: ['approvers', 'message'],
    additionalProperties: false,
    dependentRequired: { onTimeout: ['timeoutMs'] },
    if: { properties: { onTimeout: { const: 'escalate' } }, required: ['onTimeout'] },
    then: { required: ['escalateTo'] },
    else: { properties: { escalateTo: false } },
  },
  outputs: {
    type: 'object',
    properties: {
      decision: { type: 'string', enum: ['approved', 'rejected'] },
      decidedBy: { type: 'string', description: 'User id; absent when the timeout decided' },
      comment: { type: 'string' },
      decidedAt: { type: 'string', format: 'date-time' },
      escalated: { type: 'boolean' },
      timedOut: { type: 'boolean' },
    },
    required: ['decision', 'decidedAt', 'escalated', 'timedOut'],
  },
  // The wait is a durable timer, not a running attempt: the step timeout only bounds setting it up.
  defaults: { retryPolicy: { nonRetryableErrors: ['InvalidConfig', 'ExpressionError', 'NoApprovers'] }, timeoutMs: 30_000 },
  branches: ['approved', 'rejected'],
});
