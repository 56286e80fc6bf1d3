import type { StepDefinition, WorkflowDefinition } from '@contracts/workflow';
import { applyOp, applyOps, connectionFromPorts, EditHistory, inverseOfAll, inPort, newStepId, outPort, parsePort, toHttp, type GraphOp } from './graph-state';

const step = (id: string, x = 0): StepDefinition => ({ id, name: id, type: 'create_task', config: { title: id }, position: { x, y: 0 }, errorStrategy: 'fail' });
const base = (): WorkflowDefinition => ({
  steps: [step('a'), step('b', 300), step('c', 600)],
  edges: [
    { id: 'ab', from: 'a', to: 'b' },
    { id: 'bc', from: 'b', to: 'c' },
  ],
  variables: [{ name: 'customer', type: 'string', required: true }],
  triggers: [],
  tags: ['sales'],
});

describe('graph state', () => {
  it('removing a step removes its edges too, as the server does', () => {
    const d = applyOp(base(), { kind: 'removeStep', stepId: 'b' });
    expect(d.steps.map((s) => s.id)).toEqual(['a', 'c']);
    expect(d.edges).toEqual([]);
  });

  it('undoing a removal brings back the step and every edge it had', () => {
    const before = base();
    const ops: GraphOp[] = [{ kind: 'removeStep', stepId: 'b' }];
    const after = applyOps(before, ops);
    const undone = applyOps(after, inverseOfAll(before, ops));
    expect(undone.steps.map((s) => s.id).sort()).toEqual(['a', 'b', 'c']);
    expect(undone.edges.map((e) => e.id).sort()).toEqual(['ab', 'bc']);
  });

  it.each<[string, GraphOp[]]>([
    ['move', [{ kind: 'moveStep', stepId: 'a', position: { x: 40, y: 80 } }]],
    ['configure', [{ kind: 'configureStep', stepId: 'a', config: { title: 'New' } }]],
    ['rename', [{ kind: 'renameStep', stepId: 'c', name: 'Last' }]],
    ['policy', [{ kind: 'setPolicy', stepId: 'a', errorStrategy: 'continue', timeoutMs: 5000 }]],
    ['connect', [{ kind: 'connect', edge: { id: 'ac', from: 'a', to: 'c' } }]],
    ['disconnect', [{ kind: 'disconnect', edgeId: 'ab' }]],
    ['declare new', [{ kind: 'declareVariable', variable: { name: 'amount', type: 'number', required: false } }]],
    ['redeclare', [{ kind: 'declareVariable', variable: { name: 'customer', type: 'object', required: false } }]],
    ['remove variable', [{ kind: 'removeVariable', name: 'customer' }]],
    ['tags', [{ kind: 'setTags', tags: ['Ops', 'ops', ' hr '] }]],
    [
      'a batch (add, connect, move)',
      [
        { kind: 'addStep', step: step('d', 900) },
        { kind: 'connect', edge: { id: 'cd', from: 'c', to: 'd' } },
        { kind: 'moveStep', stepId: 'd', position: { x: 1000, y: 50 } },
      ],
    ],
  ])('%s is undone exactly by its inverse', (_name, ops) => {
    const before = base();
    const after = applyOps(before, ops);
    expect(after).not.toEqual(before);
    const back = applyOps(after, inverseOfAll(before, ops));
    const norm = (d: WorkflowDefinition) => ({ ...d, steps: [...d.steps].sort((x, y) => x.id.localeCompare(y.id)), edges: [...d.edges].sort((x, y) => x.id.localeCompare(y.id)) });
    expect(norm(back)).toEqual(norm(before));
  });

  it('sends each edit as its own command of the graph API', () => {
    expect(toHttp('w1', { kind: 'addStep', step: step('a') })).toEqual({
      method: 'POST',
      url: '/api/workflows/w1/steps',
      body: { id: 'a', name: 'a', type: 'create_task', config: { title: 'a' }, position: { x: 0, y: 0 }, errorStrategy: 'fail' },
    });
    expect(toHttp('w1', { kind: 'moveStep', stepId: 'a', position: { x: 10.4, y: 20.6 } })).toEqual({ method: 'PUT', url: '/api/workflows/w1/steps/a/position', body: { x: 10, y: 21 } });
    expect(toHttp('w1', { kind: 'configureStep', stepId: 'a', config: { title: 't' } })).toEqual({ method: 'PUT', url: '/api/workflows/w1/steps/a/config', body: { config: { title: 't' } } });
    expect(toHttp('w1', { kind: 'removeStep', stepId: 'a' })).toEqual({ method: 'DELETE', url: '/api/workflows/w1/steps/a' });
    expect(toHttp('w1', { kind: 'connect', edge: { id: 'e', from: 'a', to: 'b', label: 'true' } })).toEqual({
      method: 'POST',
      url: '/api/workflows/w1/edges',
      body: { id: 'e', from: 'a', to: 'b', label: 'true' },
    });
    expect(toHttp('w1', { kind: 'setPolicy', stepId: 'a', errorStrategy: 'fail' })).toEqual({ method: 'PUT', url: '/api/workflows/w1/steps/a/policy', body: { errorStrategy: 'fail' } });
    expect(toHttp('w1', { kind: 'declareVariable', variable: { name: 'n', type: 'number', required: true, default: 0 } })).toEqual({
      method: 'PUT',
      url: '/api/workflows/w1/variables/n',
      body: { type: 'number', required: true, default: 0 },
    });
  });

  it('turns a drag between ports into a connection, and refuses what the server would refuse', () => {
    const d = base();
    expect(connectionFromPorts(d, outPort('a'), inPort('c'))).toEqual({ kind: 'connect', edge: { id: 'e_a_c', from: 'a', to: 'c' } });
    expect(connectionFromPorts(d, outPort('a', 'true'), inPort('c'))).toMatchObject({ edge: { from: 'a', to: 'c', label: 'true' } });
    expect(connectionFromPorts(d, outPort('a'), inPort('b'))).toBe('Those steps are already connected');
    expect(connectionFromPorts(d, outPort('a'), inPort('a'))).toMatch(/itself/);
    expect(connectionFromPorts(d, outPort('a'), undefined)).toMatch(/input/);
    expect(parsePort(outPort('send_email_1', 'error'))).toEqual({ dir: 'out', stepId: 'send_email_1', label: 'error' });
  });

  it('gives new steps readable, free ids', () => {
    expect(newStepId(base(), 'create_task')).toBe('create_task_1');
    const d = applyOp(base(), { kind: 'addStep', step: { ...step('create_task_1'), type: 'create_task' } });
    expect(newStepId(d, 'create_task')).toBe('create_task_2');
  });

  it('keeps undo and redo stacks, and a new edit clears redo', () => {
    const h = new EditHistory();
    let d = base();
    const edit = (label: string, ops: GraphOp[]) => {
      h.record(label, d, ops);
      d = applyOps(d, ops);
    };
    edit('move a', [{ kind: 'moveStep', stepId: 'a', position: { x: 5, y: 5 } }]);
    edit('rename b', [{ kind: 'renameStep', stepId: 'b', name: 'B' }]);
    const undo = h.undo()!;
    expect(undo.label).toBe('rename b');
    d = applyOps(d, undo.inverse);
    expect(d.steps[1]!.name).toBe('b');
    expect(h.canRedo).toBe(true);
    edit('rename c', [{ kind: 'renameStep', stepId: 'c', name: 'C' }]);
    expect(h.canRedo).toBe(false);
    expect(h.nextUndoLabel).toBe('rename c');
  });
});
