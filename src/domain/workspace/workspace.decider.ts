import type { NotificationPostedData, PostNotification, WorkspaceCommand, WorkspaceEvent, WorkspaceRole } from '@contracts';
import {
  NOTIFICATION_LEVELS,
  NOTIFICATION_MESSAGE_MAX,
  NOTIFICATION_RECIPIENTS_MAX,
  NOTIFICATION_TITLE_MAX,
  TEAM_NAME_MAX,
  WORKSPACE_NAME_MAX,
  isUuid,
} from '@contracts';
import { DomainError, assertNever, type DecidedOf, type Decider } from '../decider';

export type WorkspaceDecidedEvent = DecidedOf<WorkspaceEvent>;

export interface WorkspaceState {
  exists: boolean;
  members: Record<string, WorkspaceRole>;
  teams: Record<string, { name: string; members: string[] }>;
}

export const initialWorkspaceState = (): WorkspaceState => ({ exists: false, members: {}, teams: {} });

export function evolveWorkspace(state: WorkspaceState, event: WorkspaceDecidedEvent): WorkspaceState {
  switch (event.type) {
    case 'WorkspaceCreated':
      return { ...state, exists: true };
    case 'MemberAdded':
    case 'MemberRoleChanged':
      return { ...state, members: { ...state.members, [event.data.userId]: event.data.role } };
    case 'MemberRemoved': {
      const { [event.data.userId]: _gone, ...members } = state.members;
      return { ...state, members };
    }
    case 'TeamCreated':
      return { ...state, teams: { ...state.teams, [event.data.teamId]: { name: event.data.name, members: [] } } };
    case 'TeamDeleted': {
      const { [event.data.teamId]: _gone, ...teams } = state.teams;
      return { ...state, teams };
    }
    case 'TeamMemberAdded': {
      const team = state.teams[event.data.teamId];
      return team ? { ...state, teams: { ...state.teams, [event.data.teamId]: { ...team, members: [...team.members, event.data.userId] } } } : state;
    }
    case 'TeamMemberRemoved': {
      const { teamId, userId } = event.data;
      const team = state.teams[teamId];
      return team ? { ...state, teams: { ...state.teams, [teamId]: { ...team, members: team.members.filter((m) => m !== userId) } } } : state;
    }
    default:
      return state;
  }
}

export function decideWorkspace(command: WorkspaceCommand, state: WorkspaceState): WorkspaceDecidedEvent[] {
  const { workspaceId } = command.data;
  if (command.type !== 'CreateWorkspace' && !state.exists) throw new DomainError('not_found', 'workspace-not-found', `No workspace ${workspaceId}`);
  switch (command.type) {
    case 'CreateWorkspace': {
      if (state.exists) throw new DomainError('conflict', 'workspace-exists', `Workspace ${workspaceId} already exists`);
      const name = validName(command.data.name, WORKSPACE_NAME_MAX, 'workspace');
      return [
        { type: 'WorkspaceCreated', data: { workspaceId, name, ownerId: command.data.ownerId } },
        { type: 'MemberAdded', data: { workspaceId, userId: command.data.ownerId, role: 'owner' } },
      ];
    }
    case 'AddMember':
      if (state.members[command.data.userId]) throw new DomainError('conflict', 'already-member', 'That user is already a member');
      return [{ type: 'MemberAdded', data: { workspaceId, userId: command.data.userId, role: command.data.role } }];
    case 'ChangeMemberRole': {
      const { userId, role } = command.data;
      const previousRole = requireMember(state, userId);
      if (previousRole === role) return [];
      if (previousRole === 'owner') requireAnotherOwner(state, userId);
      return [{ type: 'MemberRoleChanged', data: { workspaceId, userId, role, previousRole } }];
    }
    case 'RemoveMember': {
      const { userId } = command.data;
      if (requireMember(state, userId) === 'owner') requireAnotherOwner(state, userId);
      const teamExits: WorkspaceDecidedEvent[] = Object.entries(state.teams)
        .filter(([, team]) => team.members.includes(userId))
        .map(([teamId]) => ({ type: 'TeamMemberRemoved', data: { workspaceId, teamId, userId } }));
      return [...teamExits, { type: 'MemberRemoved', data: { workspaceId, userId } }];
    }
    case 'CreateTeam': {
      const name = validName(command.data.name, TEAM_NAME_MAX, 'team');
      if (state.teams[command.data.teamId] || Object.values(state.teams).some((t) => t.name.toLowerCase() === name.toLowerCase())) {
        throw new DomainError('conflict', 'team-exists', `A team named ${name} already exists`);
      }
      return [{ type: 'TeamCreated', data: { workspaceId, teamId: command.data.teamId, name } }];
    }
    case 'DeleteTeam':
      requireTeam(state, command.data.teamId);
      return [{ type: 'TeamDeleted', data: { workspaceId, teamId: command.data.teamId } }];
    case 'AddTeamMember': {
      const { teamId, userId } = command.data;
      const team = requireTeam(state, teamId);
      if (!state.members[userId]) throw new DomainError('rule_violated', 'not-a-member', 'Only workspace members can join its teams');
      return team.members.includes(userId) ? [] : [{ type: 'TeamMemberAdded', data: { workspaceId, teamId, userId } }];
    }
    case 'RemoveTeamMember': {
      const { teamId, userId } = command.data;
      if (!requireTeam(state, teamId).members.includes(userId)) {
        throw new DomainError('not_found', 'team-member-not-found', 'That user is not in the team');
      }
      return [{ type: 'TeamMemberRemoved', data: { workspaceId, teamId, userId } }];
    }
    case 'PostNotification':
      return [{ type: 'NotificationPosted', data: validNotification(command, state) }];
    default:
      return assertNever(command);
  }
}

