import type { Command } from '../messages';
import type { WorkflowPermission } from '../accounts/roles';
import type { ShareGrantee } from './events';
import type {
  EdgeDefinition,
  ErrorStrategy,
  JoinMode,
  Position,
  RetryPolicy,
  StepDefinition,
  TriggerDefinition,
  VariableDefinition,
  WorkflowDefinition,
} from './definition';

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

// Graph edits (each a REST route under /api/workflows/:id/..., with If-Match).
type WithWorkflow<T> = { workflowId: string } & T;
export type AddStep = Command<'AddStep', WithWorkflow<{ step: StepDefinition }>>;
export type ConfigureStep = Command<'ConfigureStep', WithWorkflow<{ stepId: string; config: Record<string, unknown> }>>;
export type RenameStep = Command<'RenameStep', WithWorkflow<{ stepId: string; name: string }>>;
export type MoveStep = Command<'MoveStep', WithWorkflow<{ stepId: string; position: Position }>>;
export type ChangeStepPolicy = Command<
  'ChangeStepPolicy',
  WithWorkflow<{ stepId: string; errorStrategy: ErrorStrategy; retryPolicy?: RetryPolicy; timeoutMs?: number; join?: JoinMode }>
>;
export type RemoveStep = Command<'RemoveStep', WithWorkflow<{ stepId: string }>>;
export type ConnectSteps = Command<'ConnectSteps', WithWorkflow<{ edge: EdgeDefinition }>>;
export type DisconnectSteps = Command<'DisconnectSteps', WithWorkflow<{ edgeId: string }>>;
export type DeclareVariable = Command<'DeclareVariable', WithWorkflow<{ variable: VariableDefinition }>>;
export type RemoveVariable = Command<'RemoveVariable', WithWorkflow<{ name: string }>>;
export type AddTrigger = Command<'AddTrigger', WithWorkflow<{ trigger: TriggerDefinition }>>;
export type RemoveTrigger = Command<'RemoveTrigger', WithWorkflow<{ triggerId: string }>>;
/** Edits a trigger in place (its name, its config): it keeps its id, so a webhook keeps its address and secrets. */
export type UpdateTrigger = Command<'UpdateTrigger', WithWorkflow<{ triggerId: string; name?: string; config?: Record<string, unknown> }>>;
export type SetTags = Command<'SetTags', WithWorkflow<{ tags: string[] }>>;
/** Pause/resume a trigger: no If-Match needed, applies at once (see TriggerEnabledData). */
export type SetTriggerEnabled = Command<'SetTriggerEnabled', WithWorkflow<{ triggerId: string; enabled: boolean }>>;
/** Records that a webhook secret was added (rotate) or removed (retire); the secret stays out of the event. */
export type RecordWebhookSecret = Command<'RecordWebhookSecret', WithWorkflow<{ triggerId: string; change: 'rotated' | 'retired'; fingerprint: string }>>;
export type PublishVersion = Command<'PublishVersion', WithWorkflow<{ note: string }>>;
export type RollbackToVersion = Command<'RollbackToVersion', WithWorkflow<{ version: number }>>;

export type WorkflowGraphCommand =
  | AddStep
  | ConfigureStep
  | RenameStep
  | MoveStep
  | ChangeStepPolicy
  | RemoveStep
  | ConnectSteps
  | DisconnectSteps
  | DeclareVariable
  | RemoveVariable
  | AddTrigger
  | RemoveTrigger
  | UpdateTrigger
  | SetTriggerEnabled
  | SetTags;

/**
 * Creates a workflow with a whole definition in one atomic decision (creation in one call, import,
 * duplicate). Recorded as WorkflowCreated followed by the same fine-grained events as hand edits.
 */
export type CreateWorkflowWithDefinition = Command<
  'CreateWorkflowWithDefinition',
  {
    workflowId: string;
    name: string;
    description?: string;
    definition: WorkflowDefinition;
    /** Refuse a definition with validation errors (creation and import); a duplicate copies a draft as it is. */
    requireValid: boolean;
  }
>;

export type WorkflowCommand =
  | WorkflowGraphCommand
  | CreateWorkflowWithDefinition
  | PublishVersion
  | RollbackToVersion
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
  | RevokePublicLink
  | RecordWebhookSecret;
