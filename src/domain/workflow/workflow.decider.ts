import type { ShareGrantee, WorkflowCommand, WorkflowDefinition, WorkflowEvent, WorkflowGraphCommand, WorkflowPermission } from '@contracts';
import { WORKFLOW_DESCRIPTION_MAX, WORKFLOW_NAME_MAX, emptyDefinition, findAction } from '@contracts';
import { DomainError, assertNever, type DecidedOf, type Decider } from '../decider';
import { decideGraph, evolveGraph, isGraphEvent } from './workflow-graph';
import { validateDefinition } from './definition.validator';
import { diffDefinitions, isEmptyDiff } from './definition-diff';

export type WorkflowDecidedEvent = DecidedOf<WorkflowEvent>;

interface Share {
  grantee: ShareGrantee;
  permission: WorkflowPermission;
}

export interface WorkflowState {
  status: 'none' | 'active' | 'archived';
  workspaceId: string;
  name: string;
  description: string;
  /** Active shares by id. */
  shares: Record<string, Share>;
  /** Public links by id (revoked ones removed). */
  links: Record<string, { expiresAt: string }>;
  /** The draft graph, edited event by event. */
  definition: WorkflowDefinition;
  /** Published graphs; version n is versions[n - 1]. */
  versions: WorkflowDefinition[];
}

export const PUBLISH_NOTE_MAX = 500;
/** Longest a public link may live. */
export const PUBLIC_LINK_MAX_DAYS = 365;

export const initialWorkflowState = (): WorkflowState => ({
  status: 'none',
  workspaceId: '',
  name: '',
  description: '',
  shares: {},
  links: {},
  definition: emptyDefinition(),
  versions: [],
});

