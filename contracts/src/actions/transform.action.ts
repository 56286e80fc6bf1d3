import { defineAction } from './define-action';
import { PATTERNS, jsonata } from './schema-parts';

export const transformAction = defineAction({
  type: 'transform',
  title: 'Set variables',
  group: 'Data',
  icon: 'data_object',
  description: 'Sets execution variables, each from a JSONata expression; later assignments see the earlier ones.',
  configSchema: {
    type: 'object',
    properties: {
      assignments: {
        type: 'object',
        description: 'Variable name to JSONata expression, e.g. total: $sum(input.items.price)',
        propertyNames: { type: 'string', maxLength: 64, pattern: PATTERNS.identifier },
        additionalProperties: jsonata(5000),
        minProperties: 1,
        maxProperties: 100,
      },
    },
    required: ['assignments'],
    additionalProperties: false,
  },
  outputs: {
    type: 'object',
    description: 'The variables set, by name',
    additionalProperties: true,
  },
  defaults: { retryPolicy: { maxAttempts: 1 }, timeoutMs: 10_000 },
});
