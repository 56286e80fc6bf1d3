import { StepFailure } from '../step-failure';
import { EXPRESSION_LIMITS } from '../expressions';
import { stepContext } from './testing/step-context';
import { transformExecutor } from './transform.executor';

const run = async (assignments: Record<string, string>, scope = {}) =>
  transformExecutor.execute(await stepContext({ type: 'transform', config: { assignments }, scope }));

const failureOf = async (promise: Promise<unknown>): Promise<StepFailure> => {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(StepFailure);
  return error as StepFailure;
};

/** How the expression limits word a runaway (ours, or JSONata's own guardrails). */
const RUNAWAY = /longer than|deeper than|timeout|stack overflow/i;

describe('transform executor', () => {
  const input = { items: [{ price: 10, qty: 2 }, { price: 5, qty: 1 }], customer: { name: 'Ada' } };

  it('outputs each assignment by name, reading input, variables and earlier steps', async () => {
    const outcome = await run(
      { total: '$sum(input.items.(price * qty))', greeting: '"Hello " & input.customer.name', region: 'region', lastStatus: 'steps.fetch.output.status' },
      { input, vars: { region: 'eu' }, region: 'eu', steps: { fetch: { output: { status: 200 } } } },
    );
    expect(outcome).toEqual({ output: { total: 25, greeting: 'Hello Ada', region: 'eu', lastStatus: 200 } });
  });

  it('lets later assignments see the earlier ones, as roots and under vars', async () => {
    const outcome = await run({ subtotal: '$sum(input.items.price)', tax: 'subtotal * 0.2', total: 'vars.subtotal + tax' }, { input });
    expect(outcome).toEqual({ output: { subtotal: 15, tax: 3, total: 18 } });
  });

  it('shadows an earlier variable of the same name with the new value', async () => {
    const outcome = await run({ count: 'count + 1', next: 'vars.count' }, { vars: { count: 1 }, count: 1 });
    expect(outcome).toEqual({ output: { count: 2, next: 2 } });
  });

  it('gives null for a path that matches nothing, and keeps objects and lists as values', async () => {
    const outcome = await run({ missing: 'input.nope', names: 'input.items.price', picked: '{"who": input.customer.name}' }, { input });
    expect(outcome).toEqual({ output: { missing: null, names: [10, 5], picked: { who: 'Ada' } } });
  });

  it('fails with ExpressionError naming the assignment when an expression does not parse', async () => {
    const failure = await failureOf(run({ ok: '1', broken: 'input.items[' }));
    expect(failure.kind).toBe('ExpressionError');
    expect(failure.retryable).toBe(false);
    expect(failure.message).toMatch(/^broken: Cannot parse "input\.items\["/);
  });

  it('fails with ExpressionError when an expression throws while it runs', async () => {
    const failure = await failureOf(run({ bad: '$number("not a number")' }));
    expect(failure.kind).toBe('ExpressionError');
    expect(failure.message).toMatch(/^bad: .*failed: /);
  });

  // Bounded on purpose: without working limits these still end (in seconds) and the test fails,
  // where an unbounded loop would starve the event loop and hang the whole run.
  it('stops a runaway $map within the time limit instead of hanging', async () => {
    const started = Date.now();
    const failure = await failureOf(run({ huge: '$sum($map([1..50000], function($v) { $v * 2 }))' }));
    expect(failure.kind).toBe('ExpressionError');
    expect(failure.message).toMatch(RUNAWAY);
    expect(Date.now() - started).toBeLessThan(EXPRESSION_LIMITS.timeMs * 8);
  });

  it('stops runaway recursion within the limits', async () => {
    const started = Date.now();
    const failure = await failureOf(run({ deep: '($depth := function($n) { $n > 5000 ? 0 : 1 + $depth($n + 1) }; $depth(0))' }));
    expect(failure.kind).toBe('ExpressionError');
    expect(failure.message).toMatch(RUNAWAY);
    expect(Date.now() - started).toBeLessThan(EXPRESSION_LIMITS.timeMs * 8);
  });

  it('stops a long tail-recursive loop within the time limit', async () => {
    const started = Date.now();
    const failure = await failureOf(run({ spin: '($loop := function($n) { $n > 50000 ? $n : $loop($n + 1) }; $loop(0))' }));
    expect(failure.kind).toBe('ExpressionError');
    expect(failure.message).toMatch(RUNAWAY);
    expect(Date.now() - started).toBeLessThan(EXPRESSION_LIMITS.timeMs * 8);
  });

  it('refuses a result larger than the size limit', async () => {
    const failure = await failureOf(run({ big: '$pad("x", 1100000, "y")' }));
    expect(failure.kind).toBe('ExpressionError');
    expect(failure.message).toMatch(/yielded \d+ bytes/);
  });

  it('rejects a config without assignments as InvalidConfig', async () => {
    const failure = await failureOf(run({}));
    expect(failure.kind).toBe('InvalidConfig');
    expect(failure.retryable).toBe(false);
  });
});