export function evolveWorkflow(state: WorkflowState, event: WorkflowDecidedEvent): WorkflowState {
  if (isGraphEvent(event)) return { ...state, definition: evolveGraph(state.definition, event) };
  switch (event.type) {
    case 'WorkflowCreated':
      return { ...initialWorkflowState(), status: 'active', workspaceId: event.data.workspaceId, name: event.data.name, description: event.data.description };
    case 'WorkflowRenamed':
      return { ...state, name: event.data.name };
    case 'WorkflowDescriptionChanged':
      return { ...state, description: event.data.description };
    case 'WorkflowArchived':
      return { ...state, status: 'archived' };
    case 'WorkflowRestored':
      return { ...state, status: 'active' };
    case 'WorkflowShared':
      return { ...state, shares: { ...state.shares, [event.data.shareId]: { grantee: event.data.grantee, permission: event.data.permission } } };
    case 'WorkflowShareChanged': {
      const share = state.shares[event.data.shareId];
      return share ? { ...state, shares: { ...state.shares, [event.data.shareId]: { ...share, permission: event.data.permission } } } : state;
    }
    case 'WorkflowShareRevoked': {
      const { [event.data.shareId]: _revoked, ...shares } = state.shares;
      return { ...state, shares };
    }
    case 'PublicLinkCreated':
      return { ...state, links: { ...state.links, [event.data.linkId]: { expiresAt: event.data.expiresAt } } };
    case 'PublicLinkRevoked': {
      const { [event.data.linkId]: _revoked, ...links } = state.links;
      return { ...state, links };
    }
    case 'WorkflowVersionPublished':
      return { ...state, versions: [...state.versions, event.data.definition] };
    case 'WorkflowRolledBack':
      return { ...state, definition: state.versions[event.data.toVersion - 1] ?? state.definition };
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
    case 'ShareWorkflow': {
      requireExisting(state, workflowId);
      const { shareId, grantee, permission } = command.data;
      const existing = Object.values(state.shares).find((s) => s.grantee.kind === grantee.kind && s.grantee.id === grantee.id);
      if (existing) throw new DomainError('conflict', 'share-exists', `The workflow is already shared with this ${grantee.kind}; change that share instead`);
      if (state.shares[shareId]) throw new DomainError('conflict', 'share-exists', `Share ${shareId} already exists`);
      return [{ type: 'WorkflowShared', data: { workflowId, shareId, grantee, permission } }];
    }
    case 'ChangeShare': {
      requireExisting(state, workflowId);
      const share = requireShare(state, command.data.shareId);
      if (share.permission === command.data.permission) return [];
      return [
        {
          type: 'WorkflowShareChanged',
          data: { workflowId, shareId: command.data.shareId, permission: command.data.permission, previousPermission: share.permission },
        },
      ];
    }
    case 'RevokeShare':
      requireExisting(state, workflowId);
      requireShare(state, command.data.shareId);
      return [{ type: 'WorkflowShareRevoked', data: { workflowId, shareId: command.data.shareId } }];
    case 'CreatePublicLink': {
      requireExisting(state, workflowId);
      const { linkId, tokenHash, expiresAt, includeExecutions } = command.data;
      const expires = Date.parse(expiresAt);
      const now = Date.parse(command.metadata.occurredAt);
      if (!(expires > now)) throw new DomainError('rule_violated', 'link-expiry-in-past', 'A public link must expire in the future');
      if (expires - now > PUBLIC_LINK_MAX_DAYS * 86_400_000) {
        throw new DomainError('rule_violated', 'link-expiry-too-far', `A public link lives at most ${PUBLIC_LINK_MAX_DAYS} days`);
      }
      if (!/^[0-9a-f]{64}$/.test(tokenHash)) throw new DomainError('rule_violated', 'invalid-token-hash', 'The token hash must be SHA-256 hex');
      return [{ type: 'PublicLinkCreated', data: { workflowId, linkId, tokenHash, expiresAt: new Date(expires).toISOString(), includeExecutions } }];
    }
    case 'RevokePublicLink':
      requireExisting(state, workflowId);
      if (!state.links[command.data.linkId]) throw new DomainError('not_found', 'public-link-not-found', `No public link ${command.data.linkId}`);
      return [{ type: 'PublicLinkRevoked', data: { workflowId, linkId: command.data.linkId } }];
    case 'CreateWorkflowWithDefinition': {
      const { definition, requireValid: mustBeValid, ...rest } = command.data;
      const created = decideWorkflow({ ...command, type: 'CreateWorkflow', data: rest }, state);
      return [...created, ...definitionAsEvents(created, definition, command, mustBeValid)];
    }
    case 'RecordWebhookSecret': {
      requireEditable(state, workflowId);
      const { triggerId, change, fingerprint } = command.data;
      const latest = state.versions[state.versions.length - 1];
      const trigger = state.definition.triggers.find((t) => t.id === triggerId) ?? latest?.triggers.find((t) => t.id === triggerId);
      if (!trigger) throw new DomainError('not_found', 'trigger-not-found', `No trigger ${triggerId}`);
      if (trigger.kind !== 'webhook') throw new DomainError('rule_violated', 'not-a-webhook-trigger', `Trigger ${triggerId} is a ${trigger.kind} trigger; only webhook triggers have secrets`);
      if (!/^[0-9a-f]{12}$/.test(fingerprint)) throw new DomainError('rule_violated', 'invalid-fingerprint', 'A secret fingerprint is 12 hex digits');
      return [{ type: change === 'rotated' ? 'WebhookSecretRotated' : 'WebhookSecretRetired', data: { workflowId, triggerId, fingerprint } }];
    }
    case 'PublishVersion': {
      requireEditable(state, workflowId);
      const note = command.data.note.trim();
      if (note.length > PUBLISH_NOTE_MAX) throw new DomainError('rule_violated', 'note-too-long', `A note has at most ${PUBLISH_NOTE_MAX} characters`);
      requireValid(state.definition, 'The draft');
      const latest = state.versions[state.versions.length - 1];
      if (latest && isEmptyDiff(diffDefinitions(latest, state.definition))) {
        throw new DomainError('rule_violated', 'no-changes', 'The draft is the same as the latest version');
      }
      return [{ type: 'WorkflowVersionPublished', data: { workflowId, version: state.versions.length + 1, note, definition: state.definition } }];
    }
    case 'RollbackToVersion': {
      requireEditable(state, workflowId);
      const { version } = command.data;
      const target = state.versions[version - 1];
      if (!Number.isInteger(version) || !target) throw new DomainError('not_found', 'version-not-found', `No version ${version}`);
      const newVersion = state.versions.length + 1;
      return [
        { type: 'WorkflowRolledBack', data: { workflowId, toVersion: version, newVersion } },
        {
          type: 'WorkflowVersionPublished',
          data: { workflowId, version: newVersion, note: `Rollback to version ${version}`, definition: target, rolledBackFrom: version },
        },
      ];
    }
    case 'AddStep':
    case 'ConfigureStep':
    case 'RenameStep':
    case 'MoveStep':
    case 'ChangeStepPolicy':
    case 'RemoveStep':
    case 'ConnectSteps':
    case 'DisconnectSteps':
    case 'DeclareVariable':
    case 'RemoveVariable':
    case 'AddTrigger':
    case 'RemoveTrigger':
    case 'UpdateTrigger':
    case 'SetTriggerEnabled':
    case 'SetTags':
      requireEditable(state, workflowId);
      return decideGraph(command, state.definition, (type) => findAction(type) !== undefined);
    default:
      return assertNever(command);
  }
}

