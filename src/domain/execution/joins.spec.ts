import type { EdgeDefinition, ExecutionCommand, JoinMode, StepDefinition, WorkflowDefinition } from '@contracts';
import { emptyDefinition } from '@contracts';
import { decideExecution, evolveExecution, initialExecutionState, type ExecutionDecidedEvent } from './execution.decider';
import { joinReadiness } from './walk';

/** Joins on all, any and N of M (SPEC B2). */
const executionId = '6e5d4c3b-2a1f-4e0d-9c8b-7a6f5e4d3c2b';
const T0 = '2026-11-28T10:00:00.000Z';
const step = (id: string, join?: JoinMode): StepDefinition => ({ id, name: id, type: 'transform', config: {}, position: { x: 0, y: 0 }, errorStrategy: 'fail', ...(join !== undefined ? { join } : {}) });
const edge = (from: string, to: string): EdgeDefinition => ({ id: `${from}-${to}`, from, to });
const fanIn = (join?: JoinMode): WorkflowDefinition => ({
  ...emptyDefinition(),
  steps: [step('a'), step('b'), step('c'), step('join', join)],
  edges: [edge('a', 'join'), edge('b', 'join'), edge('c', 'join')],
});

let n = 0;
function play(events: ExecutionDecidedEvent[], command: { type: string; data: object }): ExecutionDecidedEvent[] {
  const state = events.reduce(evolveExecution, initialExecutionState());
  const metadata = { commandId: `j${++n}`, correlationId: 'c', causationId: 'c', actor: { kind: 'system' as const, id: 't' }, workspaceId: 'ws', occurredAt: T0 };
  return [...events, ...decideExecution({ ...command, data: { executionId, ...command.data }, metadata } as ExecutionCommand, state)];
}
function complete(events: ExecutionDecidedEvent[], stepId: string) {
  const run = events.reduce(evolveExecution, initialExecutionState()).steps[stepId];
  return play(events, { type: 'CompleteStep', data: { stepId, attempt: run.attempt, scheduledId: run.scheduledId, output: {}, startedAt: T0 } });
}
const joinStatus = (events: ExecutionDecidedEvent[]) => events.reduce(evolveExecution, initialExecutionState()).steps.join.status;
const start = (join?: JoinMode) => play([], { type: 'StartExecution', data: { workflowId: 'wf', version: 1, definition: fanIn(join), input: {} } });

describe('joins', () => {
  it('all: waits for every input', () => {
    let events = complete(start(), 'a');
    events = complete(events, 'b');
    expect(joinStatus(events)).toBe('pending');
    expect(joinStatus(complete(events, 'c'))).toBe('scheduled');
  });

  it('any: runs at the first input, once, while the others still run', () => {
    let events = complete(start('any'), 'b');
    expect(joinStatus(events)).toBe('scheduled');
    events = complete(events, 'a');
    const scheduledJoins = events.filter((e) => e.type === 'StepScheduled' && (e.data as { stepId: string }).stepId === 'join');
    expect(scheduledJoins).toHaveLength(1);
  });

  it('2 of 3: runs at the second input', () => {
    const events = complete(start(2), 'c');
    expect(joinStatus(events)).toBe('pending');
    expect(joinStatus(complete(events, 'a'))).toBe('scheduled');
  });

  it('decides run, skip or wait from the edge outcomes', () => {
    expect(joinReadiness(step('x', 2), ['taken', 'not_taken', 'pending'])).toBe('wait');
    expect(joinReadiness(step('x', 2), ['not_taken', 'not_taken', 'pending'])).toBe('skip');
    expect(joinReadiness(step('x', 'any'), ['not_taken', 'not_taken'])).toBe('skip');
    expect(joinReadiness(step('x', 'all'), ['taken', 'not_taken'])).toBe('run');
    expect(joinReadiness(step('x', 5), ['taken', 'taken'])).toBe('run');
    expect(joinReadiness(step('x'), [])).toBe('run');
  });
});
