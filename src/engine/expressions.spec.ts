import { EXPRESSION_LIMITS, evaluate } from './expressions';

/** The time budget of an evaluation counts its own running time, not the time it waits its turn. */
describe('expression time budget', () => {
  it('does not time out an evaluation that spends longer than the budget suspended', async () => {
    // A bound function that takes 400 ms to answer stands for a busy worker's other tasks.
    const slow = () => new Promise((resolve) => setTimeout(() => resolve(20), EXPRESSION_LIMITS.timeMs + 150));
    const started = Date.now();
    await expect(evaluate('$slow() + amount * 2', { amount: 1 }, { slow })).resolves.toBe(22);
    expect(Date.now() - started).toBeGreaterThan(EXPRESSION_LIMITS.timeMs);
  });

  it('still stops a runaway loop after about its budget', async () => {
    const started = Date.now();
    await expect(evaluate('($loop := function($n) { $n > 1e7 ? $n : $loop($n + 1) }; $loop(0))', {})).rejects.toMatchObject({
      kind: 'ExpressionError',
      message: expect.stringMatching(/timeout after 250 milliseconds/),
    });
    expect(Date.now() - started).toBeLessThan(EXPRESSION_LIMITS.timeMs * 8);
  });
});
