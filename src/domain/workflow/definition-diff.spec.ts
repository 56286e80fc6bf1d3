import fc from 'fast-check';
import type { EdgeDefinition, RetryPolicy, StepDefinition, TriggerDefinition, VariableDefinition, WorkflowDefinition } from '@contracts';
import { ERROR_STRATEGIES, TRIGGER_KINDS, VARIABLE_TYPES, emptyDefinition } from '@contracts';
import { DomainError } from '../decider';
import { applyDiff, deepEqual, diffDefinitions, isEmptyDiff, type DefinitionDiff } from './definition-diff';

// ---------------------------------------------------------------------------------------------
// Fixtures

const retry: RetryPolicy = { maxAttempts: 3, initialIntervalMs: 1000, backoffCoefficient: 2, maxIntervalMs: 60000, jitter: 0.2, nonRetryableErrors: ['auth'] };

const step = (id: string, over: Partial<StepDefinition> = {}): StepDefinition => ({
  id,
  name: `Step ${id}`,
  type: 'send_email',
  config: { to: 'ops@example.com', template: 'welcome' },
  position: { x: 0, y: 0 },
  errorStrategy: 'fail',
  ...over,
});

const base = (): WorkflowDefinition => ({
  steps: [step('s1'), step('s2', { type: 'http_request', config: { url: 'https://x', method: 'GET' }, retryPolicy: retry, timeoutMs: 5000 })],
  edges: [{ id: 'e1', from: 's1', to: 's2' }],
  variables: [{ name: 'customer', type: 'object', required: true }, { name: 'limit', type: 'number', default: 10, required: false }],
  triggers: [{ id: 't1', kind: 'cron', name: 'Nightly', enabled: true, config: { cron: '0 3 * * *' } }],
  tags: ['onboarding', 'sales'],
});

/** given a and b, then the diff is `expected` (the parts named), and it takes a back to b. */
function diffOf(a: WorkflowDefinition, b: WorkflowDefinition): DefinitionDiff {
  const diff = diffDefinitions(a, b);
  expect(applyDiff(a, diff)).toStrictEqual(b);
  return diff;
}

const noChange = { added: [], removed: [], changed: [] };

// ---------------------------------------------------------------------------------------------
// Hand-written cases

