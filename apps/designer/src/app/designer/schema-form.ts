import type { JsonSchema } from '@contracts/actions/define-action';
import { PATTERN_MESSAGES } from '@contracts/actions/schema-parts';

/**
 * Turns an action's config JSON Schema into form fields, converts what a person types into config
 * values and back, and checks a value the way the server will (required, types, enums, lengths,
 * ranges, patterns). The server's validator stays the judge: these checks only give feedback
 * before the round trip. Free of Angular; tested in schema-form.spec.ts.
 */
export type FieldKind =
  | 'text' // one line of text (may hold {{ }} when expression is true)
  | 'textarea' // long text
  | 'jsonata' // a whole JSONata expression
  | 'number'
  | 'integer'
  | 'boolean'
  | 'enum'
  | 'list' // array of strings, one per line
  | 'multi-enum' // array of enum values, as checkboxes
  | 'group' // nested object with known properties
  | 'map' // object name -> text (headers, assignments, ...)
  | 'json'; // anything else, edited as JSON

export interface FormField {
  key: string;
  path: string[];
  label: string;
  kind: FieldKind;
  required: boolean;
  description?: string;
  /** `{{ }}` templates (true) or whole JSONata (`jsonata`) are allowed here. */
  expression: boolean | 'jsonata';
  options?: readonly (string | number | boolean | null)[];
  default?: unknown;
  schema: JsonSchema;
  children?: FormField[];
  deprecated?: boolean;
}

const LONG_TEXT_KEYS = new Set(['body', 'message', 'description', 'text', 'prompt', 'content']);

export function humanize(key: string): string {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .trim()
    .toLowerCase();
  return words
    .replace(/\burl\b/g, 'URL')
    .replace(/\bid(s?)\b/g, 'ID$1')
    .replace(/\bms\b/g, '(ms)')
    .replace(/^./, (c) => c.toUpperCase());
}

function typeOf(schema: JsonSchema): string | undefined {
  const t = schema.type;
  return Array.isArray(t) ? t[0] : (t as string | undefined);
}

/** The fields of an object schema, in the schema's order; required ones are marked. */
export function fieldsOf(schema: JsonSchema, path: string[] = []): FormField[] {
  const required = new Set(schema.required ?? []);
  const fields: FormField[] = [];
  for (const [key, prop] of Object.entries(schema.properties ?? {})) {
    if (typeof prop === 'boolean') continue;
    fields.push(fieldOf(key, prop, required.has(key), [...path, key]));
  }
  return fields;
}

export function fieldOf(key: string, schema: JsonSchema, required: boolean, path: string[]): FormField {
  const base = {
    key,
    path,
    label: schema.title ?? humanize(key),
    required,
    description: schema.description,
    expression: schema['x-expression'] ?? false,
    default: schema.default,
    schema,
    deprecated: schema.deprecated,
  };
  const type = typeOf(schema);
  if (schema.enum) return { ...base, kind: 'enum', options: schema.enum };
  if (type === 'string') {
    if (schema['x-expression'] === 'jsonata') return { ...base, kind: 'jsonata' };
    const long = (schema.maxLength ?? 0) > 2000 || LONG_TEXT_KEYS.has(key);
    return { ...base, kind: long ? 'textarea' : 'text' };
  }
  if (type === 'integer') return { ...base, kind: 'integer' };
  if (type === 'number') return { ...base, kind: 'number' };
  if (type === 'boolean') return { ...base, kind: 'boolean' };
  if (type === 'array' && schema.items && typeof schema.items === 'object') {
    const items = schema.items;
    if (items.enum) return { ...base, kind: 'multi-enum', options: items.enum, expression: false };
    if (typeOf(items) === 'string') return { ...base, kind: 'list', expression: items['x-expression'] ?? base.expression };
  }
  if (type === 'object') {
    if (schema.properties && Object.keys(schema.properties).length) {
      return { ...base, kind: 'group', children: fieldsOf(schema, path) };
    }
    const extra = schema.additionalProperties;
    if (extra && typeof extra === 'object' && typeOf(extra) === 'string') {
      return { ...base, kind: 'map', expression: extra['x-expression'] ?? false };
    }
  }
  return { ...base, kind: 'json' };
}

