import { defineAction } from './define-action';
import { PATTERNS, template } from './schema-parts';

const LABEL = { type: 'string', minLength: 1, maxLength: 100, pattern: PATTERNS.label } as const;

export const aiClassifyAction = defineAction({
  type: 'ai_classify',
  title: 'Classify text',
  group: 'AI',
  icon: 'category',
  description:
    'Puts a text into one of your labels. Learns from the labelled examples with a local naive Bayes model, ' +
    'or asks the configured OpenAI-compatible endpoint. Give every label at least one example.',
  configSchema: {
    type: 'object',
    properties: {
      text: template(20_000, 'The text to classify, e.g. {{ input.ticket.body }}'),
      labels: { type: 'array', minItems: 2, maxItems: 50, uniqueItems: true, items: LABEL },
      examples: {
        type: 'array',
        description: 'Labelled examples the model learns from',
        minItems: 2,
        maxItems: 1000,
        items: {
          type: 'object',
          properties: { text: { type: 'string', minLength: 1, maxLength: 5000 }, label: LABEL },
          required: ['text', 'label'],
          additionalProperties: false,
        },
      },
      minConfidence: { type: 'number', minimum: 0, maximum: 1, default: 0, description: 'Below this confidence the result is fallbackLabel' },
      fallbackLabel: { ...LABEL, description: 'Label when no label reaches minConfidence' },
    },
    required: ['text', 'labels', 'examples'],
    additionalProperties: false,
    dependentRequired: { minConfidence: ['fallbackLabel'] },
  },
  outputs: {
    type: 'object',
    properties: {
      label: { type: 'string' },
      confidence: { type: 'number', minimum: 0, maximum: 1 },
      scores: { type: 'object', additionalProperties: { type: 'number' }, description: 'Probability of each label' },
      model: { type: 'string', description: 'local-bayes, or the remote model name' },
    },
    required: ['label', 'confidence', 'scores', 'model'],
  },
  defaults: { retryPolicy: { nonRetryableErrors: ['InvalidConfig', 'ExpressionError'] }, timeoutMs: 60_000 },
});
