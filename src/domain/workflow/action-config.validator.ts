import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { ACTION_CATALOGUE, PATTERN_MESSAGES, templateParts, type ActionDefinition, type ExpressionMode, type JsonSchema } from '@contracts';

/**
 * Step configs against their action's JSON Schema (SPEC A3), with errors people can act on:
 * every error names the field as a JSON pointer (`/headers/X-Api-Key`, `` for the config itself)
 * and says what is wrong in words. Also finds the expressions a config holds, so the definition
 * validator can check that the variables they read are declared.
 */

export interface ConfigError {
  /** JSON pointer into the config; '' is the config as a whole. */
  path: string;
  message: string;
}
export type ConfigValidation = { ok: true } | { ok: false; errors: ConfigError[] };

export interface ExpressionSite {
  /** JSON pointer of the string that holds the expression. */
  path: string;
  /** The expression itself: the text between `{{` and `}}`, or the whole value of a JSONata field. */
  expression: string;
  /** `true`: a `{{ }}` part of a template string; `'jsonata'`: the whole string is the expression. */
  mode: ExpressionMode;
}

/** The ajv instance action schemas are compiled with: strict, all errors, formats, and our annotation keyword. */
export function createActionSchemaCompiler(): Ajv2020 {
  // Strict, except strictRequired: it cannot see that a `required` inside if/then/oneOf names a
  // field the enclosing object declares (the catalogue spec checks that instead).
  const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true, verbose: true });
  addFormats(ajv);
  // An annotation for the designer, the engine and expressionsIn: validation ignores it.
  ajv.addKeyword({ keyword: 'x-expression', metaSchema: { enum: [true, 'jsonata'] } });
  return ajv;
}

interface Compiled {
  action: ActionDefinition;
  validate: ValidateFunction;
}

export class ActionConfigValidator {
  private readonly byName = new Map<string, Compiled>();

  /** Compiles every schema once, here: a schema ajv refuses fails at start, not on first use. */
  constructor(catalogue: readonly ActionDefinition[]) {
    const ajv = createActionSchemaCompiler();
    for (const action of catalogue) {
      let validate: ValidateFunction;
      try {
        validate = ajv.compile(action.configSchema);
      } catch (error) {
        throw new Error(`The config schema of action ${action.type} does not compile: ${(error as Error).message}`);
      }
      for (const name of [action.type, ...action.aliases]) this.byName.set(name.toLowerCase(), { action, validate });
    }
  }

  validate(type: string, config: unknown): ConfigValidation {
    const compiled = this.byName.get(type.toLowerCase());
    if (!compiled) return { ok: false, errors: [{ path: '', message: `unknown action type "${type}"` }] };
    // Every config is an object; saying so beats what the object rules make of a string.
    if (!config || typeof config !== 'object' || Array.isArray(config)) return { ok: false, errors: [{ path: '', message: 'must be an object' }] };
    if (compiled.validate(config)) return { ok: true };
    return { ok: false, errors: explain(compiled.validate.errors ?? [], compiled.action.configSchema) };
  }

  expressionSites(type: string, config: unknown): ExpressionSite[] {
    const compiled = this.byName.get(type.toLowerCase());
    const sites: ExpressionSite[] = [];
    if (compiled) collectExpressions([compiled.action.configSchema], config, '', undefined, sites);
    return sites;
  }
}

let catalogueValidator: ActionConfigValidator | undefined;
const defaultValidator = () => (catalogueValidator ??= new ActionConfigValidator(ACTION_CATALOGUE));

/** Validates a step config against its action type's schema (type or alias, any letter case). */
export function validateActionConfig(type: string, config: unknown): ConfigValidation {
  return defaultValidator().validate(type, config);
}

/**
 * The expressions a config holds: the inside of each `{{ }}` in template fields and the whole
 * value of JSONata fields (conditions, transforms, loop items, response mappings). Strings in
 * fields that are never evaluated (template names, enums, ids) are not expressions.
 */
export function expressionsIn(type: string, config: unknown): string[] {
  return expressionSitesIn(type, config).map((site) => site.expression);
}

export function expressionSitesIn(type: string, config: unknown): ExpressionSite[] {
  return defaultValidator().expressionSites(type, config);
}

// ---- expressions

type SchemaNode = JsonSchema | boolean | undefined;

/** A schema and the subschemas that apply to the same value (allOf, anyOf, oneOf, then, else, dependentSchemas). */
function applicable(schema: SchemaNode): JsonSchema[] {
  if (!schema || typeof schema !== 'object') return [];
  const nested = [
    ...(schema.allOf ?? []),
    ...(schema.anyOf ?? []),
    ...(schema.oneOf ?? []),
    ...(schema.then ? [schema.then] : []),
    ...(schema.else ? [schema.else] : []),
    ...Object.values(schema.dependentSchemas ?? {}),
  ];
  return [schema, ...nested.flatMap(applicable)];
}

