import jsonata from 'jsonata';
import { templateParts, wholeExpression } from '@contracts';
import { expressionSitesIn } from '../domain/workflow/action-config.validator';
import { StepFailure } from './step-failure';

/**
 * `{{ }}` templates and JSONata expressions as the engine evaluates them (SPEC B4). No eval, no vm:
 * JSONata only, with a time budget and a depth limit per evaluation (jsonata's `timeout` and
 * `stack` options) and a size limit on what it yields, so a runaway expression fails its step with
 * a readable error instead of stalling a worker.
 */

export const EXPRESSION_LIMITS = {
  /** Budget of one evaluation's own running time (see chargeTime). */
  timeMs: 250,
  /** Nesting depth of JSONata's evaluator (deep recursion). */
  depth: 500,
  /** Bytes of JSON one evaluation may yield. */
  resultBytes: 1_000_000,
  /** Characters of one expression (the catalogue's schemas already cap most fields lower). */
  expressionChars: 10_000,
} as const;

/**
 * What expressions read: each declared variable by name (input over default), and `input` (the
 * run's input as given), `vars` (the variables), `steps` (`steps.<id>.output`: earlier steps' outputs),
 * `execution` (id, workflow, version, start), plus `item` / `index` inside a loop.
 */
export interface ExpressionScope {
  input: Record<string, unknown>;
  vars: Record<string, unknown>;
  steps: Record<string, unknown>;
  execution: { id: string; workflowId: string; version: number; startedAt: string };
  [variable: string]: unknown;
}

export function buildScope(parts: Pick<ExpressionScope, 'input' | 'vars' | 'steps' | 'execution'> & { item?: unknown; index?: number }): ExpressionScope {
  // Declared variables are roots too; the fixed roots win over a variable of the same name.
  return { ...parts.vars, ...parts } as ExpressionScope;
}

/**
 * The time budget, counted as the evaluation's own running time. JSONata's `timeout` counts wall-clock
 * time from the start, but an evaluation awaits at every node: on a busy worker the other tasks' time
 * between its nodes counted against it, and a trivial expression failed its run (non-retryably) after
 * waiting its turn for 250 ms. Here each gap between two nodes counts at most SUSPENDED_GAP_MS: a longer
 * one is time the evaluation spent suspended while others ran. A runaway loop enters nodes without end,
 * so it still spends its budget at its own pace.
 */
const SUSPENDED_GAP_MS = 5;
const spent = new WeakMap<object, { ms: number; lastAt: number }>();

function chargeTime(_node: unknown, _input: unknown, environment: { base: object }): void {
  const now = performance.now();
  const budget = spent.get(environment.base);
  if (!budget) {
    spent.set(environment.base, { ms: 0, lastAt: now });
    return;
  }
  budget.ms += Math.min(now - budget.lastAt, SUSPENDED_GAP_MS);
  budget.lastAt = now;
  if (budget.ms > EXPRESSION_LIMITS.timeMs) throw new Error(`Evaluation timeout after ${EXPRESSION_LIMITS.timeMs} milliseconds of evaluation. Check for infinite loop`);
}

const compiled = new Map<string, jsonata.Expression>();

function compile(expression: string): jsonata.Expression {
  let expr = compiled.get(expression);
  if (!expr) {
    if (expression.length > EXPRESSION_LIMITS.expressionChars) {
      throw new StepFailure('ExpressionError', `Expression longer than ${EXPRESSION_LIMITS.expressionChars} characters`, { retryable: false });
    }
    try {
      // JSONata's own depth limit; the time budget is ours (chargeTime), charged as each node is entered and left.
      expr = jsonata(expression, { stack: EXPRESSION_LIMITS.depth });
      expr.assign(Symbol.for('jsonata.__evaluate_entry') as unknown as string, chargeTime);
      expr.assign(Symbol.for('jsonata.__evaluate_exit') as unknown as string, chargeTime);
    } catch (error) {
      throw new StepFailure('ExpressionError', `Cannot parse "${clip(expression)}": ${messageOf(error)}`, { retryable: false });
    }
    if (compiled.size > 5000) compiled.clear();
    compiled.set(expression, expr);
  }
  return expr;
}

/** Evaluates one JSONata expression against the scope, within the limits; undefined (no match) becomes null. */
export async function evaluate(expression: string, scope: object, extraBindings: Record<string, unknown> = {}): Promise<unknown> {
  const expr = compile(expression.trim());
  let value: unknown;
  try {
    value = await expr.evaluate(scope, extraBindings);
  } catch (error) {
    throw new StepFailure('ExpressionError', `"${clip(expression)}" failed: ${messageOf(error)}`, { retryable: false });
  }
  const plain = toPlain(value);
  const size = JSON.stringify(plain ?? null).length;
  if (size > EXPRESSION_LIMITS.resultBytes) {
    throw new StepFailure('ExpressionError', `"${clip(expression)}" yielded ${size} bytes (limit ${EXPRESSION_LIMITS.resultBytes})`, { retryable: false });
  }
  return plain === undefined ? null : plain;
}

/**
 * A template string: text with `{{ }}` parts. A value that is exactly one `{{ }}` yields the
 * expression's own value; otherwise each part's value is put into the text (objects as JSON).
 */
export async function renderTemplate(text: string, scope: object): Promise<unknown> {
  const whole = wholeExpression(text);
  if (whole !== undefined) return evaluate(whole, scope);
  const parts = templateParts(text);
  if (parts.length === 0) return text;
  let out = '';
  let from = 0;
  for (const part of parts) {
    out += text.slice(from, part.start) + asText(await evaluate(part.expression, scope));
    from = part.end;
  }
  return out + text.slice(from);
}

/**
 * The step's config with every template field (`x-expression: true` in its action's schema)
 * rendered. JSONata fields (`x-expression: 'jsonata'`: conditions, transforms, loop items,
 * response mappings) stay as written: their executor evaluates them against what it needs.
 */
export async function resolveConfig(type: string, config: Record<string, unknown>, scope: object): Promise<Record<string, unknown>> {
  const paths = templatePaths(type, config);
  if (paths.length === 0) return config;
  const resolved = structuredClone(config);
  for (const path of paths) {
    const segments = path.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
    const last = segments.pop()!;
    const parent = segments.reduce<Record<string, unknown>>((node, key) => node[key] as Record<string, unknown>, resolved);
    parent[last] = await renderTemplate(String(parent[last]), scope);
  }
  return resolved;
}

/** The template fields of frozen configs (a published version's, shared by all its runs: see sharedJsonb), found once. */
const templatePathsOfFrozen = new WeakMap<object, string[]>();

function templatePaths(type: string, config: Record<string, unknown>): string[] {
  const known = templatePathsOfFrozen.get(config);
  if (known) return known;
  const paths = [...new Set(expressionSitesIn(type, config).filter((site) => site.mode === true).map((site) => site.path))];
  if (Object.isFrozen(config)) templatePathsOfFrozen.set(config, paths);
  return paths;
}

/** JSONata's results carry hidden markers (sequences); a JSON round trip gives plain values. */
function toPlain(value: unknown): unknown {
  if (value === undefined || value === null || typeof value !== 'object') return value;
  return JSON.parse(JSON.stringify(value)) as unknown;
}

function asText(value: unknown): string {
  if (value === null || value === undefined) return '';
  return typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
}

const clip = (text: string) => (text.length > 80 ? `${text.slice(0, 77)}...` : text);
const messageOf = (error: unknown) =>
  error instanceof Error ? error.message : typeof error === 'object' && error && 'message' in error ? String((error as { message: unknown }).message) : String(error);
