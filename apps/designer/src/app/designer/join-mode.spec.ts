import type { StepDefinition, WorkflowDefinition } from '@contracts/workflow';
import { applyOp, inverseOfAll, toHttp, applyOps, type GraphOp } from './graph-state';
import { describeJoin, incomingCount, joinChoice, joinFrom } from './join-mode';

const step = (id: string, extra: Partial<StepDefinition> = {}): StepDefinition => ({
  id,
  name: id,
  type: 'create_task',
  config: { title: id },
  position: { x: 0, y: 0 },
  errorStrategy: 'fail',
  ...extra,
});
const diamond = (): WorkflowDefinition => ({
  steps: [step('a'), step('b'), step('c'), step('d', { join: 'any' })],
  edges: [
    { id: 'ab', from: 'a', to: 'b' },
    { id: 'ac', from: 'a', to: 'c' },
    { id: 'bd', from: 'b', to: 'd' },
    { id: 'cd', from: 'c', to: 'd' },
  ],
  variables: [],
  triggers: [],
  tags: [],
});

describe('join mode', () => {
  it('counts incoming connections', () => {
    expect(incomingCount(diamond(), 'd')).toBe(2);
    expect(incomingCount(diamond(), 'b')).toBe(1);
    expect(incomingCount(diamond(), 'a')).toBe(0);
  });

  it('maps the join to a choice and back; all is the default and sent as absent', () => {
    expect([undefined, 'all', 'any', 2].map((j) => joinChoice(j as never))).toEqual(['all', 'all', 'any', 'count']);
    expect(joinFrom('all', 2, 3)).toBeUndefined();
    expect(joinFrom('any', 2, 3)).toBe('any');
    expect(joinFrom('count', '2', 3)).toBe(2);
    expect(joinFrom('count', 9, 3)).toBe(3);
    expect(joinFrom('count', 0, 3)).toBe(2);
    expect(joinFrom('count', 'x', 1)).toBe(1);
  });

  it('says when the step runs', () => {
    expect(describeJoin(undefined, 3)).toMatch(/all 3 incoming paths/);
    expect(describeJoin('any', 3)).toMatch(/one incoming path/);
    expect(describeJoin(2, 3)).toMatch(/2 of its 3/);
  });

  it('is sent with the step policy and undone like the rest of it', () => {
    const op: GraphOp = { kind: 'setPolicy', stepId: 'd', errorStrategy: 'fail', join: 2 };
    expect(toHttp('w1', op)).toEqual({ method: 'PUT', url: '/api/workflows/w1/steps/d/policy', body: { errorStrategy: 'fail', join: 2 } });
    const before = diamond();
    const after = applyOp(before, op);
    expect(after.steps.find((s) => s.id === 'd')!.join).toBe(2);
    expect(applyOps(after, inverseOfAll(before, [op]))).toEqual(before);
  });

  it('a policy edit without a join resets it, as the server does', () => {
    const after = applyOp(diamond(), { kind: 'setPolicy', stepId: 'd', errorStrategy: 'continue' });
    expect(after.steps.find((s) => s.id === 'd')!.join).toBeUndefined();
  });

  it('re-adding a removed step (undo) sends its join too', () => {
    expect(toHttp('w1', { kind: 'addStep', step: step('d', { join: 'any' }) }).body).toMatchObject({ join: 'any' });
  });
});
