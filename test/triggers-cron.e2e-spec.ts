import { tickId } from '../src/triggers/cron-schedule';
import type { FireRequest, FireResult } from '../src/triggers/fire';
import { triggerKey } from '../src/triggers/live-triggers';
import { CronScheduler } from '../src/triggers/scheduler';
import { as, startTestApp, type TestApp } from './support/test-app';
import { eventually, finished, publishedWorkflow } from './support/executions';

/**
 * SPEC C1/C2 in one process: manual runs record who started them; a per-second schedule fires each tick once with
 * the tick's id; pause stops it and resume does not replay the pause; the preview lists the next ticks; the
 * missed-run policy (skip, catch up with a cap) after downtime. DST next-fire cases against hand-computed instants
 * are in src/triggers/cron-schedule.spec.ts. The two-process kill test is scheduler-durability.e2e-spec.ts.
 */
describe('cron triggers', () => {
  let t: TestApp;
  let api: ReturnType<typeof as>;
  const steps = [{ id: 'noop', name: 'noop', type: 'transform', config: { assignments: { ok: 'true' } } }];

  beforeAll(async () => {
    t = await startTestApp();
    api = as(t.app.getHttpServer(), await t.login());
  }, 60_000);
  afterAll(() => t?.close());

  const startedFor = async (workflowId: string, triggerId: string) => {
    const rows = await t.infra.database.db
      .selectFrom('event_log')
      .select(['stream_id', 'data'])
      .where('type', '=', 'ExecutionStarted')
      .execute();
    return rows
      .map((r) => (typeof r.data === 'string' ? JSON.parse(r.data) : r.data) as { executionId: string; workflowId: string; trigger?: { triggerId?: string } })
      .filter((d) => d.workflowId === workflowId && d.trigger?.triggerId === triggerId)
      .map((d) => d.executionId);
  };

  async function withTrigger(trigger: Record<string, unknown>) {
    const workflowId = await publishedWorkflow(api, { steps });
    const added = await api.post(`/api/workflows/${workflowId}/triggers`).send(trigger);
    expect(added.status).toBe(201);
    expect((await api.post(`/api/workflows/${workflowId}/versions`).send({ note: 'schedule' })).status).toBe(201);
    return { workflowId, triggerId: added.body.triggerId as string };
  }

  it('records who started a manual run in the execution detail', async () => {
    const workflowId = await publishedWorkflow(api, { steps });
    const me = await api.get('/api/auth/me');
    const started = await api.post(`/api/workflows/${workflowId}/execute`).send({ input: {} });
    expect(started.status).toBe(202);
    const run = await finished(api, started.body.executionId);
    expect(run.trigger).toEqual({ kind: 'manual', userId: me.body.id, triggerId: null, bulkId: null });
  });

  it('refuses a schedule that can never fire, and previews the next ticks of a valid one', async () => {
    const workflowId = await publishedWorkflow(api, { steps });
    for (const config of [{ expression: '61 * * * *' }, { expression: '0 9 * * *', zone: 'Mars/Olympus' }, {}, { expression: '* * * * *', missedRuns: { catchUp: 0 } }]) {
      const res = await api.post(`/api/workflows/${workflowId}/triggers`).send({ kind: 'cron', name: 'bad', config });
      expect({ config, status: res.status, type: res.body.type }).toEqual({ config, status: 422, type: expect.stringContaining('invalid-trigger-config') });
    }
    const ok = await api.post(`/api/workflows/${workflowId}/triggers`).send({ id: 'nine', kind: 'cron', name: 'Weekdays', config: { expression: '0 9 * * 1-5', zone: 'Asia/Kolkata' } });
    expect(ok.status).toBe(201);
    const next = await api.get(`/api/workflows/${workflowId}/triggers/nine/next?count=10`);
    expect(next.status).toBe(200);
    expect(next.body).toMatchObject({ source: 'draft', zone: 'Asia/Kolkata', live: false });
    expect(next.body.next).toHaveLength(10);
    // 09:00 in India is 03:30Z, on weekdays only.
    for (const at of next.body.next as string[]) {
      expect(at).toMatch(/T03:30:00\.000Z$/);
      expect([1, 2, 3, 4, 5]).toContain(new Date(at).getUTCDay());
    }
    expect((await api.get(`/api/workflows/${workflowId}/triggers/nine/next?count=0`)).status).toBe(400);
    expect((await api.get(`/api/workflows/${workflowId}/triggers/nope/next`)).status).toBe(404);
  });

  it('fires a per-second schedule once per tick with the tick id, pauses and resumes without replaying the pause', async () => {
    const { workflowId, triggerId } = await withTrigger({ kind: 'cron', name: 'Every second', config: { expression: '* * * * * *', missedRuns: { catchUp: 100 } } });
    await eventually(async () => ((await startedFor(workflowId, triggerId)).length >= 3 ? true : undefined), 'three ticks', 15_000);
    const key = triggerKey(workflowId, triggerId);
    const firstIds = await startedFor(workflowId, triggerId);
    expect(new Set(firstIds).size).toBe(firstIds.length);

    expect((await api.post(`/api/workflows/${workflowId}/triggers/${triggerId}/disable`).send()).status).toBe(200);
    await new Promise((r) => setTimeout(r, 600)); // a poll in flight may still fire the current tick
    const pausedAt = Date.now();
    const atPause = (await startedFor(workflowId, triggerId)).length;
    await new Promise((r) => setTimeout(r, 3000));
    expect((await startedFor(workflowId, triggerId)).length).toBe(atPause);
    expect((await api.post(`/api/workflows/${workflowId}/triggers/${triggerId}/enable`).send()).status).toBe(200);
    const resumedAt = Date.now();
    await new Promise((r) => setTimeout(r, 2500));

    const ids = await startedFor(workflowId, triggerId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBeGreaterThan(atPause);
    // Every run is a tick of this schedule, and none falls inside the pause (catch-up must not replay it).
    const firstTick = Math.floor((pausedAt - 120_000) / 1000) * 1000;
    const byId = new Map<string, number>();
    for (let s = firstTick; s <= Date.now() + 1000; s += 1000) byId.set(tickId(key, new Date(s)), s);
    for (const id of ids) expect(byId.has(id)).toBe(true);
    const inPause = ids.map((id) => byId.get(id)!).filter((s) => s > pausedAt + 1000 && s < resumedAt - 1000);
    expect(inPause).toEqual([]);

    const list = await api.get(`/api/workflows/${workflowId}/triggers`);
    const listed = (list.body.items as { id: string; fires: number; status: string; nextFires: string[] }[]).find((i) => i.id === triggerId)!;
    expect(listed).toMatchObject({ status: 'live', enabled: true });
    expect(listed.nextFires).toHaveLength(3);
    await eventually(async () => {
      const history = await api.get(`/api/workflows/${workflowId}/triggers/${triggerId}/history?limit=2`);
      return history.body.items?.length === 2 && history.body.nextCursor ? history : undefined;
    }, 'fire history');
    expect((await api.post(`/api/workflows/${workflowId}/triggers/${triggerId}/disable`).send()).status).toBe(200);
    // Each switch is an event on the workflow's stream.
    const switches = await t.infra.database.db.selectFrom('event_log').select('type').where('stream_id', '=', `workflow-${workflowId}`).where('type', 'in', ['TriggerEnabled', 'TriggerDisabled']).orderBy('global_position').execute();
    expect(switches.map((s) => s.type)).toEqual(['TriggerDisabled', 'TriggerEnabled', 'TriggerDisabled']);
  }, 60_000);

  it('after downtime skips missed ticks, or catches up the most recent ones up to the cap', async () => {
    const skip = await withTrigger({ kind: 'cron', name: 'Hourly, skip', config: { expression: '0 * * * *', missedRuns: 'skip' } });
    const catchUp = await withTrigger({ kind: 'cron', name: 'Hourly, catch up 3', config: { expression: '0 * * * *', missedRuns: { catchUp: 3 } } });
    const fired: FireRequest[] = [];
    const fire = async (request: FireRequest): Promise<FireResult> => {
      fired.push(request);
      return { outcome: 'started', executionId: request.executionId };
    };
    // A scheduler whose clock says the process was down for ten days (the app's own scheduler saw "now" first).
    const seen = async () =>
      (await t.infra.database.db.selectFrom('trigger_checkpoint').select('workflow_id').where('workflow_id', 'in', [skip.workflowId, catchUp.workflowId]).execute()).length;
    await eventually(async () => ((await seen()) === 2 ? true : undefined), 'both schedules seen by the app scheduler');
    const later = new Date(Date.now() + 10 * 86_400_000);
    later.setUTCMinutes(30, 0, 0);
    const scheduler = new CronScheduler({ db: t.infra.database.db, fire, now: () => later });
    await scheduler.poll();
    const ours = (w: { workflowId: string }) => fired.filter((f) => f.workflowId === w.workflowId);
    expect(ours(skip)).toEqual([]);
    const hours = [3, 2, 1].map((h) => new Date(later.getTime() - 30 * 60_000 - (h - 1) * 3_600_000));
    expect(ours(catchUp).map((f) => f.executionId)).toEqual(hours.map((h) => tickId(triggerKey(catchUp.workflowId, catchUp.triggerId), h)));
    // Handled: a second poll at the same instant fires nothing more.
    fired.length = 0;
    await scheduler.poll();
    expect(ours(skip).concat(ours(catchUp))).toEqual([]);
    // A tick within the grace period after a restart is on time and fires under either policy.
    const onTime = new Date(later.getTime() + 30 * 60_000 + 20_000);
    await new CronScheduler({ db: t.infra.database.db, fire, now: () => onTime }).poll();
    expect(ours(skip).map((f) => f.executionId)).toEqual([tickId(triggerKey(skip.workflowId, skip.triggerId), new Date(later.getTime() + 30 * 60_000))]);
  });
});
