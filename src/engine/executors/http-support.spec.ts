import { getEventListeners } from 'node:events';
import { describeAbort, requestDeadline } from './http-support';

describe('requestDeadline', () => {
  it('aborts at its own timeout, and says so', async () => {
    const step = new AbortController();
    const deadline = requestDeadline(step.signal, 30);
    await new Promise((r) => setTimeout(r, 60));
    expect(deadline.signal.aborted).toBe(true);
    expect(deadline.timedOut()).toBe(true);
    expect(describeAbort(step.signal, deadline, 30)).toBe('got no complete answer within 30 ms');
    deadline.release();
  });

  it("aborts with the step's signal (step timeout, worker shutdown), already aborted or later", () => {
    const step = new AbortController();
    const deadline = requestDeadline(step.signal, 10_000);
    step.abort(new Error('worker stopping'));
    expect(deadline.signal.aborted).toBe(true);
    expect(deadline.timedOut()).toBe(false);
    expect(describeAbort(step.signal, deadline, 10_000)).toMatch(/was stopped.*worker stopping/);
    deadline.release();
    expect(requestDeadline(step.signal, 10_000).signal.aborted).toBe(true);
  });

  it('leaves neither a timer nor a listener on the step signal once released', async () => {
    const step = new AbortController();
    const deadlines = Array.from({ length: 50 }, () => requestDeadline(step.signal, 30));
    expect(getEventListeners(step.signal, 'abort')).toHaveLength(50);
    for (const deadline of deadlines) deadline.release();
    expect(getEventListeners(step.signal, 'abort')).toHaveLength(0);
    // Past the timeout, and the step aborted after the calls ended: none of their signals fires.
    await new Promise((r) => setTimeout(r, 60));
    step.abort();
    expect(deadlines.some((d) => d.signal.aborted || d.timedOut())).toBe(false);
  });
});