/** Defaults of the schema (the config a new step starts with). */
export function initialConfig(schema: JsonSchema): Record<string, unknown> {
  const config: Record<string, unknown> = {};
  for (const field of fieldsOf(schema)) {
    if (field.default !== undefined && (field.required || field.kind === 'enum')) config[field.key] = structuredCloneJson(field.default);
  }
  return config;
}

function structuredCloneJson<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}

export function getAt(config: unknown, path: readonly string[]): unknown {
  let v: unknown = config;
  for (const p of path) {
    if (!v || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[p];
  }
  return v;
}

/** A new config with `value` at `path`; undefined removes the key, and objects left empty are removed too. */
export function setAt(config: Record<string, unknown>, path: readonly string[], value: unknown): Record<string, unknown> {
  const [head, ...rest] = path;
  if (head === undefined) return config;
  const out = { ...config };
  if (rest.length === 0) {
    if (value === undefined) delete out[head];
    else out[head] = value;
    return out;
  }
  const inner = out[head] && typeof out[head] === 'object' && !Array.isArray(out[head]) ? (out[head] as Record<string, unknown>) : {};
  const next = setAt(inner, rest, value);
  if (Object.keys(next).length === 0) delete out[head];
  else out[head] = next;
  return out;
}

/** What the input shows for a config value. */
export function toInput(field: FormField, value: unknown): string | boolean | string[] {
  switch (field.kind) {
    case 'boolean':
      return value === true;
    case 'multi-enum':
      return Array.isArray(value) ? value.map(String) : [];
    case 'list':
      return Array.isArray(value) ? value.join('\n') : typeof value === 'string' ? value : '';
    case 'map':
      return value && typeof value === 'object'
        ? Object.entries(value as Record<string, unknown>)
            .map(([k, v]) => `${k}: ${String(v)}`)
            .join('\n')
        : '';
    case 'json':
      return value === undefined ? '' : JSON.stringify(value, null, 2);
    case 'enum':
      return value === undefined ? '' : JSON.stringify(value);
    default:
      return value === undefined || value === null ? '' : String(value);
  }
}

export type Parsed = { ok: true; value: unknown } | { ok: false; error: string };

/** The config value for what was typed (undefined: leave the key out). */
export function fromInput(field: FormField, raw: string | boolean | string[]): Parsed {
  switch (field.kind) {
    case 'boolean':
      return { ok: true, value: raw === true ? true : raw === false && field.default === undefined && !field.required ? undefined : false };
    case 'multi-enum': {
      const list = Array.isArray(raw) ? raw : [];
      const values = (field.options ?? []).filter((o) => list.includes(String(o)));
      return { ok: true, value: values.length ? values : undefined };
    }
    case 'enum': {
      const text = String(raw);
      if (text === '') return { ok: true, value: undefined };
      try {
        return { ok: true, value: JSON.parse(text) };
      } catch {
        return { ok: true, value: text };
      }
    }
    case 'integer':
    case 'number': {
      const text = String(raw).trim();
      if (text === '') return { ok: true, value: undefined };
      const n = Number(text);
      if (!Number.isFinite(n)) return { ok: false, error: 'Enter a number' };
      if (field.kind === 'integer' && !Number.isInteger(n)) return { ok: false, error: 'Enter a whole number' };
      return { ok: true, value: n };
    }
    case 'list': {
      const items = String(raw)
        .split('\n')
        .map((s) => s.trim())
        .filter(Boolean);
      return { ok: true, value: items.length ? items : undefined };
    }
    case 'map': {
      const out: Record<string, string> = {};
      for (const line of String(raw).split('\n')) {
        if (!line.trim()) continue;
        const at = line.indexOf(':');
        if (at <= 0) return { ok: false, error: `“${line.trim()}” needs the form name: value` };
        out[line.slice(0, at).trim()] = line.slice(at + 1).trim();
      }
      return { ok: true, value: Object.keys(out).length ? out : undefined };
    }
    case 'json': {
      const text = String(raw).trim();
      if (text === '') return { ok: true, value: undefined };
      try {
        return { ok: true, value: JSON.parse(text) };
      } catch {
        return { ok: false, error: 'Not valid JSON' };
      }
    }
    default: {
      const text = String(raw);
      return { ok: true, value: text === '' ? undefined : text };
    }
  }
}

export const hasExpression = (v: unknown): boolean => typeof v === 'string' && /\{\{[\s\S]*\}\}/.test(v);

/** What is wrong with a value by the field's schema (first problem only), or null. */
export function checkValue(field: FormField, value: unknown): string | null {
  const s = field.schema;
  if (value === undefined || value === '') return field.required ? `${field.label} is required` : null;
  if (field.kind === 'group') {
    for (const child of field.children ?? []) {
      const problem = checkValue(child, getAt(value, [child.key]));
      if (problem) return problem;
    }
    return null;
  }
  if (s.enum && !s.enum.includes(value as string)) return `Choose one of ${s.enum.join(', ')}`;
  if (typeof value === 'string') {
    if (s.minLength !== undefined && value.length < s.minLength) return `At least ${s.minLength} characters`;
    if (s.maxLength !== undefined && value.length > s.maxLength) return `At most ${s.maxLength} characters`;
    if (field.expression === true && /\{\{(?![\s\S]*\}\})/.test(value)) return 'An expression opened with {{ is not closed with }}';
    if (s.pattern && !(field.expression === true && hasExpression(value) && !s.pattern.includes('\\{\\{'))) {
      let re: RegExp | null = null;
      try {
        re = new RegExp(s.pattern, 'u');
      } catch {
        re = null;
      }
      if (re && !re.test(value)) return PATTERN_MESSAGES[s.pattern] ? `${field.label} ${PATTERN_MESSAGES[s.pattern]}` : `${field.label} has the wrong form`;
    }
  }
  if (typeof value === 'number') {
    if (s.minimum !== undefined && value < s.minimum) return `At least ${s.minimum}`;
    if (s.maximum !== undefined && value > s.maximum) return `At most ${s.maximum}`;
    if (s.exclusiveMinimum !== undefined && value <= s.exclusiveMinimum) return `More than ${s.exclusiveMinimum}`;
  }
  if (Array.isArray(value)) {
    if (s.minItems !== undefined && value.length < s.minItems) return `At least ${s.minItems} item${s.minItems === 1 ? '' : 's'}`;
    if (s.maxItems !== undefined && value.length > s.maxItems) return `At most ${s.maxItems} items`;
    if (s.uniqueItems && new Set(value.map((v) => JSON.stringify(v))).size !== value.length) return 'Items must be different';
    const items = typeof s.items === 'object' ? s.items : undefined;
    if (items) {
      for (const item of value) {
        const problem = checkValue({ ...field, kind: 'text', required: false, schema: items, expression: items['x-expression'] ?? false, label: 'Each item' }, item);
        if (problem) return problem;
      }
    }
  }
  return null;
}

/** Client-side problems of a whole config: field key path -> message. */
export function checkConfig(schema: JsonSchema, config: Record<string, unknown>): Map<string, string> {
  const problems = new Map<string, string>();
  const walk = (fields: FormField[], value: unknown) => {
    for (const f of fields) {
      const v = getAt(value, [f.key]);
      if (f.kind === 'group') {
        if (v === undefined) {
          if (f.required) problems.set(f.path.join('.'), `${f.label} is required`);
        } else walk(f.children ?? [], v);
        continue;
      }
      const p = checkValue(f, v);
      if (p) problems.set(f.path.join('.'), p);
    }
  };
  walk(fieldsOf(schema), config);
  return problems;
}
