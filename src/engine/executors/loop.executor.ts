import type { StepExecutor } from '../executor';
import { StepFailure } from '../step-failure';

/**
 * loop: evaluates the list to go through; the execution decider then runs the steps on the loop's
 * `each` edge once per item (with `item`/`index`, or the names the step gives them, in scope) and
 * continues along `done` after the last. A longer list than `maxIterations` fails the step.
 */
export const loopExecutor: StepExecutor<'loop'> = {
  type: 'loop',
  async execute(ctx) {
    const { items: expression, maxIterations = 1000 } = ctx.config as { items: string; maxIterations?: number };
    const items = await ctx.evaluate(String(expression));
    const list = items === null || items === undefined ? [] : Array.isArray(items) ? items : [items];
    if (list.length > maxIterations) {
      throw new StepFailure('TooManyItems', `The list has ${list.length} items; this loop allows at most ${maxIterations}`, { retryable: false });
    }
    return { output: { items: list, iterations: list.length } };
  },
};