export const workflowDecider: Decider<WorkflowCommand, WorkflowDecidedEvent, WorkflowState> = {
  initialState: initialWorkflowState,
  evolve: evolveWorkflow,
  decide: decideWorkflow,
};

/**
 * The graph of a whole definition as the same events hand edits produce, each checked by the same
 * rules (decideGraph on the growing draft); when asked, the result must validate without errors.
 */
function definitionAsEvents(
  created: WorkflowDecidedEvent[],
  definition: WorkflowDefinition,
  command: WorkflowCommand,
  mustBeValid: boolean,
): WorkflowDecidedEvent[] {
  let state = created.reduce(evolveWorkflow, initialWorkflowState());
  const events: WorkflowDecidedEvent[] = [];
  const edit = (graphCommand: Omit<WorkflowGraphCommand, 'metadata'>) => {
    for (const event of decideWorkflow({ ...graphCommand, metadata: command.metadata } as WorkflowCommand, state)) {
      events.push(event);
      state = evolveWorkflow(state, event);
    }
  };
  const workflowId = command.data.workflowId;
  for (const variable of definition.variables) edit({ type: 'DeclareVariable', data: { workflowId, variable } });
  for (const step of definition.steps) edit({ type: 'AddStep', data: { workflowId, step } });
  for (const edge of definition.edges) edit({ type: 'ConnectSteps', data: { workflowId, edge } });
  for (const trigger of definition.triggers) edit({ type: 'AddTrigger', data: { workflowId, trigger } });
  if (definition.tags.length > 0) edit({ type: 'SetTags', data: { workflowId, tags: definition.tags } });
  if (mustBeValid) requireValid(state.definition, 'The definition');
  return events;
}

function requireValid(definition: WorkflowDefinition, what: string): void {
  const errors = validateDefinition(definition).filter((i) => i.severity === 'error');
  if (errors.length === 0) return;
  const summary = errors.slice(0, 3).map((e) => e.message).join('; ');
  throw new DomainError('rule_violated', 'definition-invalid', `${what} has ${errors.length} error(s): ${summary}`, errors);
}

function rename(state: WorkflowState, workflowId: string, raw: string): WorkflowDecidedEvent[] {
  const name = validName(raw);
  return name === state.name ? [] : [{ type: 'WorkflowRenamed', data: { workflowId, name, previousName: state.name } }];
}

function describe(state: WorkflowState, workflowId: string, raw: string): WorkflowDecidedEvent[] {
  const description = validDescription(raw);
  return description === state.description ? [] : [{ type: 'WorkflowDescriptionChanged', data: { workflowId, description } }];
}

function requireShare(state: WorkflowState, shareId: string): Share {
  const share = state.shares[shareId];
  if (!share) throw new DomainError('not_found', 'share-not-found', `No share ${shareId}`);
  return share;
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
