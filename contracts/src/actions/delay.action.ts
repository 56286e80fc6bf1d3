import { defineAction } from './define-action';
import { PATTERNS } from './schema-parts';

const YEAR_MS = 365 * 86_400_000;

export const delayAction = defineAction({
  type: 'delay',
  title: 'Delay',
  group: 'Flow',
  icon: 'hourglass_top',
  description: 'Waits for a duration, or until a point in time, with a durable timer (a restart does not lose it).',
  configSchema: {
    type: 'object',
    properties: {
      durationMs: { type: 'integer', minimum: 1, maximum: YEAR_MS, description: 'How long to wait, in milliseconds' },
      until: {
        type: 'string',
        maxLength: 500,
        pattern: PATTERNS.dateTimeOrExpression,
        'x-expression': true,
        description: 'When to continue (ISO 8601 date-time with a zone); a time already past continues at once',
      },
    },
    additionalProperties: false,
    oneOf: [{ required: ['durationMs'] }, { required: ['until'] }],
  },
  outputs: {
    type: 'object',
    properties: { waitedUntil: { type: 'string', format: 'date-time' } },
    required: ['waitedUntil'],
  },
  defaults: { retryPolicy: { nonRetryableErrors: ['InvalidConfig', 'ExpressionError'] }, timeoutMs: 30_000 },
});
