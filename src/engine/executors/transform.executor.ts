import type { StepExecutor } from '../executor';
import { StepFailure } from '../step-failure';

/**
 * Sets execution variables (SPEC B4). Assignments run in the order written, and each later one sees
 * the earlier ones both as a root (`total`) and under `vars` (`vars.total`), the two ways a step reads
 * a declared variable, so a transform reads the same whether its inputs came from here or earlier.
 */
export const transformExecutor: StepExecutor<'transform'> = {
  type: 'transform',
  async execute(ctx) {
    const assignments = ctx.config.assignments;
    if (!assignments || typeof assignments !== 'object' || Array.isArray(assignments) || Object.keys(assignments).length === 0) {
      throw new StepFailure('InvalidConfig', 'transform needs at least one assignment (name: JSONata expression)', { retryable: false });
    }
    const assigned: Record<string, unknown> = {};
    const earlierVars = (ctx.scope.vars ?? {}) as Record<string, unknown>;
    for (const [name, expression] of Object.entries(assignments as Record<string, unknown>)) {
      if (typeof expression !== 'string' || !expression.trim()) {
        throw new StepFailure('InvalidConfig', `Assignment "${name}" must be a JSONata expression`, { retryable: false });
      }
      try {
        assigned[name] = await ctx.evaluate(expression, { ...assigned, vars: { ...earlierVars, ...assigned } });
      } catch (error) {
        // Name the variable: "total: ..." points at the line to fix in the designer.
        if (error instanceof StepFailure) throw new StepFailure(error.kind, `${name}: ${error.message}`, { retryable: error.retryable, details: error.details });
        throw error;
      }
    }
    return { output: assigned };
  },
};
