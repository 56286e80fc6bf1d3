/** Client-side ordering of one page of workflows (the API pages newest first). Pure, tested in workflow-sort.spec.ts. */
export type WorkflowSort = 'updated' | 'name' | 'steps' | 'version';

interface Sortable {
  name: string;
  updatedAt: string;
  stepCount: number;
  version: number;
}

export function sortWorkflows<T extends Sortable>(items: readonly T[], sort: WorkflowSort): T[] {
  const copy = [...items];
  switch (sort) {
    case 'name':
      return copy.sort((a, b) => a.name.localeCompare(b.name, undefined, { sensitivity: 'base' }));
    case 'steps':
      return copy.sort((a, b) => b.stepCount - a.stepCount || a.name.localeCompare(b.name));
    case 'version':
      return copy.sort((a, b) => b.version - a.version || a.name.localeCompare(b.name));
    case 'updated':
    default:
      return copy.sort((a, b) => Date.parse(b.updatedAt) - Date.parse(a.updatedAt));
  }
}
