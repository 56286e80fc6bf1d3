import type { StepDefinition, WorkflowDefinition } from '@contracts/workflow';
import { diffView, isEmptyDiff, type VersionDiff } from './diff-highlight';

const step = (id: string): StepDefinition => ({ id, name: id, type: 'create_task', config: { title: id }, position: { x: 0, y: 0 }, errorStrategy: 'fail' });
const none = () => ({ added: [], removed: [], changed: [] });

describe('diff highlighting on the canvas', () => {
  const v2: WorkflowDefinition = { steps: [step('a'), step('c'), step('d')], edges: [{ id: 'ac', from: 'a', to: 'c' }, { id: 'cd', from: 'c', to: 'd' }], variables: [], triggers: [], tags: [] };
  const diff: VersionDiff = {
    from: 1,
    to: 2,
    steps: {
      added: [step('d')],
      removed: [{ ...step('b'), position: { x: 300, y: 40 } }],
      changed: [
        { id: 'a', fields: [{ field: 'config.title', before: 'x', after: 'a' }] },
        { id: 'c', fields: [{ field: 'position', before: { x: 1, y: 1 }, after: { x: 0, y: 0 } }] },
      ],
    },
    edges: { added: [{ id: 'ac', from: 'a', to: 'c' }, { id: 'cd', from: 'c', to: 'd' }], removed: [{ id: 'ab', from: 'a', to: 'b' }, { id: 'bx', from: 'b', to: 'gone' }], changed: [] },
    variables: { added: [{ name: 'amount' }], removed: [], changed: [] },
    triggers: none(),
    tags: { added: [], removed: [] },
  };

  it('marks added, changed, moved and removed steps and edges', () => {
    const view = diffView(diff, v2);
    expect(Object.fromEntries(view.steps)).toEqual({ d: 'added', a: 'changed', c: 'moved', b: 'removed' });
    expect(view.edges.get('ac')).toBe('added');
    expect(view.edges.get('ab')).toBe('removed');
    expect(view.changedFields.get('a')).toEqual(['config.title']);
  });

  it('draws removed steps as ghosts where they were, and only removed edges whose ends are drawn', () => {
    const view = diffView(diff, v2);
    expect(view.definition.steps.map((s) => s.id)).toEqual(['a', 'c', 'd', 'b']);
    expect(view.definition.steps.find((s) => s.id === 'b')!.position).toEqual({ x: 300, y: 40 });
    expect(view.definition.edges.map((e) => e.id)).toEqual(['ac', 'cd', 'ab']);
  });

  it('sums it up for the banner', () => {
    expect(diffView(diff, v2).summary).toEqual({ added: 1, changed: 2, removed: 1, edgesAdded: 2, edgesRemoved: 2, other: ['1 variable added'] });
    expect(isEmptyDiff(diff)).toBe(false);
    expect(isEmptyDiff({ ...diff, steps: none(), edges: none(), variables: none() })).toBe(true);
  });
});
