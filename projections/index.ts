import type { Projector } from './projector';
import { workflowSummaryProjector } from './workflow-summary/workflow-summary.projector';

/** Every read model of the product. A new one is a folder plus a line here and a migration. */
export const allProjectors: readonly Projector[] = [workflowSummaryProjector];

export function findProjector(name: string): Projector | undefined {
  return allProjectors.find((p) => p.name === name);
}

export * from './projector';
export { migrateReadModels } from './migrations';
