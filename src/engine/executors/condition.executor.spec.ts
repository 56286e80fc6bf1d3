import { chosenBranch } from '../../domain/execution/walk';
import { StepFailure } from '../step-failure';
import { EXPRESSION_LIMITS } from '../expressions';
import { conditionExecutor } from './condition.executor';
import { stepContext } from './testing/step-context';

const run = async (expression: string, scope = {}) =>
  conditionExecutor.execute(await stepContext({ type: 'condition', config: { expression }, scope }));

const failureOf = async (promise: Promise<unknown>): Promise<StepFailure> => {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(StepFailure);
  return error as StepFailure;
};

const RUNAWAY = /longer than|deeper than|timeout|stack overflow/i;

describe('condition executor', () => {
  const scope = {
    input: { amount: 1500, tags: [], note: '' },
    steps: { classify: { output: { label: 'urgent' } }, lookup: { output: { items: [{ id: 1 }] } } },
  };

  it('yields true and false from a boolean expression, which the walk reads as the branch', async () => {
    const yes = await run('input.amount > 1000 and steps.classify.output.label = "urgent"', scope);
    const no = await run('input.amount > 5000', scope);
    expect(yes).toEqual({ output: { result: true } });
    expect(no).toEqual({ output: { result: false } });
    expect(chosenBranch((yes as { output: unknown }).output)).toBe('true');
    expect(chosenBranch((no as { output: unknown }).output)).toBe('false');
  });

  it.each([
    ['steps.lookup.output.items', true],
    ['input.tags', false],
    ['input.note', false],
    ['input.missing', false],
    ['input.amount', true],
    ['0', false],
    ['{"a": 1}', true],
    ['{}', false],
    ['[false, 0, ""]', false],
  ])('judges %s the way JSONata $boolean does (%s)', async (expression, expected) => {
    expect(await run(expression, scope)).toEqual({ output: { result: expected } });
  });

  it('fails with a readable ExpressionError when the expression does not parse', async () => {
    const failure = await failureOf(run('input.amount >', scope));
    expect(failure.kind).toBe('ExpressionError');
    expect(failure.retryable).toBe(false);
    expect(failure.message).toMatch(/Cannot parse "input\.amount >"/);
  });

  it('fails with ExpressionError when the expression throws', async () => {
    const failure = await failureOf(run('$error("no customer")', scope));
    expect(failure.kind).toBe('ExpressionError');
    expect(failure.message).toMatch(/no customer/);
  });

  // Bounded on purpose: without working limits these still end and fail instead of hanging the run.
  it('stops a runaway expression within the time limit', async () => {
    const started = Date.now();
    const failure = await failureOf(run('$count($filter([1..50000], function($v) { $v % 7 = 0 })) > 0'));
    expect(failure.kind).toBe('ExpressionError');
    expect(failure.message).toMatch(RUNAWAY);
    expect(Date.now() - started).toBeLessThan(EXPRESSION_LIMITS.timeMs * 8);
  });

  it('stops runaway recursion', async () => {
    const failure = await failureOf(run('($depth := function($n) { $n > 5000 ? 0 : 1 + $depth($n + 1) }; $depth(0)) > 0'));
    expect(failure.kind).toBe('ExpressionError');
    expect(failure.message).toMatch(RUNAWAY);
  });
});
