/**
 * What an action type is, as plain data: the designer builds its palette and config forms from it,
 * the backend validates step configs against it, the API documents it, and the engine takes each
 * step's default retry policy and timeout from it. One file per action type defines one with
 * `defineAction` (DESIGN.md section 12, rule 1).
 */

/** Palette groups, in the order the designer shows them. */
export const ACTION_GROUPS = ['Tasks', 'Communication', 'Integrations', 'AI', 'Files', 'Human', 'Logic', 'Data', 'Flow'] as const;
export type ActionGroup = (typeof ACTION_GROUPS)[number];

export type JsonSchemaTypeName = 'string' | 'number' | 'integer' | 'boolean' | 'object' | 'array' | 'null';
export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/**
 * How a string field is evaluated when the step runs (the `x-expression` annotation):
 * - `true`: a template, literal text with `{{ expression }}` parts (a value that is exactly one
 *   `{{ }}` yields the expression's own value, not its text). On an object or array schema it
 *   applies to every string inside the value, however deep.
 * - `'jsonata'`: the whole string is one JSONata expression, written without braces (conditions,
 *   transforms, loop items, response mappings).
 * Expressions reach the input, the variables and earlier steps' outputs (SPEC B4).
 */
export type ExpressionMode = true | 'jsonata';

/**
 * The JSON Schema (draft 2020-12) subset action schemas use; ajv 8 compiles it in strict mode. It
 * stays JSON so the designer can render forms from it and the API can serve it.
 */
export interface JsonSchema {
  /** A list only for "this type or null" (a field that can be cleared). */
  readonly type?: JsonSchemaTypeName | readonly [JsonSchemaTypeName, 'null'];
  readonly title?: string;
  readonly description?: string;
  readonly default?: JsonValue;
  readonly examples?: readonly JsonValue[];
  readonly deprecated?: boolean;
  readonly enum?: readonly (string | number | boolean | null)[];
  readonly const?: string | number | boolean | null;
  // strings
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly pattern?: string;
  readonly format?: string;
  // numbers
  readonly minimum?: number;
  readonly maximum?: number;
  readonly exclusiveMinimum?: number;
  readonly exclusiveMaximum?: number;
  readonly multipleOf?: number;
  // arrays
  readonly items?: JsonSchema | boolean;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly uniqueItems?: boolean;
  // objects
  readonly properties?: { readonly [name: string]: JsonSchema | boolean };
  readonly required?: readonly string[];
  readonly additionalProperties?: JsonSchema | boolean;
  readonly propertyNames?: JsonSchema;
  readonly minProperties?: number;
  readonly maxProperties?: number;
  readonly dependentRequired?: { readonly [name: string]: readonly string[] };
  readonly dependentSchemas?: { readonly [name: string]: JsonSchema };
  // combinators
  readonly allOf?: readonly JsonSchema[];
  readonly anyOf?: readonly JsonSchema[];
  readonly oneOf?: readonly JsonSchema[];
  readonly not?: JsonSchema;
  readonly if?: JsonSchema;
  readonly then?: JsonSchema;
  readonly else?: JsonSchema;
  /** See {@link ExpressionMode}. */
  readonly 'x-expression'?: ExpressionMode;
}

/** A step's config: always an object that names every field it accepts. */
export interface ConfigSchema extends JsonSchema {
  readonly type: 'object';
  readonly properties: { readonly [name: string]: JsonSchema | boolean };
  readonly additionalProperties: false;
}

/** Retries of a failed step (SPEC B5), after Temporal's retry policy. */
export interface ActionRetryPolicy {
  /** Attempts in all, the first included: 1 means no retry. */
  readonly maxAttempts: number;
  readonly initialIntervalMs: number;
  /** Each retry waits this many times longer than the one before. */
  readonly backoffCoefficient: number;
  readonly maxIntervalMs: number;
  /** Fraction of each interval that is randomised (0 = exact intervals, 1 = anywhere from 0 to the full interval). */
  readonly jitter: number;
  /** Error kinds (the `kind` of a step failure) that are never retried. */
  readonly nonRetryableErrors: readonly string[];
}

export interface ActionDefaults {
  readonly retryPolicy: ActionRetryPolicy;
  /** How long one attempt may run before it counts as timed out. */
  readonly timeoutMs: number;
}

