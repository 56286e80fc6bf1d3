import type { EdgeDefinition, ExecutionCommand, StepDefinition, WorkflowDefinition } from '@contracts';
import { emptyDefinition } from '@contracts';
import { decideExecution, evolveExecution, initialExecutionState, type ExecutionDecidedEvent } from './execution.decider';
import { loopShapes } from '../workflow/loops';

/** Loops (SPEC B2): the body once per item, then `done`; given/when/then on the decider. */
const executionId = '5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a';
const T0 = '2026-11-28T10:00:00.000Z';
const step = (id: string, type = 'transform'): StepDefinition => ({ id, name: id, type, config: {}, position: { x: 0, y: 0 }, errorStrategy: 'fail' });
const edge = (from: string, to: string, label?: string): EdgeDefinition => ({ id: `${from}-${to}`, from, to, ...(label ? { label } : {}) });
const graph = (steps: StepDefinition[], edges: EdgeDefinition[]): WorkflowDefinition => ({ ...emptyDefinition(), steps, edges });

/** start -> each(a -> b -> back) -> done -> end */
const definition = graph(
  [step('start'), step('each', 'loop'), step('a'), step('b'), step('end')],
  [edge('start', 'each'), edge('each', 'a', 'each'), edge('a', 'b'), edge('b', 'each'), edge('each', 'end', 'done')],
);

let n = 0;
function play(events: ExecutionDecidedEvent[], command: { type: string; data: object }): ExecutionDecidedEvent[] {
  const state = events.reduce(evolveExecution, initialExecutionState());
  const metadata = { commandId: `k${++n}`, correlationId: 'c', causationId: 'c', actor: { kind: 'system' as const, id: 't' }, workspaceId: 'ws', occurredAt: T0 };
  return [...events, ...decideExecution({ ...command, data: { executionId, ...command.data }, metadata } as ExecutionCommand, state)];
}
const stateOf = (events: ExecutionDecidedEvent[]) => events.reduce(evolveExecution, initialExecutionState());
function complete(events: ExecutionDecidedEvent[], stepId: string, output: unknown = { ok: true }) {
  const run = stateOf(events).steps[stepId];
  return play(events, { type: 'CompleteStep', data: { stepId, attempt: run.attempt, scheduledId: run.scheduledId, output, startedAt: T0 } });
}
const scheduledSince = (events: ExecutionDecidedEvent[], from: number) =>
  events.slice(from).filter((e) => e.type === 'StepScheduled').map((e) => `${(e.data as { stepId: string }).stepId}@${(e.data as { iteration?: string }).iteration ?? '-'}`);

describe('loops', () => {
  it('finds the body and the back edge of a loop', () => {
    const shape = loopShapes(definition).get('each')!;
    expect([...shape.body].sort()).toEqual(['a', 'b']);
    expect([...shape.backEdges]).toEqual(['b-each']);
  });

  it('runs the body once per item, in order, each time afresh, then continues along done', () => {
    let events = play([], { type: 'StartExecution', data: { workflowId: 'wf', version: 1, definition, input: {} } });
    events = complete(events, 'start');
    let mark = events.length;
    events = complete(events, 'each', { items: ['x', 'y'], iterations: 2 });
    expect(events[mark]).toMatchObject({ type: 'StepStarted' });
    expect(events[mark + 1]).toMatchObject({ type: 'LoopIterationStarted', data: { index: 0, count: 2, items: ['x', 'y'] } });
    expect(scheduledSince(events, mark)).toEqual(['a@0']);
    events = complete(events, 'a');
    mark = events.length;
    events = complete(events, 'b');
    // The body is done for item 0: item 1 starts it afresh.
    expect(events.slice(mark).map((e) => e.type)).toEqual(['StepSucceeded', 'LoopIterationStarted', 'StepScheduled']);
    expect(scheduledSince(events, mark)).toEqual(['a@1']);
    expect(stateOf(events).steps.b.status).toBe('pending');
    events = complete(events, 'a');
    mark = events.length;
    events = complete(events, 'b');
    expect(events.slice(mark).map((e) => e.type)).toEqual(['StepSucceeded', 'StepSucceeded', 'StepScheduled']);
    expect(stateOf(events).steps.each).toMatchObject({ status: 'succeeded', output: { iterations: 2 } });
    expect(scheduledSince(events, mark)).toEqual(['end@-']);
    events = complete(events, 'end');
    expect(events.at(-1)!.type).toBe('ExecutionSucceeded');
  });

  it('skips the body of an empty list and goes straight on', () => {
    let events = play([], { type: 'StartExecution', data: { workflowId: 'wf', version: 1, definition, input: {} } });
    events = complete(events, 'start');
    const mark = events.length;
    events = complete(events, 'each', { items: [], iterations: 0 });
    expect(events.slice(mark).map((e) => e.type)).toEqual(['StepSucceeded', 'StepSkipped', 'StepSkipped', 'StepScheduled']);
    expect(scheduledSince(events, mark)).toEqual(['end@-']);
  });
});
