import type { JsonSchema } from './define-action';

/**
 * Pieces several action schemas share. A field whose value may hold a `{{ }}` expression cannot
 * carry a `format` (the text only becomes a URL or an id when the step runs), so those fields use
 * a pattern that accepts the format's shape OR text holding an expression; the engine checks the
 * evaluated value again.
 */

const WITH_EXPRESSION = '[\\s\\S]*\\{\\{[\\s\\S]*\\}\\}[\\s\\S]*';
const orExpression = (shape: string) => `^(?:${shape}|${WITH_EXPRESSION})$`;

export const PATTERNS = {
  uuidOrExpression: orExpression('[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}'),
  httpUrlOrExpression: orExpression('https?://[^\\s/?#]+[^\\s]*'),
  /** Also a path such as `/api/customers`, resolved against the configured base URL (the seed's CALL_API). */
  httpUrlOrPathOrExpression: orExpression('https?://[^\\s/?#]+[^\\s]*|/[^\\s]*'),
  dateTimeOrExpression: orExpression('\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(?::\\d{2}(?:\\.\\d{1,9})?)?(?:Z|[+-]\\d{2}:\\d{2})'),
  dateOrDateTimeOrExpression: orExpression('\\d{4}-\\d{2}-\\d{2}(?:T\\d{2}:\\d{2}(?::\\d{2}(?:\\.\\d{1,9})?)?(?:Z|[+-]\\d{2}:\\d{2}))?'),
  /** A variable or output field name: usable as is in a JSONata path. */
  identifier: '^[A-Za-z_][A-Za-z0-9_]{0,63}$',
  /** Relative to the storage root, without `..` segments (the executor checks the evaluated path again). */
  storagePath: '^(?!/)(?![\\s\\S]*(?:^|/)\\.\\.(?:/|$))[^\\\\]+$',
  templateName: '^[a-z0-9][a-z0-9_.-]{0,99}$',
  secretName: '^[A-Za-z][A-Za-z0-9_.-]{0,99}$',
  headerName: "^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$",
  statusCodeOrClass: '^[1-5](?:[0-9]{2}|xx)$',
  eventName: '^[a-z][a-z0-9_.-]{0,99}$',
  /** A label a person reads: no leading or trailing space, no line breaks. */
  label: '^[^\\s](?:[^\\r\\n]{0,98}[^\\s])?$',
} as const;

/** What each pattern means, for error messages people can act on. */
export const PATTERN_MESSAGES: Readonly<Record<string, string>> = {
  [PATTERNS.uuidOrExpression]: 'must be an id (uuid) or a {{ }} expression',
  [PATTERNS.httpUrlOrExpression]: 'must be an http(s) URL or a {{ }} expression',
  [PATTERNS.httpUrlOrPathOrExpression]: 'must be an http(s) URL, a path starting with / or a {{ }} expression',
  [PATTERNS.dateTimeOrExpression]: 'must be an ISO 8601 date-time with a zone (2025-01-31T09:00:00Z) or a {{ }} expression',
  [PATTERNS.dateOrDateTimeOrExpression]: 'must be an ISO 8601 date (2025-01-31), a date-time with a zone or a {{ }} expression',
  [PATTERNS.identifier]: 'must be a name of letters, digits and _ that does not start with a digit (at most 64 characters)',
  [PATTERNS.storagePath]: 'must be a path relative to the storage root, without a leading / or .. segments',
  [PATTERNS.templateName]: 'must be a template name of lower-case letters, digits, _, . and -',
  [PATTERNS.secretName]: 'must be a secret name of letters, digits, _, . and -',
  [PATTERNS.headerName]: 'must be a valid HTTP header name',
  [PATTERNS.statusCodeOrClass]: 'must be a status code such as 404 or a class such as 5xx',
  [PATTERNS.eventName]: 'must be an event name of lower-case letters, digits, _, . and -',
  [PATTERNS.label]: 'must be a single line without leading or trailing spaces',
};

/** Text with `{{ }}` parts. */
export function template(maxLength: number, description?: string, minLength = 1): JsonSchema {
  return { type: 'string', minLength, maxLength, 'x-expression': true, ...(description ? { description } : {}) };
}

/** One JSONata expression, without braces. */
export function jsonata(maxLength: number, description?: string): JsonSchema {
  return { type: 'string', minLength: 1, maxLength, 'x-expression': 'jsonata', ...(description ? { description } : {}) };
}

/** Any JSON value; every string inside it is a template. */
export function jsonWithTemplates(description: string): JsonSchema {
  return { description, 'x-expression': true };
}

export const WORKSPACE_ROLES_SCHEMA: JsonSchema = { type: 'string', enum: ['owner', 'admin', 'editor', 'viewer'] };

/** Named users, or everyone holding a workspace role: exactly one of the two. */
export function people(description: string): JsonSchema {
  return {
    type: 'object',
    description,
    properties: {
      userIds: {
        type: 'array',
        description: 'User ids, or expressions that yield one',
        minItems: 1,
        maxItems: 50,
        uniqueItems: true,
        items: { type: 'string', maxLength: 500, pattern: PATTERNS.uuidOrExpression, 'x-expression': true },
      },
      role: { ...WORKSPACE_ROLES_SCHEMA, description: 'Everyone with this role (or a higher one) in the workspace' },
    },
    additionalProperties: false,
    minProperties: 1,
    maxProperties: 1,
  };
}

/** HTTP headers: name to template. */
export const HEADERS_SCHEMA: JsonSchema = {
  type: 'object',
  description: 'Request headers; values may hold expressions',
  propertyNames: { type: 'string', maxLength: 100, pattern: PATTERNS.headerName },
  additionalProperties: template(4000, undefined, 0),
  maxProperties: 50,
};

/** A request timeout in milliseconds. */
export function requestTimeoutMs(defaultMs: number): JsonSchema {
  return { type: 'integer', minimum: 100, maximum: 300_000, default: defaultMs, description: 'Give up on the request after this many milliseconds' };
}
