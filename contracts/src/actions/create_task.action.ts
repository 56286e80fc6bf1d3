import { defineAction } from './define-action';
import { PATTERNS, template } from './schema-parts';

export const TASK_PRIORITIES = ['low', 'medium', 'high', 'urgent'] as const;
export const TASK_STATUSES = ['open', 'in_progress', 'blocked', 'done', 'cancelled'] as const;

export const createTaskAction = defineAction({
  type: 'create_task',
  title: 'Create task',
  group: 'Tasks',
  icon: 'add_task',
  description: 'Creates a task in the workspace, optionally assigned and with a due date.',
  configSchema: {
    type: 'object',
    properties: {
      title: template(200, 'Task title'),
      description: template(10_000, 'Details (plain text or Markdown)', 0),
      assignee: { type: 'string', maxLength: 500, pattern: PATTERNS.uuidOrExpression, 'x-expression': true, description: 'User id of the assignee' },
      dueAt: {
        type: 'string',
        maxLength: 500,
        pattern: PATTERNS.dateOrDateTimeOrExpression,
        'x-expression': true,
        description: 'Due date or date-time (ISO 8601)',
      },
      dueInDays: { type: 'integer', minimum: 0, maximum: 3650, description: 'Due this many days after the step runs' },
      priority: { type: 'string', enum: TASK_PRIORITIES, default: 'medium' },
      labels: {
        type: 'array',
        maxItems: 20,
        uniqueItems: true,
        items: { type: 'string', minLength: 1, maxLength: 50, pattern: PATTERNS.label },
      },
    },
    required: ['title'],
    additionalProperties: false,
    dependentSchemas: { dueAt: { properties: { dueInDays: false } } },
  },
  outputs: {
    type: 'object',
    properties: {
      taskId: { type: 'string', format: 'uuid' },
      title: { type: 'string' },
      assignee: { type: 'string', description: 'User id, when assigned' },
      dueAt: { type: 'string', format: 'date-time' },
      priority: { type: 'string', enum: TASK_PRIORITIES },
      status: { type: 'string', enum: TASK_STATUSES },
    },
    required: ['taskId', 'title', 'priority', 'status'],
  },
  defaults: { retryPolicy: { nonRetryableErrors: ['InvalidConfig', 'ExpressionError', 'UserNotFound'] }, timeoutMs: 30_000 },
});