/** The policy every action starts from; an action overrides what differs. */
export const DEFAULT_RETRY_POLICY: ActionRetryPolicy = Object.freeze({
  maxAttempts: 3,
  initialIntervalMs: 1_000,
  backoffCoefficient: 2,
  maxIntervalMs: 60_000,
  jitter: 0.2,
  nonRetryableErrors: Object.freeze(['InvalidConfig', 'ExpressionError']),
});
export const DEFAULT_STEP_TIMEOUT_MS = 60_000;

export interface ActionSpec<T extends string> {
  /** snake_case; the name steps store and executors register under. */
  type: T;
  title: string;
  group: ActionGroup;
  /** A Material Symbols name, e.g. `mail`. */
  icon: string;
  description: string;
  configSchema: ConfigSchema;
  /** What the step's output looks like (later steps reach it through expressions). */
  outputs: JsonSchema;
  /** Only what differs from {@link DEFAULT_RETRY_POLICY} and {@link DEFAULT_STEP_TIMEOUT_MS}. */
  defaults?: { retryPolicy?: Partial<ActionRetryPolicy>; timeoutMs?: number };
  /** Other names the type is known by (the seed's step_type names such as `SEND_EMAIL`). */
  aliases?: readonly string[];
  /** Labels of the outgoing edges the step chooses between (a condition's `true` / `false`). */
  branches?: readonly string[];
}

export interface ActionDefinition<T extends string = string> {
  readonly type: T;
  readonly title: string;
  readonly group: ActionGroup;
  readonly icon: string;
  readonly description: string;
  readonly configSchema: ConfigSchema;
  readonly outputs: JsonSchema;
  readonly defaults: ActionDefaults;
  readonly aliases: readonly string[];
  /** Empty for steps that just continue along every outgoing edge. */
  readonly branches: readonly string[];
}

const SNAKE_CASE = /^[a-z][a-z0-9]*(_[a-z0-9]+)*$/;
const ALIAS = /^[A-Za-z][A-Za-z0-9_]*$/;
const BRANCH = /^[a-z][a-z0-9_]*$/;

/** Checks an action's spec and returns it as frozen plain data with its defaults filled in. */
export function defineAction<const T extends string>(spec: ActionSpec<T>): ActionDefinition<T> {
  const problems: string[] = [];
  if (!SNAKE_CASE.test(spec.type)) problems.push('type must be snake_case');
  if (!ACTION_GROUPS.includes(spec.group)) problems.push(`group must be one of ${ACTION_GROUPS.join(', ')}`);
  for (const field of ['title', 'icon', 'description'] as const) if (!spec[field].trim()) problems.push(`${field} is empty`);
  if (spec.configSchema.type !== 'object' || spec.configSchema.additionalProperties !== false) {
    problems.push('configSchema must be an object schema with additionalProperties: false');
  }
  for (const alias of spec.aliases ?? []) if (!ALIAS.test(alias)) problems.push(`alias "${alias}" is not a plain name`);
  for (const branch of spec.branches ?? []) if (!BRANCH.test(branch)) problems.push(`branch "${branch}" is not a plain name`);
  const retryPolicy = { ...DEFAULT_RETRY_POLICY, ...spec.defaults?.retryPolicy };
  const timeoutMs = spec.defaults?.timeoutMs ?? DEFAULT_STEP_TIMEOUT_MS;
  if (!Number.isInteger(retryPolicy.maxAttempts) || retryPolicy.maxAttempts < 1) problems.push('retryPolicy.maxAttempts must be an integer >= 1');
  if (retryPolicy.backoffCoefficient < 1) problems.push('retryPolicy.backoffCoefficient must be >= 1');
  if (retryPolicy.jitter < 0 || retryPolicy.jitter > 1) problems.push('retryPolicy.jitter must be between 0 and 1');
  if (retryPolicy.initialIntervalMs <= 0 || retryPolicy.maxIntervalMs < retryPolicy.initialIntervalMs) {
    problems.push('retryPolicy intervals must be positive and maxIntervalMs >= initialIntervalMs');
  }
  if (!(timeoutMs > 0)) problems.push('timeoutMs must be positive');
  if (problems.length) throw new Error(`Action "${spec.type}": ${problems.join('; ')}`);

  return deepFreeze({
    type: spec.type,
    title: spec.title,
    group: spec.group,
    icon: spec.icon,
    description: spec.description,
    configSchema: spec.configSchema,
    outputs: spec.outputs,
    defaults: { retryPolicy, timeoutMs },
    aliases: [...(spec.aliases ?? [])],
    branches: [...(spec.branches ?? [])],
  });
}

function deepFreeze<V>(value: V): V {
  if (value && typeof value === 'object') {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}
