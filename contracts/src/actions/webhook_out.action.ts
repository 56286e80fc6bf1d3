import { defineAction } from './define-action';
import { HEADERS_SCHEMA, PATTERNS, jsonWithTemplates, requestTimeoutMs } from './schema-parts';

export const webhookOutAction = defineAction({
  type: 'webhook_out',
  title: 'Outgoing webhook',
  group: 'Integrations',
  icon: 'webhook',
  description:
    'POSTs a signed JSON payload to a URL. Headers webhook-id, webhook-timestamp and webhook-signature carry an ' +
    'HMAC-SHA256 over "id.timestamp.body" with the named secret, so the receiver can verify and deduplicate it.',
  configSchema: {
    type: 'object',
    properties: {
      url: { type: 'string', minLength: 1, maxLength: 2048, pattern: PATTERNS.httpUrlOrExpression, 'x-expression': true },
      secretRef: { type: 'string', pattern: PATTERNS.secretName, maxLength: 100, description: 'Name of the workspace secret that signs the payload' },
      event: { type: 'string', pattern: PATTERNS.eventName, maxLength: 100, default: 'workflow.step', description: 'Event name sent in the webhook-event header' },
      payload: jsonWithTemplates('The JSON sent; strings may hold expressions'),
      headers: HEADERS_SCHEMA,
      timeoutMs: requestTimeoutMs(15_000),
    },
    required: ['url', 'secretRef', 'payload'],
    additionalProperties: false,
  },
  outputs: {
    type: 'object',
    properties: {
      deliveryId: { type: 'string', description: 'The webhook-id sent (the same on every retry of this step)' },
      status: { type: 'integer' },
      durationMs: { type: 'integer', minimum: 0 },
    },
    required: ['deliveryId', 'status', 'durationMs'],
  },
  defaults: {
    retryPolicy: { maxAttempts: 8, initialIntervalMs: 5_000, maxIntervalMs: 600_000, nonRetryableErrors: ['InvalidConfig', 'ExpressionError', 'SecretNotFound'] },
    timeoutMs: 60_000,
  },
});
