import { defineAction } from './define-action';
import { HEADERS_SCHEMA, PATTERNS, jsonata, jsonWithTemplates, requestTimeoutMs, template } from './schema-parts';

export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;

export const httpRequestAction = defineAction({
  type: 'http_request',
  title: 'HTTP request',
  group: 'Integrations',
  icon: 'http',
  description:
    'Calls an HTTP API. A path such as /api/customers is resolved against the configured base URL. ' +
    'Fails on the listed status codes; picks fields of the response out with JSONata.',
  configSchema: {
    type: 'object',
    properties: {
      method: { type: 'string', enum: HTTP_METHODS, default: 'GET' },
      url: { type: 'string', minLength: 1, maxLength: 2048, pattern: PATTERNS.httpUrlOrPathOrExpression, 'x-expression': true },
      query: {
        type: 'object',
        description: 'Query parameters added to the URL; values may hold expressions',
        propertyNames: { type: 'string', minLength: 1, maxLength: 200 },
        additionalProperties: template(2000, undefined, 0),
        maxProperties: 50,
      },
      headers: HEADERS_SCHEMA,
      body: jsonWithTemplates('Request body: JSON (strings may hold expressions), or text for bodyType text'),
      data: { ...jsonWithTemplates('The seed’s name for body (CALL_API); use body'), deprecated: true },
      bodyType: { type: 'string', enum: ['json', 'form', 'text'], default: 'json', description: 'How the body is encoded' },
      timeoutMs: requestTimeoutMs(30_000),
      responseType: { type: 'string', enum: ['auto', 'json', 'text'], default: 'auto', description: 'auto: JSON when the response says so' },
      responseMapping: {
        type: 'object',
        description: 'Output fields picked from the response ({ status, headers, body }) with JSONata, e.g. customerId: body.id',
        propertyNames: { type: 'string', maxLength: 64, pattern: PATTERNS.identifier },
        additionalProperties: jsonata(2000),
        maxProperties: 50,
      },
      failOnStatus: {
        type: 'array',
        description: 'Status codes (404) or classes (5xx) that fail the step',
        items: { type: 'string', maxLength: 3, pattern: PATTERNS.statusCodeOrClass },
        uniqueItems: true,
        maxItems: 50,
        default: ['4xx', '5xx'],
      },
    },
    required: ['method', 'url'],
    additionalProperties: false,
    dependentSchemas: { data: { properties: { body: false } } },
    allOf: [
      {
        if: { properties: { method: { enum: ['GET', 'HEAD'] } }, required: ['method'] },
        then: { properties: { body: false, data: false } },
      },
    ],
  },
  outputs: {
    type: 'object',
    description: 'The response, plus one field per responseMapping entry',
    properties: {
      status: { type: 'integer' },
      headers: { type: 'object', additionalProperties: { type: 'string' } },
      body: { description: 'Parsed JSON, or text' },
      durationMs: { type: 'integer', minimum: 0 },
    },
    required: ['status', 'headers', 'durationMs'],
  },
  defaults: {
    // 4xx answers other than 408 and 429 fail as HttpClientError: asking again would not help.
    retryPolicy: { maxAttempts: 5, nonRetryableErrors: ['InvalidConfig', 'ExpressionError', 'HttpClientError'] },
    timeoutMs: 120_000,
  },
  aliases: ['CALL_API'],
});