describe('diffDefinitions / applyDiff, by example', () => {
  it('given the same definition, then the diff is empty', () => {
    const diff = diffOf(base(), base());
    expect(isEmptyDiff(diff)).toBe(true);
    expect(diff).toEqual({ steps: noChange, edges: noChange, variables: noChange, triggers: noChange, tags: { added: [], removed: [] } });
  });

  it('given a step added at the end, then it is added, with no order recorded', () => {
    const b = base();
    b.steps.push(step('s3'));
    const diff = diffOf(base(), b);
    expect(diff.steps).toEqual({ added: [step('s3')], removed: [], changed: [] });
    expect(isEmptyDiff(diff)).toBe(false);
  });

  it('given a step added in the middle, then it is added and b’s order is recorded', () => {
    const b = base();
    b.steps.splice(1, 0, step('s3'));
    expect(diffOf(base(), b).steps).toEqual({ added: [step('s3')], removed: [], changed: [], order: ['s1', 's3', 's2'] });
  });

  it('given a step removed (and its edge), then both are removed', () => {
    const b = base();
    b.steps = b.steps.filter((s) => s.id !== 's2');
    b.edges = [];
    const diff = diffOf(base(), b);
    expect(diff.steps).toEqual({ added: [], removed: [base().steps[1]], changed: [] });
    expect(diff.edges).toEqual({ added: [], removed: [{ id: 'e1', from: 's1', to: 's2' }], changed: [] });
  });

  it('given a step renamed, then only its name changed', () => {
    const b = base();
    b.steps[0] = { ...b.steps[0], name: 'Welcome mail' };
    expect(diffOf(base(), b).steps).toEqual({ added: [], removed: [], changed: [{ id: 's1', fields: [{ field: 'name', before: 'Step s1', after: 'Welcome mail' }] }] });
  });

  it('given config keys changed, added and removed, then each is one `config.<key>` entry', () => {
    const b = base();
    b.steps[0] = { ...b.steps[0], config: { to: 'sales@example.com', cc: ['boss@example.com'] } };
    expect(diffOf(base(), b).steps.changed).toEqual([
      {
        id: 's1',
        fields: [
          { field: 'config.cc', before: undefined, after: ['boss@example.com'] },
          { field: 'config.template', before: 'welcome', after: undefined },
          { field: 'config.to', before: 'ops@example.com', after: 'sales@example.com' },
        ],
      },
    ]);
  });

  it('given a nested config value changed, then the config key is reported with its whole values', () => {
    const a = { ...emptyDefinition(), steps: [step('s1', { config: { headers: { a: '1', b: '2' } } })] };
    const b = { ...emptyDefinition(), steps: [step('s1', { config: { headers: { a: '1', b: '3' } } })] };
    expect(diffOf(a, b).steps.changed).toEqual([{ id: 's1', fields: [{ field: 'config.headers', before: { a: '1', b: '2' }, after: { a: '1', b: '3' } }] }]);
  });

  it('given the same values with keys in another order, then nothing changed', () => {
    const a = { ...emptyDefinition(), steps: [step('s1', { config: { a: 1, b: { c: [1, { d: 2, e: 3 }], f: null } }, position: { x: 1, y: 2 } })] };
    const b = { ...emptyDefinition(), steps: [{ errorStrategy: 'fail' as const, position: { y: 2, x: 1 }, config: { b: { f: null, c: [1, { e: 3, d: 2 }] }, a: 1 }, type: 'send_email', name: 'Step s1', id: 's1' }] };
    expect(isEmptyDiff(diffDefinitions(a, b))).toBe(true);
  });

  it('given array order changed inside a config, then that config key changed', () => {
    const a = { ...emptyDefinition(), steps: [step('s1', { config: { list: [1, 2] } })] };
    const b = { ...emptyDefinition(), steps: [step('s1', { config: { list: [2, 1] } })] };
    expect(diffOf(a, b).steps.changed).toEqual([{ id: 's1', fields: [{ field: 'config.list', before: [1, 2], after: [2, 1] }] }]);
  });

  it('given optional policy fields dropped and changed, then they are before/after undefined, and gone after apply', () => {
    const b = base();
    const { retryPolicy: _r, timeoutMs: _t, ...s2 } = b.steps[1];
    b.steps[1] = { ...s2, errorStrategy: 'retry_then_fail', timeoutMs: 9000 };
    const diff = diffOf(base(), b);
    expect(diff.steps.changed).toEqual([
      {
        id: 's2',
        fields: [
          { field: 'errorStrategy', before: 'fail', after: 'retry_then_fail' },
          { field: 'retryPolicy', before: retry, after: undefined },
          { field: 'timeoutMs', before: 5000, after: 9000 },
        ],
      },
    ]);
    expect('retryPolicy' in applyDiff(base(), diff).steps[1]).toBe(false);
  });

  it('given an edge’s label changed, then its label changed', () => {
    const b = base();
    b.edges[0] = { ...b.edges[0], label: 'true' };
    expect(diffOf(base(), b).edges).toEqual({ added: [], removed: [], changed: [{ id: 'e1', fields: [{ field: 'label', before: undefined, after: 'true' }] }] });
  });

  it('given a variable’s default changed, then it is matched by name and its default changed', () => {
    const b = base();
    b.variables[1] = { ...b.variables[1], default: 25 };
    expect(diffOf(base(), b).variables).toEqual({ added: [], removed: [], changed: [{ id: 'limit', fields: [{ field: 'default', before: 10, after: 25 }] }] });
  });

  it('given variables swapped, then only the order is recorded', () => {
    const b = base();
    b.variables.reverse();
    const diff = diffOf(base(), b);
    expect(diff.variables).toEqual({ added: [], removed: [], changed: [], order: ['limit', 'customer'] });
    expect(isEmptyDiff(diff)).toBe(false);
  });

  it('given a trigger disabled and its cron changed, then both show', () => {
    const b = base();
    b.triggers[0] = { ...b.triggers[0], enabled: false, config: { cron: '0 4 * * *' } };
    expect(diffOf(base(), b).triggers.changed).toEqual([
      {
        id: 't1',
        fields: [
          { field: 'enabled', before: true, after: false },
          { field: 'config.cron', before: '0 3 * * *', after: '0 4 * * *' },
        ],
      },
    ]);
  });

  it('given tags added and removed, then they are listed; reordered, then b’s order is kept', () => {
    const b = { ...base(), tags: ['sales', 'vip'] };
    expect(diffOf(base(), b).tags).toEqual({ added: ['vip'], removed: ['onboarding'] });
    const c = { ...base(), tags: ['sales', 'onboarding'] };
    expect(diffOf(base(), c).tags).toEqual({ added: [], removed: [], order: ['sales', 'onboarding'] });
  });

  it('given awkward config keys (`__proto__`, with a dot), then they are data and round-trip', () => {
    const config = (value: number) => JSON.parse(`{"__proto__": {"polluted": ${value}}, "a.b": ${value}}`) as Record<string, unknown>;
    const a = { ...emptyDefinition(), steps: [step('s1', { config: config(1) })] };
    const b = { ...emptyDefinition(), steps: [step('s1', { config: config(2) })] };
    expect(diffOf(a, b).steps.changed[0].fields.map((f) => f.field)).toEqual(['config.__proto__', 'config.a.b']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('given a diff applied to a definition it was not made from, then it is a conflict', () => {
    const b = base();
    b.steps[0] = { ...b.steps[0], name: 'Renamed' };
    const diff = diffDefinitions(base(), b);
    const other = base();
    other.steps[0] = { ...other.steps[0], name: 'Someone else’s name' };
    expect(() => applyDiff(other, diff)).toThrow(expect.objectContaining({ kind: 'conflict', code: 'diff-does-not-apply' }));
    expect(() => applyDiff(emptyDefinition(), diff)).toThrow(DomainError);
    expect(() => applyDiff(b, diffDefinitions(emptyDefinition(), base()))).toThrow(/adds step s1/);
  });

  it('given duplicate ids, then the diff refuses rather than guess', () => {
    const a = { ...emptyDefinition(), steps: [step('s1'), step('s1')] };
    expect(() => diffDefinitions(a, emptyDefinition())).toThrow(expect.objectContaining({ code: 'duplicate-id' }));
  });
});

// ---------------------------------------------------------------------------------------------
// Arbitraries: small pools of ids so that random pairs overlap; optional fields absent (never
// `undefined`) so that round trips can be checked with toStrictEqual.

const STEP_IDS = Array.from({ length: 20 }, (_, i) => `s${i}`);
const EDGE_IDS = Array.from({ length: 12 }, (_, i) => `e${i}`);
const TRIGGER_IDS = ['t0', 't1', 't2', 't3', 't4'];
const VARIABLE_NAMES = ['customer', 'limit', 'dryRun', 'region', 'since', 'items'];
const TAGS = ['ops', 'sales', 'hr', 'vip', 'beta', 'eu'];
const CONFIG_KEYS = ['to', 'subject', 'template', 'url', 'method', 'headers', 'a.b', '__proto__', 'constructor'];

const jsonValue: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { maxDepth: 3, depthSize: 'small' },
    fc.integer({ min: -2, max: 2 }),
    fc.constantFrom('x', 'y', ''),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.uniqueArray(fc.tuple(fc.constantFrom(...CONFIG_KEYS), tie('value')), { selector: ([k]) => k, maxLength: 3 }).map((e) => Object.fromEntries(e)),
  ),
})).value;

