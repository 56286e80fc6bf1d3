import type { Command } from '../messages';
import type { WorkflowPermission } from '../accounts/roles';
import type { ShareGrantee } from './events';

export type CreateWorkflow = Command<'CreateWorkflow', { workflowId: string; name: string; description?: string }>;
export type RenameWorkflow = Command<'RenameWorkflow', { workflowId: string; name: string }>;
export type ChangeWorkflowDescription = Command<'ChangeWorkflowDescription', { workflowId: string; description: string }>;
/** PUT /api/workflows/:id: name and/or description in one atomic change. */
export type UpdateWorkflow = Command<'UpdateWorkflow', { workflowId: string; name?: string; description?: string }>;
export type ArchiveWorkflow = Command<'ArchiveWorkflow', { workflowId: string }>;
export type RestoreWorkflow = Command<'RestoreWorkflow', { workflowId: string }>;

export type ShareWorkflow = Command<'ShareWorkflow', { workflowId: string; shareId: string; grantee: ShareGrantee; permission: WorkflowPermission }>;
export type ChangeShare = Command<'ChangeShare', { workflowId: string; shareId: string; permission: WorkflowPermission }>;
export type RevokeShare = Command<'RevokeShare', { workflowId: string; shareId: string }>;
export type CreatePublicLink = Command<
  'CreatePublicLink',
  { workflowId: string; linkId: string; tokenHash: string; expiresAt: string; includeExecutions: boolean }
>;
export type RevokePublicLink = Command<'RevokePublicLink', { workflowId: string; linkId: string }>;

export type WorkflowCommand =
  | CreateWorkflow
  | RenameWorkflow
  | ChangeWorkflowDescription
  | UpdateWorkflow
  | ArchiveWorkflow
  | RestoreWorkflow
  | ShareWorkflow
  | ChangeShare
  | RevokeShare
  | CreatePublicLink
  | RevokePublicLink;
