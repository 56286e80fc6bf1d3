import { customEventStream } from '@contracts';
import { TriggersService } from '../src/triggers/triggers.service';
import { as, startTestApp, type TestApp } from './support/test-app';
import { eventually, finished, publishedWorkflow } from './support/executions';

/**
 * SPEC C4 event triggers: custom events, runs of another workflow ending and tasks being created start a workflow
 * when the JSONata filter matches: one run per matching event, none for the others, none more on redelivery.
 */
describe('event triggers', () => {
  let t: TestApp;
  let api: ReturnType<typeof as>;
  const steps = [{ id: 'noop', name: 'noop', type: 'transform', config: { assignments: { ok: 'true' } } }];

  beforeAll(async () => {
    t = await startTestApp();
    api = as(t.app.getHttpServer(), await t.login());
  }, 60_000);
  afterAll(() => t?.close());

  const runsOf = async (workflowId: string) => {
    const rows = await t.infra.database.db.selectFrom('event_log').select('data').where('type', '=', 'ExecutionStarted').execute();
    return rows
      .map((r) => (typeof r.data === 'string' ? JSON.parse(r.data) : r.data) as { workflowId: string; executionId: string; input: { event?: { data: Record<string, unknown>; type: string } } })
      .filter((d) => d.workflowId === workflowId);
  };
  const settle = () => new Promise((r) => setTimeout(r, 1500));

  async function listening(config: Record<string, unknown>) {
    const workflowId = await publishedWorkflow(api, { steps });
    const added = await api.post(`/api/workflows/${workflowId}/triggers`).send({ kind: 'event', name: 'On event', config });
    expect(added.status).toBe(201);
    expect((await api.post(`/api/workflows/${workflowId}/versions`).send({ note: 'listen' })).status).toBe(201);
    return { workflowId, triggerId: added.body.triggerId as string };
  }

  it('starts one run per matching custom event and none for the others, even when redelivered', async () => {
    const target = await listening({ on: 'custom', type: 'invoice.paid', filter: 'data.amount > 100' });
    const amounts = [50, 150, 200, 10, 101];
    const posted: string[] = [];
    for (const amount of amounts) {
      const res = await api.post('/api/events').send({ type: 'invoice.paid', data: { amount } });
      expect(res.status).toBe(202);
      posted.push(res.body.eventId);
    }
    expect((await api.post('/api/events').send({ type: 'invoice.voided', data: { amount: 999 } })).status).toBe(202);
    await eventually(async () => ((await runsOf(target.workflowId)).length >= 3 ? true : undefined), 'three matching runs');
    await settle();
    const runs = await runsOf(target.workflowId);
    expect(runs.map((r) => r.input.event?.data.amount).sort()).toEqual([101, 150, 200]);
    expect(runs.every((r) => r.input.event?.type === 'invoice.paid')).toBe(true);

    // At-least-once delivery: the same event handled again starts nothing new.
    const triggers = t.app.get(TriggersService);
    const [recorded] = await t.infra.store.readStream(customEventStream(posted[1]));
    const again = await triggers.events.handle(recorded);
    expect(again.map((r) => r.outcome)).toEqual(['already']);
    expect(await runsOf(target.workflowId)).toHaveLength(3);
    const detail = await finished(api, runs[0].executionId);
    expect(detail.trigger).toMatchObject({ kind: 'event', triggerId: target.triggerId });

    // Refused at once: a filter that does not parse, an unknown source.
    for (const config of [{ on: 'custom', type: 'x', filter: 'data.amount >' }, { on: 'sunrise' }, { on: 'custom' }]) {
      expect((await api.post(`/api/workflows/${target.workflowId}/triggers`).send({ kind: 'event', name: 'bad', config })).status).toBe(422);
    }
  });

  it('starts a workflow when a run of another workflow succeeds, not when it fails, and on matching new tasks', async () => {
    const source = await publishedWorkflow(api, { steps });
    const onSuccess = await listening({ on: 'execution.succeeded', workflowId: source });
    const onFailure = await listening({ on: 'execution.failed', workflowId: source });
    const onUrgentTask = await listening({ on: 'task.created', filter: "data.priority = 'high'" });
    for (let i = 0; i < 2; i++) {
      const res = await api.post(`/api/workflows/${source}/execute`).send({ input: {} });
      expect(res.status).toBe(202);
      await finished(api, res.body.executionId);
    }
    expect((await api.post('/api/tasks').send({ title: 'Call the customer', priority: 'high' })).status).toBe(201);
    expect((await api.post('/api/tasks').send({ title: 'Tidy up', priority: 'low' })).status).toBe(201);
    await eventually(async () => ((await runsOf(onSuccess.workflowId)).length >= 2 && (await runsOf(onUrgentTask.workflowId)).length >= 1 ? true : undefined), 'triggered runs');
    await settle();
    expect(await runsOf(onSuccess.workflowId)).toHaveLength(2);
    expect(await runsOf(onFailure.workflowId)).toHaveLength(0);
    const urgent = await runsOf(onUrgentTask.workflowId);
    expect(urgent.map((r) => r.input.event?.data.title)).toEqual(['Call the customer']);
  });
});