const config: fc.Arbitrary<Record<string, unknown>> = fc
  .uniqueArray(fc.tuple(fc.constantFrom(...CONFIG_KEYS), jsonValue), { selector: ([k]) => k, maxLength: 5 })
  .map((e) => Object.fromEntries(e));

const retryPolicy: fc.Arbitrary<RetryPolicy> = fc.record(
  {
    maxAttempts: fc.integer({ min: 1, max: 3 }),
    initialIntervalMs: fc.constantFrom(100, 1000),
    backoffCoefficient: fc.constantFrom(1, 2),
    maxIntervalMs: fc.constantFrom(1000, 60000),
    jitter: fc.constantFrom(0, 0.5),
    nonRetryableErrors: fc.subarray(['auth', 'validation', 'timeout']),
  },
  { noNullPrototype: true },
);

const stepWithId = (id: string): fc.Arbitrary<StepDefinition> =>
  fc.record(
    {
      id: fc.constant(id),
      name: fc.constantFrom('Send', 'Wait', 'Fetch'),
      type: fc.constantFrom('send_email', 'http_request', 'delay'),
      config,
      position: fc.record({ x: fc.integer({ min: -1, max: 1 }), y: fc.integer({ min: -1, max: 1 }) }, { noNullPrototype: true }),
      errorStrategy: fc.constantFrom(...ERROR_STRATEGIES),
      retryPolicy,
      timeoutMs: fc.constantFrom(1000, 30000),
    },
    { requiredKeys: ['id', 'name', 'type', 'config', 'position', 'errorStrategy'], noNullPrototype: true },
  );

