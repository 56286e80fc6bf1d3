import type { EdgeDefinition, ExecutionCommand, StepDefinition, WorkflowDefinition } from '@contracts';
import { emptyDefinition } from '@contracts';
import { DomainError } from '../decider';
import { decideExecution, evolveExecution, initialExecutionState, type ExecutionDecidedEvent } from './execution.decider';

/** Waits (delay timers, approvals, child runs), one-append reports and retry-from-failed, given/when/then on the decider. */
const executionId = '7a0c6f1e-2b1d-4e8f-9a3b-5c6d7e8f9a0b';
const T0 = '2026-11-28T10:00:00.000Z';
const ANN = '11111111-1111-4111-8111-111111111111';
const BOB = '22222222-2222-4222-8222-222222222222';
const CAT = '33333333-3333-4333-8333-333333333333';

const step = (id: string, type = 'transform', extra: Partial<StepDefinition> = {}): StepDefinition => ({ id, name: id, type, config: {}, position: { x: 0, y: 0 }, errorStrategy: 'fail', ...extra });
const edge = (from: string, to: string, label?: string): EdgeDefinition => ({ id: `${from}-${to}`, from, to, ...(label ? { label } : {}) });
const graph = (steps: StepDefinition[], edges: EdgeDefinition[] = []): WorkflowDefinition => ({ ...emptyDefinition(), steps, edges });

let counter = 0;
/** Runs commands through the decider one after another; returns every event. */
function play(events: ExecutionDecidedEvent[], ...commands: { type: string; data: object }[]): ExecutionDecidedEvent[] {
  for (const command of commands) {
    const state = events.reduce(evolveExecution, initialExecutionState());
    const metadata = { commandId: `k${++counter}`, correlationId: 'c', causationId: 'c', actor: { kind: 'system' as const, id: 't' }, workspaceId: 'ws', occurredAt: T0 };
    events = [...events, ...decideExecution({ ...command, data: { executionId, ...command.data }, metadata } as ExecutionCommand, state)];
  }
  return events;
}
const stateOf = (events: ExecutionDecidedEvent[]) => events.reduce(evolveExecution, initialExecutionState());
const live = (events: ExecutionDecidedEvent[], stepId: string) => {
  const run = stateOf(events).steps[stepId];
  return { stepId, attempt: run.attempt, scheduledId: run.scheduledId! };
};
const types = (events: ExecutionDecidedEvent[]) => events.map((e) => e.type);
const start = (definition: WorkflowDefinition) => play([], { type: 'StartExecution', data: { workflowId: 'wf', version: 1, definition, input: {} } });
const approvalWait = (approvers: object, extra: object = {}) => ({
  kind: 'approval',
  approvalId: 'ap1',
  title: 'Pay?',
  message: 'Pay?',
  approvers,
  mode: 'any',
  requireComment: false,
  onTimeout: 'reject',
  ...extra,
});