function collectExpressions(schemas: SchemaNode[], value: unknown, path: string, inherited: ExpressionMode | undefined, out: ExpressionSite[]): void {
  const all = schemas.flatMap(applicable);
  const mode = all.find((s) => s['x-expression'] !== undefined)?.['x-expression'] ?? inherited;
  if (typeof value === 'string') {
    if (mode === true) for (const part of templateParts(value)) out.push({ path, expression: part.expression, mode });
    else if (mode === 'jsonata' && value.trim()) out.push({ path, expression: value.trim(), mode });
  } else if (Array.isArray(value)) {
    const items = all.map((s) => s.items);
    value.forEach((item, i) => collectExpressions(items, item, `${path}/${i}`, mode, out));
  } else if (value && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      const children = all.map((s) => (s.properties && key in s.properties ? s.properties[key] : s.additionalProperties));
      collectExpressions(children, inner, `${path}/${pointerSegment(key)}`, mode, out);
    }
  }
}

// ---- errors

function explain(errors: ErrorObject[], root: JsonSchema): ConfigError[] {
  const consumed = new Set<ErrorObject>();
  const out: ConfigError[] = [];
  for (const error of errors) {
    if (error.keyword === 'oneOf' || error.keyword === 'anyOf') {
      const branchErrors = errors.filter((e) => e.schemaPath.startsWith(`${error.schemaPath}/`));
      const choice = requiredChoice(error.schema as JsonSchema[]);
      if (choice && branchErrors.every((e) => e.keyword === 'required' && e.instancePath === error.instancePath)) {
        branchErrors.forEach((e) => consumed.add(e));
        const both = error.keyword === 'oneOf' && (error.params as { passingSchemas?: unknown }).passingSchemas != null;
        const message = both
          ? `must set only one of: ${choice.join(', ')}`
          : `must set ${error.keyword === 'oneOf' ? 'exactly' : 'at least'} one of: ${choice.join(', ')}`;
        out.push({ path: error.instancePath, message });
        consumed.add(error);
      }
    }
  }
  for (const error of errors) {
    if (consumed.has(error)) continue;
    // `if` only reports that then/else failed; their own errors say why. propertyNames' inner errors carry the name.
    if (error.keyword === 'if' || error.keyword === 'propertyNames') continue;
    out.push(explainOne(error, root));
  }
  const unique = new Map(out.map((e) => [`${e.path}\u0000${e.message}`, e]));
  return [...unique.values()];
}

/** The field names when every branch of a oneOf/anyOf only requires fields (`must set exactly one of: a, b`). */
function requiredChoice(branches: JsonSchema[] | undefined): string[] | undefined {
  if (!Array.isArray(branches) || branches.length === 0) return undefined;
  if (!branches.every((b) => b && typeof b === 'object' && Object.keys(b).length === 1 && Array.isArray(b.required))) return undefined;
  return branches.flatMap((b) => b.required ?? []);
}

function explainOne(error: ErrorObject, root: JsonSchema): ConfigError {
  const params = error.params as Record<string, unknown>;
  const parent = (error.parentSchema ?? {}) as JsonSchema;
  const at = error.instancePath;
  if (error.propertyName !== undefined) {
    return { path: `${at}/${pointerSegment(error.propertyName)}`, message: `is not a valid name: ${messageFor(error, parent)}` };
  }
  switch (error.keyword) {
    case 'required': {
      const missing = String(params.missingProperty);
      const condition = conditionOf(error.schemaPath, root);
      const when = condition ? (condition.branch === 'then' ? ` when ${condition.text}` : ` unless ${condition.text}`) : '';
      return { path: `${at}/${pointerSegment(missing)}`, message: `is required${when}` };
    }
    case 'dependentRequired':
      return { path: `${at}/${pointerSegment(String(params.missingProperty))}`, message: `is required when ${String(params.property)} is set` };
    case 'additionalProperties': {
      const known = Object.keys(parent.properties ?? {});
      const hint = known.length > 0 && known.length <= 12 ? ` (known: ${known.join(', ')})` : '';
      return { path: `${at}/${pointerSegment(String(params.additionalProperty))}`, message: `is not a known field${hint}` };
    }
    case 'false schema': {
      const dependent = /\/dependentSchemas\/([^/]+)\//.exec(error.schemaPath);
      if (dependent) return { path: at, message: `cannot be used together with ${unescapeSegment(dependent[1])}` };
      const condition = conditionOf(error.schemaPath, root);
      if (condition) return { path: at, message: condition.branch === 'then' ? `is not allowed when ${condition.text}` : `is only allowed when ${condition.text}` };
      return { path: at, message: 'is not allowed here' };
    }
    default:
      return { path: at, message: messageFor(error, parent) };
  }
}

