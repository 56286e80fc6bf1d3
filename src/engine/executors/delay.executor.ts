import type { StepExecutor } from '../executor';
import { StepFailure } from '../step-failure';

/**
 * delay: sets a durable timer and ends the attempt; the step waits as `TimerStarted` in the log
 * and the timer service fires it (a restart loses nothing, no promise sleeps meanwhile).
 */
export const delayExecutor: StepExecutor<'delay'> = {
  type: 'delay',
  async execute(ctx) {
    const { durationMs, until } = ctx.config as { durationMs?: number; until?: unknown };
    const now = ctx.services.now().getTime();
    let fireAt: number;
    if (typeof durationMs === 'number') {
      fireAt = now + durationMs;
    } else if (until !== undefined && until !== null && until !== '') {
      fireAt = typeof until === 'number' ? until : Date.parse(String(until));
      if (Number.isNaN(fireAt)) throw new StepFailure('InvalidConfig', `until is not a date-time: ${String(until).slice(0, 80)}`, { retryable: false });
      // A time already past continues at once.
      fireAt = Math.max(fireAt, now);
    } else {
      throw new StepFailure('InvalidConfig', 'A delay needs durationMs or until', { retryable: false });
    }
    return { wait: { kind: 'timer', timerId: `${ctx.scheduledId}:delay`, fireAt: new Date(fireAt).toISOString() } };
  },
};
