import { SetMetadata } from '@nestjs/common';
import type { WorkflowPermission, WorkspaceRole } from '@contracts';

export const ACCESS_RULE = 'bluebird:access';

/**
 * Who may call a route, declared on the route and checked in ONE place (AccessGuard):
 * - `{ signedIn: true }`: any signed-in user;
 * - `{ workspace: role }`: at least this role in the request's workspace (the `workspaceParam` route
 *   parameter, else with `workspaceInBody` the body's `workspaceId`/`workspace_id`, else the
 *   `X-Workspace-Id` header, else the caller's first workspace; a number N names the caller's N-th);
 * - `{ workflow: permission }`: at least this permission on the workflow in route parameter `id`
 *   (from the caller's role in its workspace or a share to them or one of their teams); with
 *   `inBody` the workflow is the body's `workflowId` instead;
 * - `{ execution: permission }`: that permission on the workflow the execution in route
 *   parameter `executionId` runs (looked up in the event store, so a run just started is found).
 * Every route that is not @Public() must carry one: the guard refuses routes without a rule.
 */
export type AccessRule =
  | { signedIn: true }
  | { workspace: WorkspaceRole; workspaceParam?: string; workspaceInBody?: boolean }
  | { workflow: WorkflowPermission; param?: string; inBody?: boolean }
  | { execution: WorkflowPermission; param?: string };

export const Access = (rule: AccessRule) => SetMetadata(ACCESS_RULE, rule);