function messageFor(error: ErrorObject, parent: JsonSchema): string {
  const params = error.params as Record<string, unknown>;
  const limit = params.limit as number;
  const closed = parent.properties && parent.additionalProperties === false ? Object.keys(parent.properties) : undefined;
  switch (error.keyword) {
    case 'type': {
      const types = String(params.type).split(',');
      return `must be ${types.map((t) => (t === 'null' ? 'null' : `${/^[aeiou]/.test(t) ? 'an' : 'a'} ${t}`)).join(' or ')}`;
    }
    case 'enum':
      return `must be one of: ${(params.allowedValues as unknown[]).map(String).join(', ')}`;
    case 'const':
      return `must be ${JSON.stringify(params.allowedValue)}`;
    case 'pattern':
      return PATTERN_MESSAGES[String(params.pattern)] ?? `must match the pattern ${String(params.pattern)}`;
    case 'format':
      return `must be a valid ${String(params.format)}`;
    case 'minLength':
      return limit === 1 ? 'must not be empty' : `must have at least ${limit} characters`;
    case 'maxLength':
      return `must have at most ${limit} characters`;
    case 'minimum':
      return `must be at least ${limit}`;
    case 'maximum':
      return `must be at most ${limit}`;
    case 'exclusiveMinimum':
      return `must be greater than ${limit}`;
    case 'exclusiveMaximum':
      return `must be less than ${limit}`;
    case 'minItems':
      return `must have at least ${limit} item${limit === 1 ? '' : 's'}`;
    case 'maxItems':
      return `must have at most ${limit} items`;
    case 'uniqueItems':
      return `must not repeat an item (items ${String(params.i)} and ${String(params.j)} are the same)`;
    case 'minProperties':
    case 'maxProperties':
      if (closed && parent.minProperties === 1 && parent.maxProperties === 1) return `must set exactly one of: ${closed.join(', ')}`;
      if (closed) return error.keyword === 'minProperties' ? `must set at least ${limit} of: ${closed.join(', ')}` : `may set at most ${limit} of: ${closed.join(', ')}`;
      return error.keyword === 'minProperties' ? `must have at least ${limit} entr${limit === 1 ? 'y' : 'ies'}` : `must have at most ${limit} entries`;
    default:
      return error.message ?? `breaks the rule ${error.keyword}`;
  }
}

/** When an error comes from the then/else of an if, that if in words (`operation is copy or move`). */
function conditionOf(schemaPath: string, root: JsonSchema): { branch: 'then' | 'else'; text: string } | undefined {
  const segments = schemaPath.replace(/^#\/?/, '').split('/');
  for (let i = segments.length - 1; i >= 0; i--) {
    const branch = segments[i];
    if (branch !== 'then' && branch !== 'else') continue;
    const condition = resolve(root, [...segments.slice(0, i), 'if']);
    const text = condition && describeCondition(condition);
    return text ? { branch, text } : undefined;
  }
  return undefined;
}

function describeCondition(schema: JsonSchema): string | undefined {
  const parts: string[] = [];
  for (const [name, property] of Object.entries(schema.properties ?? {})) {
    if (typeof property !== 'object') return undefined;
    if (property.const !== undefined) parts.push(`${name} is ${String(property.const)}`);
    else if (property.enum) parts.push(`${name} is ${alternatives(property.enum.map(String))}`);
    else return undefined;
  }
  for (const name of schema.required ?? []) if (!schema.properties?.[name]) parts.push(`${name} is set`);
  return parts.length ? parts.join(' and ') : undefined;
}

/** `a`, `a or b`, `a, b or c`. */
function alternatives(values: string[]): string {
  return values.length <= 1 ? values.join('') : `${values.slice(0, -1).join(', ')} or ${values[values.length - 1]}`;
}

function resolve(root: JsonSchema, segments: string[]): JsonSchema | undefined {
  let node: unknown = root;
  for (const segment of segments) {
    if (!node || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[unescapeSegment(segment)];
  }
  return node && typeof node === 'object' ? (node as JsonSchema) : undefined;
}

function pointerSegment(name: string): string {
  return name.replace(/~/g, '~0').replace(/\//g, '~1');
}

function unescapeSegment(segment: string): string {
  return decodeURIComponent(segment).replace(/~1/g, '/').replace(/~0/g, '~');
}
