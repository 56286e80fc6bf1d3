import { notificationOf, postedNotificationsOf, readMarkOf } from './notification.projector';
import { recipientNotificationId } from './posted-notification-id';
import { TEAM, USER, WORKFLOW, WORKSPACE, recorded } from '../testing/recorded-event';

describe('notifications', () => {
  it('go to the user or the team a workflow is shared with', () => {
    const toUser = notificationOf(recorded(`workflow-${WORKFLOW}`, 'WorkflowShared', { workflowId: WORKFLOW, shareId: 's', grantee: { kind: 'user', id: USER }, permission: 'edit' }));
    expect(toUser).toMatchObject({ kind: 'WorkflowShared', recipient_user_id: USER, recipient_team_id: null, workflow_id: WORKFLOW, workspace_id: WORKSPACE });
    const toTeam = notificationOf(recorded(`workflow-${WORKFLOW}`, 'WorkflowShared', { workflowId: WORKFLOW, shareId: 's', grantee: { kind: 'team', id: TEAM }, permission: 'run' }));
    expect(toTeam).toMatchObject({ recipient_user_id: null, recipient_team_id: TEAM, details: JSON.stringify({ shareId: 's', permission: 'run' }) });
  });

  it('tell a user they were added to a workspace; other events notify nobody', () => {
    expect(notificationOf(recorded(`workspace-${WORKSPACE}`, 'MemberAdded', { workspaceId: WORKSPACE, userId: USER, role: 'viewer' }))).toMatchObject({
      notification_id: '55555555-5555-4555-8555-555555555555',
      kind: 'MemberAdded',
      recipient_user_id: USER,
    });
    expect(notificationOf(recorded(`workflow-${WORKFLOW}`, 'WorkflowRenamed', { workflowId: WORKFLOW, name: 'B', previousName: 'A' }))).toBeUndefined();
  });

  it('turn a posted notification into one row per recipient, each with its own stable id', () => {
    const posted = '66666666-6666-4666-8666-666666666666';
    const other = '88888888-8888-4888-8888-888888888888';
    const event = recorded(`workspace-${WORKSPACE}`, 'NotificationPosted', {
      notificationId: posted,
      workspaceId: WORKSPACE,
      recipientUserIds: [USER, other],
      title: 'Invoice overdue',
      message: 'Invoice 17 is 3 days late',
      level: 'warning',
      link: { executionId: 'e-1', workflowId: WORKFLOW },
    });
    const rows = postedNotificationsOf(event);
    expect(rows.map((r) => [r.recipient_user_id, r.notification_id])).toEqual([
      [USER, recipientNotificationId(posted, USER)],
      [other, recipientNotificationId(posted, other)],
    ]);
    expect(new Set(rows.map((r) => r.notification_id)).size).toBe(2);
    expect(rows.map((r) => r.notification_id)).not.toContain(posted);
    // Derived from the event alone: a rebuild gives the same ids.
    expect(postedNotificationsOf(event)).toEqual(rows);
    expect(rows[0]).toMatchObject({ kind: 'Posted', recipient_team_id: null, workspace_id: WORKSPACE, workflow_id: WORKFLOW, transaction_id: '7', global_position: '42' });
    expect(JSON.parse(rows[0].details)).toEqual({ postedId: posted, title: 'Invoice overdue', message: 'Invoice 17 is 3 days late', level: 'warning', link: { executionId: 'e-1', workflowId: WORKFLOW } });
    expect(notificationOf(event)).toBeUndefined();
    expect(postedNotificationsOf(recorded(`workspace-${WORKSPACE}`, 'MemberAdded', { workspaceId: WORKSPACE, userId: USER, role: 'viewer' }))).toEqual([]);
  });

  it('record read marks, skipping ids no notification can have', () => {
    const id = '77777777-7777-4777-8777-777777777777';
    expect(readMarkOf(recorded(`user-${USER}`, 'NotificationRead', { userId: USER, notificationId: id }, ''))).toEqual({
      notification_id: id,
      user_id: USER,
      read_at: '2030-01-01T00:00:00.000Z',
    });
    expect(readMarkOf(recorded(`user-${USER}`, 'NotificationRead', { userId: USER, notificationId: 'junk' }, ''))).toBeUndefined();
  });
});
