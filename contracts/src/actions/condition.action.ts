import { defineAction } from './define-action';
import { jsonata } from './schema-parts';

export const conditionAction = defineAction({
  type: 'condition',
  title: 'Condition',
  group: 'Logic',
  icon: 'call_split',
  description: 'Evaluates a JSONata expression and continues along the "true" or the "false" edge.',
  configSchema: {
    type: 'object',
    properties: {
      expression: jsonata(2000, 'JSONata, true or false, e.g. input.amount > 1000 and steps.classify.output.label = "urgent"'),
    },
    required: ['expression'],
    additionalProperties: false,
  },
  outputs: {
    type: 'object',
    properties: { result: { type: 'boolean' } },
    required: ['result'],
  },
  // Evaluating the same expression on the same data gives the same answer: no retry.
  defaults: { retryPolicy: { maxAttempts: 1 }, timeoutMs: 5_000 },
  branches: ['true', 'false'],
});