const edgeWithId =
  (stepIds: string[]) =>
  (id: string): fc.Arbitrary<EdgeDefinition> =>
    fc.record(
      {
        id: fc.constant(id),
        from: fc.constantFrom(...stepIds),
        to: fc.constantFrom(...stepIds),
        condition: fc.constantFrom('$.ok', '$.count > 1'),
        label: fc.constantFrom('true', 'false', 'error'),
      },
      { requiredKeys: ['id', 'from', 'to'], noNullPrototype: true },
    );

const variableWithName = (name: string): fc.Arbitrary<VariableDefinition> =>
  fc.record(
    {
      name: fc.constant(name),
      type: fc.constantFrom(...VARIABLE_TYPES),
      default: jsonValue,
      required: fc.boolean(),
      description: fc.constantFrom('The customer', 'How many'),
    },
    { requiredKeys: ['name', 'type', 'required'], noNullPrototype: true },
  );

const triggerWithId = (id: string): fc.Arbitrary<TriggerDefinition> =>
  fc.record(
    { id: fc.constant(id), kind: fc.constantFrom(...TRIGGER_KINDS), name: fc.constantFrom('Nightly', 'Hook'), enabled: fc.boolean(), config },
    { noNullPrototype: true },
  );

/** Unique entities whose keys come from a pool. */
const entities = <T>(pool: string[], withKey: (key: string) => fc.Arbitrary<T>, maxLength: number): fc.Arbitrary<T[]> =>
  fc.shuffledSubarray(pool, { maxLength }).chain((keys) => all(keys.map(withKey)));

const all = <T>(arbs: fc.Arbitrary<T>[]): fc.Arbitrary<T[]> => (arbs.length === 0 ? fc.constant([]) : (fc.tuple(...arbs) as fc.Arbitrary<T[]>));

const edgesBetween = (steps: StepDefinition[]): fc.Arbitrary<EdgeDefinition[]> =>
  steps.length === 0 ? fc.constant([]) : entities(EDGE_IDS, edgeWithId(steps.map((s) => s.id)), 10);

const tags = fc.array(fc.constantFrom(...TAGS), { maxLength: 6 });

const definition: fc.Arbitrary<WorkflowDefinition> = entities(STEP_IDS, stepWithId, 15).chain((steps) =>
  fc.record(
    {
      steps: fc.constant(steps),
      edges: edgesBetween(steps),
      variables: entities(VARIABLE_NAMES, variableWithName, 6),
      triggers: entities(TRIGGER_IDS, triggerWithId, 5),
      tags,
    },
    { noNullPrototype: true },
  ),
);

