import { defineAction } from './define-action';
import { template } from './schema-parts';

export const AI_ANALYSES = ['sentiment', 'key_phrases', 'summary'] as const;

export const aiAnalyzeAction = defineAction({
  type: 'ai_analyze',
  title: 'Analyse text',
  group: 'AI',
  icon: 'insights',
  description:
    'Finds the sentiment, the key phrases and/or an extractive summary of a text, with a local model ' +
    'or the configured OpenAI-compatible endpoint.',
  configSchema: {
    type: 'object',
    properties: {
      text: template(100_000, 'The text to analyse, e.g. {{ input.feedback }}'),
      analyses: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string', enum: AI_ANALYSES } },
      maxKeyPhrases: { type: 'integer', minimum: 1, maximum: 50, default: 10 },
      summarySentences: { type: 'integer', minimum: 1, maximum: 20, default: 3 },
    },
    required: ['text', 'analyses'],
    additionalProperties: false,
  },
  outputs: {
    type: 'object',
    description: 'One field per analysis asked for',
    properties: {
      sentiment: {
        type: 'object',
        properties: {
          label: { type: 'string', enum: ['positive', 'neutral', 'negative'] },
          score: { type: 'number', minimum: -1, maximum: 1 },
        },
        required: ['label', 'score'],
      },
      keyPhrases: { type: 'array', items: { type: 'string' } },
      summary: { type: 'string' },
      model: { type: 'string' },
    },
    required: ['model'],
  },
  defaults: { retryPolicy: { nonRetryableErrors: ['InvalidConfig', 'ExpressionError'] }, timeoutMs: 120_000 },
});
