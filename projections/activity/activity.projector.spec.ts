import { activityRow, summarize } from './activity.projector';
import { TEAM, USER, WORKFLOW, WORKSPACE, recorded } from '../testing/recorded-event';

describe('activity rows', () => {
  it('never copy a password hash or a token hash', () => {
    const registered = summarize({ type: 'UserRegistered', data: { userId: USER, email: 'a@b.c', displayName: 'Ann', passwordHash: 'scrypt$x', mustChangePassword: true } });
    expect(registered).toEqual({ email: 'a@b.c', displayName: 'Ann' });
    expect(summarize({ type: 'UserPasswordChanged', data: { userId: USER, passwordHash: 'scrypt$y', reset: true } })).toEqual({ reset: true });
    const link = summarize({
      type: 'PublicLinkCreated',
      data: { workflowId: WORKFLOW, linkId: 'l', tokenHash: 'abc', expiresAt: '2030-01-02T00:00:00.000Z', includeExecutions: false },
    });
    expect(link).toEqual({ linkId: 'l', expiresAt: '2030-01-02T00:00:00.000Z', includeExecutions: false });
  });

  it('summarize an event type they do not know as nothing (a whitelist)', () => {
    expect(summarize({ type: 'ApiKeyCreated', data: { secret: 's3cr3t' } })).toEqual({});
  });

  it('clip long descriptions', () => {
    const { description } = summarize({ type: 'WorkflowDescriptionChanged', data: { workflowId: WORKFLOW, description: 'x'.repeat(5000) } });
    expect((description as string).length).toBe(200);
  });

  it('take everything from the event: position, time, actor, workspace and workflow', () => {
    const row = activityRow(recorded(`workflow-${WORKFLOW}`, 'WorkflowRenamed', { workflowId: WORKFLOW, name: 'B', previousName: 'A' }));
    expect(row).toEqual({
      event_id: '55555555-5555-4555-8555-555555555555',
      transaction_id: '7',
      global_position: '42',
      workspace_id: WORKSPACE,
      workflow_id: WORKFLOW,
      stream_id: `workflow-${WORKFLOW}`,
      event_type: 'WorkflowRenamed',
      actor_id: USER,
      actor_name: 'Ann',
      occurred_at: '2030-01-01T00:00:00.000Z',
      summary: JSON.stringify({ name: 'B', previousName: 'A' }),
    });
  });

  it("put a workspace event in its stream's workspace, and an event of no workspace in none", () => {
    const other = '66666666-6666-4666-8666-666666666666';
    expect(activityRow(recorded(`workspace-${other}`, 'TeamCreated', { workspaceId: other, teamId: TEAM, name: 'T' })).workspace_id).toBe(other);
    expect(activityRow(recorded(`user-${USER}`, 'UserEnabled', { userId: USER }, '')).workspace_id).toBeNull();
  });
});
