import type { EventEnvelope } from '../messages';

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

export type WorkflowCreated = EventEnvelope<'WorkflowCreated', WorkflowCreatedData>;
export type WorkflowRenamed = EventEnvelope<'WorkflowRenamed', WorkflowRenamedData>;
export type WorkflowDescriptionChanged = EventEnvelope<'WorkflowDescriptionChanged', WorkflowDescriptionChangedData>;
export type WorkflowArchived = EventEnvelope<'WorkflowArchived', WorkflowArchivedData>;
export type WorkflowRestored = EventEnvelope<'WorkflowRestored', WorkflowRestoredData>;

export type WorkflowEvent =
  | WorkflowCreated
  | WorkflowRenamed
  | WorkflowDescriptionChanged
  | WorkflowArchived
  | WorkflowRestored;

export type WorkflowEventType = WorkflowEvent['type'];

export const WORKFLOW_EVENT_TYPES: readonly WorkflowEventType[] = [
  'WorkflowCreated',
  'WorkflowRenamed',
  'WorkflowDescriptionChanged',
  'WorkflowArchived',
  'WorkflowRestored',
];
