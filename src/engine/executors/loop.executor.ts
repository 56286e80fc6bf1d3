import type { StepExecutor } from '../executor';
import { StepFailure } from '../step-failure';

/**
 * loop: the walk cannot run a loop's body yet (the execution decider refuses a definition whose
 * edges close a cycle, see walk.ts), so a loop step reached in a run fails with a clear,
 * non-retryable error instead of pretending to iterate.
 */
export const loopExecutor: StepExecutor<'loop'> = {
  type: 'loop',
  async execute() {
    throw new StepFailure('Unsupported', 'Loop steps are not supported by the engine yet', { retryable: false });
  },
};
