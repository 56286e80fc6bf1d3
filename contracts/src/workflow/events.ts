import type { EventEnvelope } from '../messages';
import type { WorkflowPermission } from '../accounts/roles';
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

export const WORKFLOW_NAME_MAX = 200;
export const WORKFLOW_DESCRIPTION_MAX = 5000;

export type WorkflowStatus = 'active' | 'archived';

export interface WorkflowCreatedData {
  workflowId: string;
  workspaceId: string;
  name: string;
  description: string;
}
export interface WorkflowRenamedData {
  workflowId: string;
  name: string;
  previousName: string;
}
export interface WorkflowDescriptionChangedData {
  workflowId: string;
  description: string;
}
export interface WorkflowArchivedData {
  workflowId: string;
}
export interface WorkflowRestoredData {
  workflowId: string;
}

export interface ShareGrantee {
  kind: 'user' | 'team';
  id: string;
}
export interface WorkflowSharedData {
  workflowId: string;
  shareId: string;
  grantee: ShareGrantee;
  permission: WorkflowPermission;
}
export interface WorkflowShareChangedData {
  workflowId: string;
  shareId: string;
  permission: WorkflowPermission;
  previousPermission: WorkflowPermission;
}
export interface WorkflowShareRevokedData {
  workflowId: string;
  shareId: string;
}
export interface PublicLinkCreatedData {
  workflowId: string;
  linkId: string;
  /** SHA-256 of the token, hex. The token itself is shown once and never stored. */
  tokenHash: string;
  expiresAt: string;
  includeExecutions: boolean;
}
export interface PublicLinkRevokedData {
  workflowId: string;
  linkId: string;
}

// The graph: fine-grained edit events.
export interface StepAddedData {
  workflowId: string;
  step: StepDefinition;
}
export interface StepConfiguredData {
  workflowId: string;
  stepId: string;
  config: Record<string, unknown>;
}
export interface StepRenamedData {
  workflowId: string;
  stepId: string;
  name: string;
}
export interface StepMovedData {
  workflowId: string;
  stepId: string;
  position: Position;
}
export interface StepPolicyChangedData {
  workflowId: string;
  stepId: string;
  errorStrategy: ErrorStrategy;
  retryPolicy?: RetryPolicy;
  timeoutMs?: number;
  join?: JoinMode;
}
export interface StepRemovedData {
  workflowId: string;
  stepId: string;
}
export interface StepsConnectedData {
  workflowId: string;
  edge: EdgeDefinition;
}
export interface StepsDisconnectedData {
  workflowId: string;
  edgeId: string;
}
export interface VariableDeclaredData {
  workflowId: string;
  variable: VariableDefinition;
}
export interface VariableRemovedData {
  workflowId: string;
  name: string;
}
export interface TriggerAddedData {
  workflowId: string;
  trigger: TriggerDefinition;
}
export interface TriggerRemovedData {
  workflowId: string;
  triggerId: string;
}
/** A trigger edited in place: its name and config as they are now, and as they were. */
export interface TriggerUpdatedData {
  workflowId: string;
  triggerId: string;
  name: string;
  config: Record<string, unknown>;
  previous: { name: string; config: Record<string, unknown> };
}
/** A trigger switched on or off (SPEC C2 pause/resume). Edits the draft and applies at once to the published version. */
export interface TriggerEnabledData {
  workflowId: string;
  triggerId: string;
}
export interface TriggerDisabledData {
  workflowId: string;
  triggerId: string;
}
/**
 * A webhook trigger's secrets changed. The secret itself is never in an event (events are read by
 * history, activity and exports): it lives in the `webhook_endpoint` table; the event records the
 * fact and a short fingerprint (first 12 hex of its SHA-256) so audits can tell secrets apart.
 */
export interface WebhookSecretRotatedData {
  workflowId: string;
  triggerId: string;
  fingerprint: string;
}
export interface WebhookSecretRetiredData {
  workflowId: string;
  triggerId: string;
  fingerprint: string;
}
export interface WorkflowTagsChangedData {
  workflowId: string;
  tags: string[];
}
export interface WorkflowVersionPublishedData {
  workflowId: string;
  version: number;
  note: string;
  /** The published graph, frozen: executions pin it. */
  definition: WorkflowDefinition;
  /** Set when this version republishes an older one (a rollback). */
  rolledBackFrom?: number;
}
export interface WorkflowRolledBackData {
  workflowId: string;
  toVersion: number;
  /** The new version that republishes version `toVersion`'s graph. */
  newVersion: number;
}

export type WorkflowCreated = EventEnvelope<'WorkflowCreated', WorkflowCreatedData>;
export type WorkflowRenamed = EventEnvelope<'WorkflowRenamed', WorkflowRenamedData>;
export type WorkflowDescriptionChanged = EventEnvelope<'WorkflowDescriptionChanged', WorkflowDescriptionChangedData>;
export type WorkflowArchived = EventEnvelope<'WorkflowArchived', WorkflowArchivedData>;
export type WorkflowRestored = EventEnvelope<'WorkflowRestored', WorkflowRestoredData>;

