import type { EventEnvelope } from '../messages';
import type { WorkflowPermission } from '../accounts/roles';

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

export type WorkflowEvent =
  | WorkflowCreated
  | WorkflowRenamed
  | WorkflowDescriptionChanged
  | WorkflowArchived
  | WorkflowRestored
  | WorkflowShared
  | WorkflowShareChanged
  | WorkflowShareRevoked
  | PublicLinkCreated
  | PublicLinkRevoked;

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
];
