import { defineAction } from './define-action';
import { TASK_PRIORITIES, TASK_STATUSES } from './create_task.action';
import { PATTERNS, template } from './schema-parts';

const LABELS = {
  type: 'array',
  minItems: 1,
  maxItems: 20,
  uniqueItems: true,
  items: { type: 'string', minLength: 1, maxLength: 50, pattern: PATTERNS.label },
} as const;

export const updateTaskAction = defineAction({
  type: 'update_task',
  title: 'Update task',
  group: 'Tasks',
  icon: 'edit_note',
  description: 'Changes a task: status, assignee, priority, due date, title or labels, optionally with a comment.',
  configSchema: {
    type: 'object',
    properties: {
      taskId: {
        type: 'string',
        maxLength: 500,
        pattern: PATTERNS.uuidOrExpression,
        'x-expression': true,
        description: 'The task, usually an earlier step output such as {{ steps.create_task.output.taskId }}',
      },
      changes: {
        type: 'object',
        description: 'The fields to change; at least one',
        properties: {
          title: template(200),
          description: template(10_000, undefined, 0),
          status: { type: 'string', enum: TASK_STATUSES },
          assignee: {
            type: ['string', 'null'],
            maxLength: 500,
            pattern: PATTERNS.uuidOrExpression,
            'x-expression': true,
            description: 'New assignee; null removes the assignee',
          },
          priority: { type: 'string', enum: TASK_PRIORITIES },
          dueAt: { type: ['string', 'null'], maxLength: 500, pattern: PATTERNS.dateOrDateTimeOrExpression, 'x-expression': true, description: 'New due date; null removes it' },
          addLabels: LABELS,
          removeLabels: LABELS,
        },
        additionalProperties: false,
        minProperties: 1,
      },
      comment: template(5000, 'A comment added to the task with the change'),
    },
    required: ['taskId', 'changes'],
    additionalProperties: false,
  },
  outputs: {
    type: 'object',
    properties: {
      taskId: { type: 'string', format: 'uuid' },
      changed: { type: 'array', items: { type: 'string' }, description: 'Names of the fields that changed' },
      status: { type: 'string', enum: TASK_STATUSES },
    },
    required: ['taskId', 'changed', 'status'],
  },
  defaults: { retryPolicy: { nonRetryableErrors: ['InvalidConfig', 'ExpressionError', 'TaskNotFound', 'UserNotFound'] }, timeoutMs: 30_000 },
});