export type WorkflowShared = EventEnvelope<'WorkflowShared', WorkflowSharedData>;
export type WorkflowShareChanged = EventEnvelope<'WorkflowShareChanged', WorkflowShareChangedData>;
export type WorkflowShareRevoked = EventEnvelope<'WorkflowShareRevoked', WorkflowShareRevokedData>;
export type PublicLinkCreated = EventEnvelope<'PublicLinkCreated', PublicLinkCreatedData>;
export type PublicLinkRevoked = EventEnvelope<'PublicLinkRevoked', PublicLinkRevokedData>;

export type StepAdded = EventEnvelope<'StepAdded', StepAddedData>;
export type StepConfigured = EventEnvelope<'StepConfigured', StepConfiguredData>;
export type StepRenamed = EventEnvelope<'StepRenamed', StepRenamedData>;
export type StepMoved = EventEnvelope<'StepMoved', StepMovedData>;
export type StepPolicyChanged = EventEnvelope<'StepPolicyChanged', StepPolicyChangedData>;
export type StepRemoved = EventEnvelope<'StepRemoved', StepRemovedData>;
export type StepsConnected = EventEnvelope<'StepsConnected', StepsConnectedData>;
export type StepsDisconnected = EventEnvelope<'StepsDisconnected', StepsDisconnectedData>;
export type VariableDeclared = EventEnvelope<'VariableDeclared', VariableDeclaredData>;
export type VariableRemoved = EventEnvelope<'VariableRemoved', VariableRemovedData>;
export type TriggerAdded = EventEnvelope<'TriggerAdded', TriggerAddedData>;
export type TriggerRemoved = EventEnvelope<'TriggerRemoved', TriggerRemovedData>;
export type TriggerUpdated = EventEnvelope<'TriggerUpdated', TriggerUpdatedData>;
export type WorkflowTagsChanged = EventEnvelope<'WorkflowTagsChanged', WorkflowTagsChangedData>;
export type TriggerEnabled = EventEnvelope<'TriggerEnabled', TriggerEnabledData>;
export type TriggerDisabled = EventEnvelope<'TriggerDisabled', TriggerDisabledData>;
export type WebhookSecretRotated = EventEnvelope<'WebhookSecretRotated', WebhookSecretRotatedData>;
export type WebhookSecretRetired = EventEnvelope<'WebhookSecretRetired', WebhookSecretRetiredData>;
export type WorkflowVersionPublished = EventEnvelope<'WorkflowVersionPublished', WorkflowVersionPublishedData>;
export type WorkflowRolledBack = EventEnvelope<'WorkflowRolledBack', WorkflowRolledBackData>;

/** Events that edit the draft graph. */
export type WorkflowGraphEvent =
  | StepAdded
  | StepConfigured
  | StepRenamed
  | StepMoved
  | StepPolicyChanged
  | StepRemoved
  | StepsConnected
  | StepsDisconnected
  | VariableDeclared
  | VariableRemoved
  | TriggerAdded
  | TriggerRemoved
  | TriggerUpdated
  | TriggerEnabled
  | TriggerDisabled
  | WorkflowTagsChanged;

export type WorkflowEvent =
  | WorkflowGraphEvent
  | WorkflowVersionPublished
  | WorkflowRolledBack
  | WorkflowCreated
  | WorkflowRenamed
  | WorkflowDescriptionChanged
  | WorkflowArchived
  | WorkflowRestored
  | WorkflowShared
  | WorkflowShareChanged
  | WorkflowShareRevoked
  | PublicLinkCreated
  | PublicLinkRevoked
  | WebhookSecretRotated
  | WebhookSecretRetired;

export type WorkflowEventType = WorkflowEvent['type'];

export const WORKFLOW_EVENT_TYPES: readonly WorkflowEventType[] = [
  'WorkflowCreated',
  'WorkflowRenamed',
  'WorkflowDescriptionChanged',
  'WorkflowArchived',
  'WorkflowRestored',
  'WorkflowShared',
  'WorkflowShareChanged',
  'WorkflowShareRevoked',
  'PublicLinkCreated',
  'PublicLinkRevoked',
  'StepAdded',
  'StepConfigured',
  'StepRenamed',
  'StepMoved',
  'StepPolicyChanged',
  'StepRemoved',
  'StepsConnected',
  'StepsDisconnected',
  'VariableDeclared',
  'VariableRemoved',
  'TriggerAdded',
  'TriggerRemoved',
  'TriggerUpdated',
  'TriggerEnabled',
  'TriggerDisabled',
  'WebhookSecretRotated',
  'WebhookSecretRetired',
  'WorkflowTagsChanged',
  'WorkflowVersionPublished',
  'WorkflowRolledBack',
];
