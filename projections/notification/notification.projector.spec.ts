import { notificationOf, readMarkOf } from './notification.projector';
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