/** x and y mixed key by key (recursively for objects): few, scattered differences. */
function mix<T>(x: T, y: T): fc.Arbitrary<T> {
  if (!isObject(x) || !isObject(y)) return fc.constantFrom(x, y);
  const keys = [...new Set([...Object.keys(x), ...Object.keys(y)])];
  return all(keys.map((k) => fc.oneof(fc.constant(x[k]), fc.constant(y[k]), mix(x[k], y[k])))).map(
    (values) => Object.fromEntries(keys.flatMap((k, i) => (values[i] === undefined ? [] : [[k, values[i]]]))) as T,
  );
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A list derived from `base`: some kept as they are, some regenerated or mixed, new ones, maybe reordered. */
function derive<T extends object>(base: T[], keyOf: (t: T) => string, withKey: (key: string) => fc.Arbitrary<T>, fresh: fc.Arbitrary<T[]>): fc.Arbitrary<T[]> {
  return fc.tuple(fc.subarray(base), fresh).chain(([kept, extra]) => {
    const keptKeys = new Set(kept.map(keyOf));
    const more = extra.filter((e) => !keptKeys.has(keyOf(e)));
    const changed = kept.map((t) =>
      fc.oneof(
        { arbitrary: fc.constant(t), weight: 3 },
        { arbitrary: withKey(keyOf(t)), weight: 1 },
        { arbitrary: withKey(keyOf(t)).chain((r) => mix(t, r)), weight: 2 },
      ),
    );
    return all(changed).chain((list) => {
      const together = [...list, ...more];
      return fc.oneof(fc.constant(together), fc.shuffledSubarray(together, { minLength: together.length }));
    });
  });
}

const derived = (a: WorkflowDefinition): fc.Arbitrary<WorkflowDefinition> =>
  derive(a.steps, (s) => s.id, stepWithId, entities(STEP_IDS, stepWithId, 4)).chain((steps) => {
    const ids = new Set(steps.map((s) => s.id));
    const survivingEdges = a.edges.filter((e) => ids.has(e.from) && ids.has(e.to));
    return fc.record(
      {
        steps: fc.constant(steps),
        edges: steps.length === 0 ? fc.constant([]) : derive(survivingEdges, (e) => e.id, edgeWithId([...ids]), edgesBetween(steps)),
        variables: derive(a.variables, (v) => v.name, variableWithName, entities(VARIABLE_NAMES, variableWithName, 2)),
        triggers: derive(a.triggers, (t) => t.id, triggerWithId, entities(TRIGGER_IDS, triggerWithId, 2)),
        tags: fc.oneof(fc.constant(a.tags), tags, fc.shuffledSubarray(a.tags)),
      },
      { noNullPrototype: true },
    );
  });

/** Independent pairs (overlapping ids, mostly different content) and derived ones (few edits). */
const pair: fc.Arbitrary<[WorkflowDefinition, WorkflowDefinition]> = fc.oneof(
  fc.tuple(definition, definition),
  definition.chain((a) => derived(a).map((b): [WorkflowDefinition, WorkflowDefinition] => [a, b])),
);

/** The same JSON with every object's keys in reverse order. */
function reversedKeys<T>(v: T): T {
  if (Array.isArray(v)) return v.map(reversedKeys) as T;
  if (!isObject(v)) return v;
  return Object.fromEntries(Object.keys(v).reverse().map((k) => [k, reversedKeys(v[k])])) as T;
}

function deepFreeze<T>(v: T): T {
  if (typeof v === 'object' && v !== null) {
    Object.values(v).forEach(deepFreeze);
    Object.freeze(v);
  }
  return v;
}

// ---------------------------------------------------------------------------------------------
// Properties

describe('diffDefinitions / applyDiff, properties', () => {
  it('applyDiff(a, diffDefinitions(a, b)) is b, orders included, without touching a or the diff', () => {
    fc.assert(
      fc.property(pair, ([a, b]) => {
        deepFreeze(a);
        deepFreeze(b);
        const diff = deepFreeze(diffDefinitions(a, b));
        // As data (JSON): a field set to undefined is a field absent.
        expect(applyDiff(a, diff)).toEqual(b);
        expect(isEmptyDiff(diff)).toBe(deepEqual(a, b));
      }),
      { numRuns: 1000 },
    );
  });

  it('a definition differs from nothing in itself, nor from itself with keys in another order', () => {
    fc.assert(
      fc.property(definition, (a) => {
        expect(isEmptyDiff(diffDefinitions(a, a))).toBe(true);
        expect(isEmptyDiff(diffDefinitions(a, reversedKeys(a)))).toBe(true);
        expect(applyDiff(a, diffDefinitions(a, reversedKeys(a)))).toStrictEqual(a);
      }),
      { numRuns: 500 },
    );
  });

  it('the added steps are exactly those in b and not in a (in b’s order), the removed ones the converse', () => {
    fc.assert(
      fc.property(pair, ([a, b]) => {
        const diff = diffDefinitions(a, b);
        const inA = new Set(a.steps.map((s) => s.id));
        const inB = new Set(b.steps.map((s) => s.id));
        expect(diff.steps.added.map((s) => s.id)).toEqual(b.steps.map((s) => s.id).filter((id) => !inA.has(id)));
        expect(diff.steps.removed.map((s) => s.id)).toEqual(a.steps.map((s) => s.id).filter((id) => !inB.has(id)));
        expect(diff.steps.changed.every((c) => inA.has(c.id) && inB.has(c.id) && c.fields.length > 0)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});
