import { defineAction } from './define-action';
import { PATTERNS, jsonata } from './schema-parts';

export const loopAction = defineAction({
  type: 'loop',
  title: 'Loop',
  group: 'Logic',
  icon: 'repeat',
  description:
    'Runs the steps on its "each" edge once per item of a list (the only place a cycle may close), ' +
    'then continues along "done".',
  configSchema: {
    type: 'object',
    properties: {
      items: jsonata(2000, 'JSONata yielding the list, e.g. input.customers'),
      itemVariable: { type: 'string', maxLength: 64, pattern: PATTERNS.identifier, default: 'item', description: 'Variable holding the current item' },
      indexVariable: { type: 'string', maxLength: 64, pattern: PATTERNS.identifier, default: 'index', description: 'Variable holding its position, from 0' },
      maxIterations: { type: 'integer', minimum: 1, maximum: 10_000, default: 1000, description: 'A longer list fails the step' },
    },
    required: ['items'],
    additionalProperties: false,
  },
  outputs: {
    type: 'object',
    properties: {
      iterations: { type: 'integer', minimum: 0 },
    },
    required: ['iterations'],
  },
  defaults: { retryPolicy: { maxAttempts: 1 }, timeoutMs: 10_000 },
  branches: ['each', 'done'],
});
