import { defineAction } from './define-action';
import { PATTERNS, jsonWithTemplates } from './schema-parts';

export const subWorkflowAction = defineAction({
  type: 'sub_workflow',
  title: 'Sub-workflow',
  group: 'Flow',
  icon: 'account_tree',
  description: 'Starts another workflow of the workspace with mapped input, and waits for its result unless told not to.',
  configSchema: {
    type: 'object',
    properties: {
      workflowId: { type: 'string', format: 'uuid' },
      version: { type: 'integer', minimum: 1, description: 'Published version to run; the latest published when absent' },
      input: {
        ...jsonWithTemplates('Input of the child execution: variable name to value (strings may hold expressions)'),
        type: 'object',
        propertyNames: { type: 'string', maxLength: 64, pattern: PATTERNS.identifier },
        maxProperties: 100,
      },
      wait: { type: 'boolean', default: true, description: 'Wait for the child to finish and output its result' },
    },
    required: ['workflowId'],
    additionalProperties: false,
  },
  outputs: {
    type: 'object',
    properties: {
      executionId: { type: 'string', format: 'uuid' },
      version: { type: 'integer' },
      status: { type: 'string', enum: ['started', 'succeeded', 'failed', 'cancelled'] },
      output: { description: "The child's output (when waited for and succeeded)" },
    },
    required: ['executionId', 'version', 'status'],
  },
  // Starting the child is idempotent (its id derives from this step's idempotency key); the wait is not an attempt.
  defaults: { retryPolicy: { nonRetryableErrors: ['InvalidConfig', 'ExpressionError', 'WorkflowNotFound', 'ChildExecutionFailed'] }, timeoutMs: 30_000 },
});
