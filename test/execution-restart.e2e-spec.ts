import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { App } from 'supertest/types';
import { TEST_DATABASE_URL } from './support/test-database';
import { as, startTestApp, testConfig, type TestApp } from './support/test-app';
import { eventually, finished, publishedWorkflow } from './support/executions';

/**
 * SPEC B8, B9: an approval and a delay survive a restart of every process. The first app starts a
 * run that waits at an approval and at a 1.5 s delay, and stops (all of it: API, engine, timers,
 * projections). A second app on the same database and broker answers the approval; the delay
 * fires after the restart; the run succeeds.
 */
describe('waits survive a restart', () => {
  const dataDir = TEST_DATABASE_URL ? undefined : mkdtempSync(join(tmpdir(), 'bb-restart-'));
  const config = testConfig(dataDir ? { dataDir } : {});
  let second: TestApp | undefined;
  afterAll(async () => {
    await second?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers an approval and fires a delay set before the restart', async () => {
    const first = await startTestApp(config);
    let api = as(first.app.getHttpServer() as App, await first.login());
    const ownerId = (await api.get('/api/auth/me').expect(200)).body.id as string;
    const workflowId = await publishedWorkflow(api, {
      steps: [
        { id: 'ask', name: 'ask', type: 'approval', config: { approvers: { userIds: [ownerId] }, message: 'Go?' } },
        { id: 'nap', name: 'nap', type: 'delay', config: { durationMs: 1500 } },
        { id: 'done', name: 'done', type: 'transform', config: { assignments: { ok: 'true' } } },
      ],
      edges: [
        { id: 'e1', from: 'ask', to: 'done', label: 'approved' },
        { id: 'e2', from: 'nap', to: 'done' },
      ],
    });
    const executionId = (await api.post(`/api/workflows/${workflowId}/execute`).send({ input: {} }).expect(202)).body.executionId as string;
    const approvalId = await eventually(async () => {
      const items = (await api.get('/api/approvals?mine=1')).body.items as { id: string; executionId: string }[];
      return items.find((a) => a.executionId === executionId)?.id;
    }, 'the approval request');
    await eventually(async () => {
      const steps = (await api.get(`/api/workflows/executions/${executionId}`)).body.steps as { stepId: string; status: string }[];
      return steps.find((s) => s.stepId === 'nap' && s.status === 'waiting');
    }, 'the delay to wait');
    // Every process stops: nothing of the run lives in memory any more.
    await first.app.close();
    await first.infra.close();

    second = await startTestApp(config);
    api = as(second.app.getHttpServer() as App, await second.login());
    await api.post(`/api/approvals/${approvalId}/decision`).send({ decision: 'approve' }).expect(202);
    const run = await finished(api, executionId);
    expect(run.status).toBe('succeeded');
    const byStep = Object.fromEntries(run.steps.map((s: { stepId: string }) => [s.stepId, s]));
    expect(byStep.ask.output).toMatchObject({ decision: 'approved', decidedBy: ownerId });
    expect(Date.parse(byStep.nap.finishedAt) - Date.parse(byStep.nap.startedAt)).toBeGreaterThanOrEqual(1500);
    expect(byStep.done.status).toBe('succeeded');
  });
});