export const workspaceDecider: Decider<WorkspaceCommand, WorkspaceDecidedEvent, WorkspaceState> = {
  initialState: initialWorkspaceState,
  evolve: evolveWorkspace,
  decide: decideWorkspace,
};

function requireMember(state: WorkspaceState, userId: string): WorkspaceRole {
  const role = state.members[userId];
  if (!role) throw new DomainError('not_found', 'member-not-found', 'That user is not a member of the workspace');
  return role;
}

function requireAnotherOwner(state: WorkspaceState, userId: string): void {
  const owners = Object.entries(state.members).filter(([id, role]) => role === 'owner' && id !== userId);
  if (owners.length === 0) throw new DomainError('rule_violated', 'last-owner', 'A workspace keeps at least one owner');
}

function requireTeam(state: WorkspaceState, teamId: string) {
  const team = state.teams[teamId];
  if (!team) throw new DomainError('not_found', 'team-not-found', `No team ${teamId}`);
  return team;
}

function validName(raw: string, max: number, what: string): string {
  const name = raw.trim();
  if (!name) throw new DomainError('rule_violated', `${what}-name-required`, `A ${what} needs a name`);
  if (name.length > max) throw new DomainError('rule_violated', `${what}-name-too-long`, `A ${what} name has at most ${max} characters`);
  return name;
}

/** Only to members, each once; the text within bounds. Nothing about the sender: steps post on behalf of a run. */
function validNotification(command: PostNotification, state: WorkspaceState): NotificationPostedData {
  const { notificationId, workspaceId, recipientUserIds, message, level, link } = command.data;
  if (!isUuid(notificationId)) throw new DomainError('rule_violated', 'invalid-notification-id', 'A notification id is a UUID');
  const recipients = [...new Set(recipientUserIds)];
  if (recipients.length === 0) throw new DomainError('rule_violated', 'no-recipients', 'A notification needs at least one recipient');
  if (recipients.length > NOTIFICATION_RECIPIENTS_MAX) {
    throw new DomainError('rule_violated', 'too-many-recipients', `A notification goes to at most ${NOTIFICATION_RECIPIENTS_MAX} people`);
  }
  const strangers = recipients.filter((userId) => !state.members[userId]);
  if (strangers.length > 0) {
    throw new DomainError('rule_violated', 'recipient-not-member', `Not members of the workspace: ${strangers.slice(0, 10).join(', ')}`, { userIds: strangers });
  }
  const title = command.data.title.trim();
  if (!title) throw new DomainError('rule_violated', 'notification-title-required', 'A notification needs a title');
  if (title.length > NOTIFICATION_TITLE_MAX) throw new DomainError('rule_violated', 'notification-title-too-long', `A title has at most ${NOTIFICATION_TITLE_MAX} characters`);
  if (message.length > NOTIFICATION_MESSAGE_MAX) throw new DomainError('rule_violated', 'notification-message-too-long', `A message has at most ${NOTIFICATION_MESSAGE_MAX} characters`);
  if (!NOTIFICATION_LEVELS.includes(level)) throw new DomainError('rule_violated', 'invalid-notification-level', `The level is one of ${NOTIFICATION_LEVELS.join(', ')}`);
  const kept = link && Object.fromEntries(Object.entries(link).filter(([, v]) => typeof v === 'string' && v !== ''));
  return {
    notificationId,
    workspaceId,
    recipientUserIds: recipients,
    title,
    message,
    level,
    ...(kept && Object.keys(kept).length > 0 ? { link: kept } : {}),
  };
}
