import type { StepExecutor } from '../executor';
import { StepFailure } from '../step-failure';

/**
 * Evaluates the condition to `{ result }`; the walk follows the edge labelled "true" or "false"
 * (walk.ts chosenBranch). A value that is not a boolean is judged the way JSONata's `$boolean`
 * judges it (an empty list or string, 0, null and "no match" are false), so
 * `steps.lookup.output.items` reads as "found any", as it does inside any other expression.
 */
export const conditionExecutor: StepExecutor<'condition'> = {
  type: 'condition',
  async execute(ctx) {
    const expression = ctx.config.expression;
    if (typeof expression !== 'string' || !expression.trim()) {
      throw new StepFailure('InvalidConfig', 'condition needs an expression', { retryable: false });
    }
    const value = await ctx.evaluate(expression);
    return { output: { result: truthy(value) } };
  },
};

/** JSONata's `$boolean` on the plain JSON values `evaluate` returns. */
export function truthy(value: unknown): boolean {
  if (value === null || value === undefined) return false;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value !== 0;
  if (typeof value === 'string') return value.length > 0;
  if (Array.isArray(value)) return value.some(truthy);
  if (typeof value === 'object') return Object.keys(value).length > 0;
  return false;
}
