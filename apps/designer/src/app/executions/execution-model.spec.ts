import type { WorkflowDefinition } from '@contracts/workflow';
import { buildInput, controlsFor, latestAttempts, marksFromDetail, marksFromState, parseSse, pinnedDefinition, runFields, type StepAttempt } from './execution-model';

const def: WorkflowDefinition = {
  steps: ['a', 'b', 'c'].map((id) => ({ id, name: id, type: 'create_task', config: {}, position: { x: 0, y: 0 }, errorStrategy: 'fail' as const })),
  edges: [],
  variables: [],
  triggers: [],
  tags: [],
};
const attempt = (stepId: string, n: number, status: string): StepAttempt => ({ stepId, attempt: n, status, input: null, output: null, error: null, startedAt: null, finishedAt: null, durationMs: null });

describe('execution model', () => {
  it('colours each step by its latest attempt; steps not reached are pending', () => {
    const marks = marksFromDetail(def, [attempt('a', 1, 'succeeded'), attempt('b', 1, 'failed'), attempt('b', 2, 'running')]);
    expect(Object.fromEntries(marks)).toEqual({ a: 'run-succeeded', b: 'run-running', c: 'run-pending' });
    expect(latestAttempts([attempt('b', 2, 'x'), attempt('b', 1, 'y')]).get('b')!.attempt).toBe(2);
  });

  it('colours the replayed state at event N the same way', () => {
    const state = { at: 4, occurredAt: null, lastEvent: null, status: 'running', version: 1, input: {}, steps: { a: { status: 'succeeded', attempt: 1, output: null, error: null }, b: { status: 'waiting', attempt: 1, output: null, error: null } } };
    expect(Object.fromEntries(marksFromState(def, state))).toEqual({ a: 'run-succeeded', b: 'run-waiting', c: 'run-pending' });
  });

  it('offers the controls a status allows', () => {
    expect(controlsFor('running')).toEqual(['pause', 'cancel']);
    expect(controlsFor('paused')).toEqual(['resume', 'cancel']);
    expect(controlsFor('failed')).toEqual(['retry']);
    expect(controlsFor('succeeded')).toEqual([]);
  });

  it('takes the pinned graph from ExecutionStarted', () => {
    expect(pinnedDefinition([{ number: 1, type: 'ExecutionStarted', data: { definition: def }, occurredAt: '' }])).toBe(def);
    expect(pinnedDefinition([])).toBeNull();
  });

  it('parses Server-Sent Events across chunk boundaries, skipping heartbeats', () => {
    const first = parseSse('id: 1\nevent: StepStarted\ndata: {"number":1}\n\n: keep-alive\n\nevent: Step');
    expect(first.messages).toEqual([{ event: 'StepStarted', data: '{"number":1}', id: '1' }]);
    const second = parseSse(first.rest + 'Succeeded\ndata: {"number":2}\r\n\r\n');
    expect(second.messages).toEqual([{ event: 'StepSucceeded', data: '{"number":2}' }]);
    expect(second.rest).toBe('');
  });

  it('builds the run form from variables and the input from what was typed', () => {
    const fields = runFields([
      { name: 'customer', type: 'string', required: true },
      { name: 'amount', type: 'number', required: false, default: 10 },
      { name: 'vip', type: 'boolean', required: false, default: true },
      { name: 'items', type: 'array', required: false },
    ]);
    expect(fields.map((f) => [f.name, f.initial])).toEqual([['customer', ''], ['amount', '10'], ['vip', true], ['items', '']]);
    expect(buildInput(fields, { customer: '', amount: 'x', vip: false, items: '{"a":1}' }).problems).toEqual({
      customer: 'customer is required',
      amount: 'Enter a number',
      items: 'Enter a JSON list, e.g. ["a", "b"]',
    });
    expect(buildInput(fields, { customer: 'Ada', amount: '12.5', vip: true, items: '["x"]' })).toEqual({ input: { customer: 'Ada', amount: 12.5, vip: true, items: ['x'] }, problems: {} });
  });
});