describe('execution waits', () => {
  it('records the start of a report that was never started on its outcome, with no StepStarted of its own', () => {
    const events = start(graph([step('a')]));
    const after = play(events, { type: 'CompleteStep', data: { ...live(events, 'a'), output: { x: 1 }, startedAt: T0, workerId: 'w1' } });
    expect(types(after.slice(events.length))).toEqual(['StepSucceeded', 'ExecutionSucceeded']);
    expect(after[events.length].data).toMatchObject({ startedAt: T0, workerId: 'w1' });
    const failed = play(events, { type: 'FailStep', data: { ...live(events, 'a'), startedAt: T0, error: { kind: 'E', message: 'x', retryable: false }, random: 0 } });
    expect(types(failed.slice(events.length))).toEqual(['StepFailed', 'ExecutionFailed']);
    expect(failed[events.length].data).toMatchObject({ startedAt: T0 });
  });

  it('records a StepStarted of its own when a report opens a wait', () => {
    const events = start(graph([step('wait', 'delay')]));
    const waiting = play(events, { type: 'WaitStep', data: { ...live(events, 'wait'), startedAt: T0, wait: { kind: 'timer', timerId: 't1', fireAt: '2026-11-28T10:05:00.000Z' } } });
    expect(types(waiting.slice(events.length))).toEqual(['StepStarted', 'TimerStarted']);
  });

  it('rejects a duplicate completion of the same attempt', () => {
    const events = start(graph([step('a'), step('b')], [edge('a', 'b')]));
    const report = { type: 'CompleteStep', data: { ...live(events, 'a'), output: 1, startedAt: T0 } };
    const once = play(events, report);
    expect(() => play(once, report)).toThrow(expect.objectContaining({ code: 'stale-completion', kind: 'conflict' }));
  });

  it('a delay waits on its timer, then succeeds with the time it waited until and the walk goes on', () => {
    const events = start(graph([step('wait', 'delay'), step('next')], [edge('wait', 'next')]));
    const waiting = play(events, { type: 'WaitStep', data: { ...live(events, 'wait'), startedAt: T0, wait: { kind: 'timer', timerId: 't1', fireAt: '2026-11-28T10:05:00.000Z' } } });
    expect(stateOf(waiting).steps.wait.status).toBe('waiting');
    expect(() => play(waiting, { type: 'FireTimer', data: { stepId: 'wait', timerId: 'other' } })).toThrow(DomainError);
    const fired = play(waiting, { type: 'FireTimer', data: { stepId: 'wait', timerId: 't1' } });
    expect(types(fired.slice(waiting.length))).toEqual(['TimerFired', 'StepSucceeded', 'StepScheduled']);
    expect(stateOf(fired).steps.wait.output).toEqual({ waitedUntil: '2026-11-28T10:05:00.000Z' });
  });

  it('an approval in mode all succeeds only when every named approver approved, then takes the approved edge', () => {
    const events = start(graph([step('ask', 'approval'), step('yes'), step('no')], [edge('ask', 'yes', 'approved'), edge('ask', 'no', 'rejected')]));
    const waiting = play(events, { type: 'WaitStep', data: { ...live(events, 'ask'), startedAt: T0, wait: approvalWait({ userIds: [ANN, BOB] }, { mode: 'all' }) } });
    const one = play(waiting, { type: 'DecideApproval', data: { approvalId: 'ap1', decision: 'approve', userId: ANN } });
    expect(types(one.slice(waiting.length))).toEqual(['ApprovalGranted']);
    expect(() => play(one, { type: 'DecideApproval', data: { approvalId: 'ap1', decision: 'approve', userId: ANN } })).toThrow(expect.objectContaining({ code: 'already-decided' }));
    const both = play(one, { type: 'DecideApproval', data: { approvalId: 'ap1', decision: 'approve', userId: BOB, comment: 'ok' } });
    expect(types(both.slice(one.length))).toEqual(['ApprovalGranted', 'StepSucceeded', 'StepScheduled', 'StepSkipped']);
    expect(stateOf(both).steps.ask.output).toMatchObject({ decision: 'approved', decidedBy: BOB, comment: 'ok', timedOut: false });
  });

  it('a rejection that must say why is refused without a comment, and with one takes the rejected edge', () => {
    const events = start(graph([step('ask', 'approval'), step('yes'), step('no')], [edge('ask', 'yes', 'approved'), edge('ask', 'no', 'rejected')]));
    const waiting = play(events, { type: 'WaitStep', data: { ...live(events, 'ask'), startedAt: T0, wait: approvalWait({ userIds: [ANN] }, { requireComment: true }) } });
    expect(() => play(waiting, { type: 'DecideApproval', data: { approvalId: 'ap1', decision: 'reject', userId: ANN } })).toThrow(expect.objectContaining({ code: 'comment-required', kind: 'rule_violated' }));
    const rejected = play(waiting, { type: 'DecideApproval', data: { approvalId: 'ap1', decision: 'reject', userId: ANN, comment: 'too much' } });
    expect(stateOf(rejected).steps.no.status).toBe('scheduled');
    expect(stateOf(rejected).steps.yes.status).toBe('skipped');
  });

  it('an approval that times out escalates once, with a new deadline as long as the first, then is rejected', () => {
    const events = start(graph([step('ask', 'approval')]));
    const wait = approvalWait({ userIds: [ANN] }, { onTimeout: 'escalate', escalateTo: { userIds: [CAT] }, timeoutAt: '2026-11-28T11:00:00.000Z' });
    const waiting = play(events, { type: 'WaitStep', data: { ...live(events, 'ask'), startedAt: T0, wait } });
    const escalated = play(waiting, { type: 'TimeOutApproval', data: { approvalId: 'ap1' } });
    const last = escalated.at(-1)!;
    expect(last).toMatchObject({ type: 'ApprovalEscalated', data: { approvers: { userIds: [CAT] }, timeoutAt: '2026-11-28T11:00:00.000Z' } });
    const closed = play(escalated, { type: 'TimeOutApproval', data: { approvalId: 'ap1' } });
    expect(types(closed.slice(escalated.length))).toEqual(['ApprovalRejected', 'StepSucceeded', 'ExecutionSucceeded']);
    expect(stateOf(closed).steps.ask.output).toMatchObject({ decision: 'rejected', escalated: true, timedOut: true });
  });

  it('a child run that fails fails the waiting step as ChildExecutionFailed (not retried), which fails the run', () => {
    const events = start(graph([step('call', 'sub_workflow', { errorStrategy: 'retry_then_fail' })]));
    const waiting = play(events, { type: 'WaitStep', data: { ...live(events, 'call'), startedAt: T0, wait: { kind: 'child', childExecutionId: 'child-1', workflowId: 'wf2', version: 1 } } });
    expect(() => play(waiting, { type: 'FinishChild', data: { stepId: 'call', childExecutionId: 'someone-else', status: 'succeeded', random: 0 } })).toThrow(expect.objectContaining({ code: 'stale-child' }));
    const failed = play(waiting, { type: 'FinishChild', data: { stepId: 'call', childExecutionId: 'child-1', status: 'failed', error: { kind: 'X', message: 'broke', retryable: true }, random: 0 } });
    expect(types(failed.slice(waiting.length))).toEqual(['StepFailed', 'ExecutionFailed']);
    expect(failed.at(-2)).toMatchObject({ data: { error: { kind: 'ChildExecutionFailed' } } });
  });

  it('refuses to start a child whose workflow is already up the chain (a sub-workflow cycle)', () => {
    expect(() =>
      play([], { type: 'StartExecution', data: { workflowId: 'wf1', version: 1, definition: graph([step('a')]), input: {}, parent: { executionId: 'p', stepId: 's', attempt: 1, scheduledId: 'x', ancestry: ['wf0', 'wf1'] } } }),
    ).toThrow(expect.objectContaining({ code: 'sub-workflow-cycle', kind: 'rule_violated' }));
  });

  it('retries a failed run from its failed step only, as the next attempt; a running run cannot be retried', () => {
    const events = start(graph([step('a'), step('b')], [edge('a', 'b')]));
    expect(() => play(events, { type: 'RetryExecution', data: {} })).toThrow(expect.objectContaining({ code: 'execution-not-failed' }));
    const aDone = play(events, { type: 'CompleteStep', data: { ...live(events, 'a'), output: 1, startedAt: T0 } });
    const failed = play(aDone, { type: 'FailStep', data: { ...live(aDone, 'b'), startedAt: T0, error: { kind: 'E', message: 'x', retryable: true }, random: 0 } });
    expect(stateOf(failed).status).toBe('failed');
    const retried = play(failed, { type: 'RetryExecution', data: {} });
    expect(types(retried.slice(failed.length))).toEqual(['ExecutionRetried', 'StepScheduled']);
    expect(retried.at(-1)).toMatchObject({ data: { stepId: 'b', attempt: 2 } });
    expect(stateOf(retried).steps.a).toMatchObject({ status: 'succeeded', output: 1 });
  });

  it('a fork starts with the reused outputs recorded and runs only what follows', () => {
    const definition = graph([step('a'), step('b')], [edge('a', 'b')]);
    const events = play([], { type: 'StartExecution', data: { workflowId: 'wf', version: 1, definition, input: {}, forkedFrom: { executionId: 'old', stepId: 'b' }, reusedOutputs: { a: { v: 1 } } } });
    expect(types(events)).toEqual(['ExecutionStarted', 'StepSucceeded', 'StepScheduled']);
    expect(events[1]).toMatchObject({ data: { stepId: 'a', reused: true, output: { v: 1 } } });
    expect(events[2]).toMatchObject({ data: { stepId: 'b' } });
  });

  it('times out the whole run', () => {
    const events = start(graph([step('a')]));
    const timedOut = play(events, { type: 'TimeOutExecution', data: {} });
    expect(timedOut.at(-1)).toMatchObject({ type: 'ExecutionFailed', data: { error: { kind: 'Timeout' } } });
  });
});
