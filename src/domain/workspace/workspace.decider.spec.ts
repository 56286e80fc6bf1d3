import { specFor } from '../testing/given-when-then';
import { workspaceDecider, type WorkspaceDecidedEvent } from './workspace.decider';

const workspaceId = 'a1b2c3d4-0000-4000-8000-000000000001';
const owner = 'u-owner';
const metadata = { commandId: 'c', correlationId: 'c', causationId: 'c', actor: { kind: 'user' as const, id: owner }, workspaceId, occurredAt: '2026-11-28T10:00:00.000Z' };

const given = specFor(workspaceDecider, metadata);

const created: WorkspaceDecidedEvent[] = [
  { type: 'WorkspaceCreated', data: { workspaceId, name: 'Ops', ownerId: owner } },
  { type: 'MemberAdded', data: { workspaceId, userId: owner, role: 'owner' } },
];
const alice: WorkspaceDecidedEvent = { type: 'MemberAdded', data: { workspaceId, userId: 'u-alice', role: 'editor' } };
const team: WorkspaceDecidedEvent = { type: 'TeamCreated', data: { workspaceId, teamId: 't1', name: 'Reviewers' } };
const aliceInTeam: WorkspaceDecidedEvent = { type: 'TeamMemberAdded', data: { workspaceId, teamId: 't1', userId: 'u-alice' } };

describe('workspace decider', () => {
  it('creates a workspace whose creator is its owner', () =>
    given().when({ type: 'CreateWorkspace', data: { workspaceId, name: ' Ops ', ownerId: owner } }).then(created));

  it('refuses a second creation and a blank name', () => {
    given(...created).when({ type: 'CreateWorkspace', data: { workspaceId, name: 'Ops', ownerId: owner } }).thenFails('workspace-exists', 'conflict');
    given().when({ type: 'CreateWorkspace', data: { workspaceId, name: '  ', ownerId: owner } }).thenFails('workspace-name-required', 'rule_violated');
  });

  it('adds a member once', () => {
    given(...created).when({ type: 'AddMember', data: { workspaceId, userId: 'u-alice', role: 'editor' } }).then([alice]);
    given(...created, alice).when({ type: 'AddMember', data: { workspaceId, userId: 'u-alice', role: 'viewer' } }).thenFails('already-member', 'conflict');
  });

  it('changes a role, and never leaves the workspace without an owner', () => {
    given(...created, alice)
      .when({ type: 'ChangeMemberRole', data: { workspaceId, userId: 'u-alice', role: 'admin' } })
      .then([{ type: 'MemberRoleChanged', data: { workspaceId, userId: 'u-alice', role: 'admin', previousRole: 'editor' } }]);
    given(...created).when({ type: 'ChangeMemberRole', data: { workspaceId, userId: owner, role: 'admin' } }).thenFails('last-owner', 'rule_violated');
    given(...created).when({ type: 'RemoveMember', data: { workspaceId, userId: owner } }).thenFails('last-owner', 'rule_violated');
    given(...created).when({ type: 'ChangeMemberRole', data: { workspaceId, userId: 'u-nobody', role: 'admin' } }).thenFails('member-not-found', 'not_found');
  });

  it('removing a member takes them out of their teams first', () =>
    given(...created, alice, team, aliceInTeam)
      .when({ type: 'RemoveMember', data: { workspaceId, userId: 'u-alice' } })
      .then([
        { type: 'TeamMemberRemoved', data: { workspaceId, teamId: 't1', userId: 'u-alice' } },
        { type: 'MemberRemoved', data: { workspaceId, userId: 'u-alice' } },
      ]));

  it('teams: unique names, members only from the workspace', () => {
    given(...created, team).when({ type: 'CreateTeam', data: { workspaceId, teamId: 't2', name: 'reviewers' } }).thenFails('team-exists', 'conflict');
    given(...created, team).when({ type: 'AddTeamMember', data: { workspaceId, teamId: 't1', userId: 'u-stranger' } }).thenFails('not-a-member', 'rule_violated');
    given(...created, alice, team).when({ type: 'AddTeamMember', data: { workspaceId, teamId: 't1', userId: 'u-alice' } }).then([aliceInTeam]);
    given(...created, alice, team, aliceInTeam).when({ type: 'AddTeamMember', data: { workspaceId, teamId: 't1', userId: 'u-alice' } }).then([]);
    given(...created).when({ type: 'DeleteTeam', data: { workspaceId, teamId: 't9' } }).thenFails('team-not-found', 'not_found');
    given(...created, team).when({ type: 'RemoveTeamMember', data: { workspaceId, teamId: 't1', userId: 'u-alice' } }).thenFails('team-member-not-found', 'not_found');
  });

  describe('posting a notification', () => {
    const notificationId = 'b0b0b0b0-0000-4000-8000-000000000001';
    const post = (data: Partial<Extract<WorkspaceDecidedEvent, { type: 'NotificationPosted' }>['data']> = {}) => ({
      type: 'PostNotification' as const,
      data: { notificationId, workspaceId, recipientUserIds: ['u-alice', owner], title: 'Invoice overdue', message: 'Invoice 17 is 3 days late', level: 'warning' as const, ...data },
    });

    it('goes to the members named, each once, with its text trimmed and empty link parts dropped', () =>
      given(...created, alice)
        .when(post({ recipientUserIds: ['u-alice', owner, 'u-alice'], title: '  Invoice overdue ', link: { executionId: 'e1', workflowId: 'w1', url: '' } }))
        .then([
          {
            type: 'NotificationPosted',
            data: { notificationId, workspaceId, recipientUserIds: ['u-alice', owner], title: 'Invoice overdue', message: 'Invoice 17 is 3 days late', level: 'warning', link: { executionId: 'e1', workflowId: 'w1' } },
          },
        ]));

    it('refuses anyone who is not a member, naming them', () => {
      given(...created, alice).when(post({ recipientUserIds: ['u-alice', 'u-stranger'] })).thenFails('recipient-not-member', 'rule_violated');
      // Removed members are strangers again.
      given(...created, alice, { type: 'MemberRemoved', data: { workspaceId, userId: 'u-alice' } })
        .when(post({ recipientUserIds: ['u-alice'] }))
        .thenFails('recipient-not-member', 'rule_violated');
    });

    it('needs recipients, a title, a known level, text within bounds and a uuid id', () => {
      given(...created).when(post({ recipientUserIds: [] })).thenFails('no-recipients', 'rule_violated');
      given(...created).when(post({ recipientUserIds: [owner], title: '   ' })).thenFails('notification-title-required', 'rule_violated');
      given(...created).when(post({ recipientUserIds: [owner], title: 'x'.repeat(201) })).thenFails('notification-title-too-long', 'rule_violated');
      given(...created).when(post({ recipientUserIds: [owner], message: 'x'.repeat(2001) })).thenFails('notification-message-too-long', 'rule_violated');
      given(...created).when(post({ recipientUserIds: [owner], level: 'panic' as never })).thenFails('invalid-notification-level', 'rule_violated');
      given(...created).when(post({ recipientUserIds: [owner], notificationId: 'n1' })).thenFails('invalid-notification-id', 'rule_violated');
      given().when(post()).thenFails('workspace-not-found', 'not_found');
    });
  });

  it('does nothing to a workspace that does not exist', () =>
    given().when({ type: 'AddMember', data: { workspaceId, userId: 'u-alice', role: 'editor' } }).thenFails('workspace-not-found', 'not_found'));
});
