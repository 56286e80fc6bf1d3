import type {
  WorkflowCommand,
  WorkflowCreatedData,
  WorkflowDescriptionChangedData,
  WorkflowRenamedData,
  WorkflowArchivedData,
  WorkflowRestoredData,
} from '@contracts';
import { WORKFLOW_DESCRIPTION_MAX, WORKFLOW_NAME_MAX } from '@contracts';
import { DomainError, assertNever, type DecidedEvent, type Decider } from '../decider';

export type WorkflowDecidedEvent =
  | DecidedEvent<'WorkflowCreated', WorkflowCreatedData>
  | DecidedEvent<'WorkflowRenamed', WorkflowRenamedData>
  | DecidedEvent<'WorkflowDescriptionChanged', WorkflowDescriptionChangedData>
  | DecidedEvent<'WorkflowArchived', WorkflowArchivedData>
  | DecidedEvent<'WorkflowRestored', WorkflowRestoredData>;

export interface WorkflowState {
  status: 'none' | 'active' | 'archived';
  workspaceId: string;
  name: string;
  description: string;
}

export const initialWorkflowState = (): WorkflowState => ({ status: 'none', workspaceId: '', name: '', description: '' });

export function evolveWorkflow(state: WorkflowState, event: WorkflowDecidedEvent): WorkflowState {
  switch (event.type) {
    case 'WorkflowCreated':
      return { status: 'active', workspaceId: event.data.workspaceId, name: event.data.name, description: event.data.description };
    case 'WorkflowRenamed':
      return { ...state, name: event.data.name };
    case 'WorkflowDescriptionChanged':
      return { ...state, description: event.data.description };
    case 'WorkflowArchived':
      return { ...state, status: 'archived' };
    case 'WorkflowRestored':
      return { ...state, status: 'active' };
    default:
      // Event types added by later features do not change this state.
      return state;
  }
}

export function decideWorkflow(command: WorkflowCommand, state: WorkflowState): WorkflowDecidedEvent[] {
  const { workflowId } = command.data;
  switch (command.type) {
    case 'CreateWorkflow': {
      if (state.status !== 'none') throw new DomainError('conflict', 'workflow-exists', `Workflow ${workflowId} already exists`);
      const name = validName(command.data.name);
      const description = validDescription(command.data.description ?? '');
      return [{ type: 'WorkflowCreated', data: { workflowId, workspaceId: command.metadata.workspaceId, name, description } }];
    }
    case 'RenameWorkflow':
      requireEditable(state, workflowId);
      return rename(state, workflowId, command.data.name);
    case 'ChangeWorkflowDescription':
      requireEditable(state, workflowId);
      return describe(state, workflowId, command.data.description);
    case 'UpdateWorkflow': {
      requireEditable(state, workflowId);
      const { name, description } = command.data;
      return [
        ...(name === undefined ? [] : rename(state, workflowId, name)),
        ...(description === undefined ? [] : describe(state, workflowId, description)),
      ];
    }
    case 'ArchiveWorkflow':
      requireExisting(state, workflowId);
      return state.status === 'archived' ? [] : [{ type: 'WorkflowArchived', data: { workflowId } }];
    case 'RestoreWorkflow':
      requireExisting(state, workflowId);
      return state.status === 'active' ? [] : [{ type: 'WorkflowRestored', data: { workflowId } }];
    default:
      return assertNever(command);
  }
}

export const workflowDecider: Decider<WorkflowCommand, WorkflowDecidedEvent, WorkflowState> = {
  initialState: initialWorkflowState,
  evolve: evolveWorkflow,
  decide: decideWorkflow,
};

function rename(state: WorkflowState, workflowId: string, raw: string): WorkflowDecidedEvent[] {
  const name = validName(raw);
  return name === state.name ? [] : [{ type: 'WorkflowRenamed', data: { workflowId, name, previousName: state.name } }];
}

function describe(state: WorkflowState, workflowId: string, raw: string): WorkflowDecidedEvent[] {
  const description = validDescription(raw);
  return description === state.description ? [] : [{ type: 'WorkflowDescriptionChanged', data: { workflowId, description } }];
}

function requireExisting(state: WorkflowState, workflowId: string): void {
  if (state.status === 'none') throw new DomainError('not_found', 'workflow-not-found', `Workflow ${workflowId} does not exist`);
}

function requireEditable(state: WorkflowState, workflowId: string): void {
  requireExisting(state, workflowId);
  if (state.status === 'archived') {
    throw new DomainError('rule_violated', 'workflow-archived', `Workflow ${workflowId} is archived; restore it before editing`);
  }
}

function validName(raw: string): string {
  const name = raw.trim();
  if (name.length === 0) throw new DomainError('rule_violated', 'name-required', 'A workflow needs a name');
  if (name.length > WORKFLOW_NAME_MAX) {
    throw new DomainError('rule_violated', 'name-too-long', `A workflow name has at most ${WORKFLOW_NAME_MAX} characters`);
  }
  return name;
}

function validDescription(raw: string): string {
  const description = raw.trim();
  if (description.length > WORKFLOW_DESCRIPTION_MAX) {
    throw new DomainError('rule_violated', 'description-too-long', `A description has at most ${WORKFLOW_DESCRIPTION_MAX} characters`);
  }
  return description;
}
