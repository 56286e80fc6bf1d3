import type { Command } from '../messages';

export type CreateWorkflow = Command<'CreateWorkflow', { workflowId: string; name: string; description?: string }>;
export type RenameWorkflow = Command<'RenameWorkflow', { workflowId: string; name: string }>;
export type ChangeWorkflowDescription = Command<'ChangeWorkflowDescription', { workflowId: string; description: string }>;
/** PUT /api/workflows/:id: name and/or description in one atomic change. */
export type UpdateWorkflow = Command<'UpdateWorkflow', { workflowId: string; name?: string; description?: string }>;
export type ArchiveWorkflow = Command<'ArchiveWorkflow', { workflowId: string }>;
export type RestoreWorkflow = Command<'RestoreWorkflow', { workflowId: string }>;

export type WorkflowCommand =
  | CreateWorkflow
  | RenameWorkflow
  | ChangeWorkflowDescription
  | UpdateWorkflow
  | ArchiveWorkflow
  | RestoreWorkflow;
