import type { Projector } from './projector';
import { workflowSummaryProjector } from './workflow-summary/workflow-summary.projector';
import { userAccountProjector } from './user-account/user-account.projector';
import { workspaceMembershipProjector } from './workspace-membership/workspace-membership.projector';
import { workflowAccessProjector } from './workflow-access/workflow-access.projector';
import { workflowDefinitionProjector } from './workflow-definition/workflow-definition.projector';
import { activityProjector } from './activity/activity.projector';
import { notificationProjector } from './notification/notification.projector';
import { executionProjector } from './execution/execution.projector';
import { executionTimerProjector } from './execution-timer/execution-timer.projector';
import { approvalProjector } from './approval/approval.projector';
import { taskProjector } from './task/task.projector';

/** Every read model of the product. A new one is a folder plus a line here and a migration. */
export const allProjectors: readonly Projector[] = [
  workflowSummaryProjector,
  userAccountProjector,
  workspaceMembershipProjector,
  workflowAccessProjector,
  workflowDefinitionProjector,
  activityProjector,
  notificationProjector,
  executionProjector,
  executionTimerProjector,
  approvalProjector,
  taskProjector,
];

export function findProjector(name: string): Projector | undefined {
  return allProjectors.find((p) => p.name === name);
}

export * from './projector';
export { RETIRED_PROJECTION_QUEUES } from './retired-queues';
export { migrateReadModels } from './migrations';
