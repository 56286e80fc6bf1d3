import { sortWorkflows } from './workflow-sort';

describe('sorting a page of workflows', () => {
  const rows = [
    { name: 'beta', updatedAt: '2025-01-02T00:00:00Z', stepCount: 3, version: 1 },
    { name: 'Alpha', updatedAt: '2025-01-03T00:00:00Z', stepCount: 1, version: 4 },
    { name: 'gamma', updatedAt: '2025-01-01T00:00:00Z', stepCount: 9, version: 0 },
  ];
  it.each([
    ['updated', ['Alpha', 'beta', 'gamma']],
    ['name', ['Alpha', 'beta', 'gamma']],
    ['steps', ['gamma', 'beta', 'Alpha']],
    ['version', ['Alpha', 'beta', 'gamma']],
  ] as const)('by %s', (sort, names) => {
    expect(sortWorkflows(rows, sort).map((r) => r.name)).toEqual(names);
  });
});
