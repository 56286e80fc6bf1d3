import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type { App } from 'supertest/types';
import { executionStream } from '@contracts';
import { signWebhook } from '../src/adapters/crypto/webhook-signature';
import { TEST_AMQP_URL, TEST_DATABASE_URL, describeIf } from './support/test-database';
import { as, startTestApp, testConfig, type TestApp } from './support/test-app';
import { eventually, finished, publishedWorkflow } from './support/executions';

const step = (id: string, type: string, config: object) => ({ id, name: id, type, config });

/**
 * The production layout in one test process: an API replica (API role only) beside a worker with the
 * forwarder, projections and engine, on the same PostgreSQL schema and RabbitMQ namespace.
 */
describeIf(TEST_DATABASE_URL && TEST_AMQP_URL, 'needs DATABASE_URL and AMQP_URL (an API replica and a worker share them)')('split roles', () => {
  let worker: TestApp;
  let apiReplica: TestApp;

  beforeAll(async () => {
    const config = testConfig({}, { rabbit: true });
    worker = await startTestApp(config, { api: false, forwarder: true, projections: true, engine: true });
    apiReplica = await startTestApp(config, { api: true, forwarder: false, projections: false, engine: false });
  }, 120_000);
  afterAll(async () => {
    await worker?.app.close();
    await worker?.infra.close();
    await apiReplica?.close(); // and the schema and queues
  });

  it('an API replica runs the pure steps a start schedules and appends them with it: a run of only transforms and conditions is one write', async () => {
    const api = as(apiReplica.app.getHttpServer() as App, await apiReplica.login());
    const workflowId = await publishedWorkflow(api, {
      variables: [{ name: 'amount', type: 'number', required: true }],
      steps: [
        step('calc', 'transform', { assignments: { doubled: 'amount * 2' } }),
        step('big', 'condition', { expression: 'steps.calc.output.doubled > 100' }),
        step('yes', 'transform', { assignments: { verdict: '"big"' } }),
      ],
      edges: [
        { id: 'e1', from: 'calc', to: 'big' },
        { id: 'e2', from: 'big', to: 'yes', label: 'true' },
      ],
    });
    const started = await api.post(`/api/workflows/${workflowId}/execute`).send({ input: { amount: 70 } }).expect(202);
    const run = await finished(api, started.body.executionId);
    expect(run.status).toBe('succeeded');
    expect(run.output).toEqual({ yes: { verdict: 'big' } });
    const stored = await apiReplica.infra.store.readStream(executionStream(run.id));
    expect(stored.map((e) => e.type)).toContain('ExecutionSucceeded');
    expect(new Set(stored.map((e) => `${e.position.transactionId}`)).size).toBe(1);
  });

  it('a webhook delivery answered at once stores the start alone, and the worker runs the pure steps in one append', async () => {
    const http = apiReplica.app.getHttpServer() as App;
    const api = as(http, await apiReplica.login());
    const workflowId = await publishedWorkflow(api, {
      variables: [{ name: 'orderId', type: 'number', required: true }],
      steps: [step('calc', 'transform', { assignments: { doubled: 'orderId * 2' } }), step('yes', 'transform', { assignments: { verdict: '"done"' } })],
      edges: [{ id: 'e1', from: 'calc', to: 'yes' }],
    });
    const added = await api.post(`/api/workflows/${workflowId}/triggers`).send({ kind: 'webhook', name: 'orders', config: {} }).expect(201);
    await api.post(`/api/workflows/${workflowId}/versions`).send({ note: 'with the hook' }).expect(201);
    const { url, secret } = added.body.webhook as { url: string; secret: string };
    const body = Buffer.from(JSON.stringify({ orderId: 21 }));
    // The replica learns of the publish from the worker's projections: deliver until it is live.
    const executionId = await eventually(async () => {
      const id = `msg_${randomUUID()}`;
      const ts = Math.floor(Date.now() / 1000);
      const res = await request(http)
        .post(url)
        .set({ 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': String(ts), 'webhook-signature': signWebhook(secret, id, ts, body) })
        .serialize((b: unknown) => b as string)
        .send(body as unknown as string);
      return res.status === 202 ? (res.body.executionId as string) : undefined;
    }, 'the webhook trigger to be live');
    const run = await finished(api, executionId);
    expect(run.status).toBe('succeeded');
    expect(run.output).toEqual({ yes: { verdict: 'done' } });
    const stored = await apiReplica.infra.store.readStream(executionStream(executionId));
    const byTransaction = new Map<bigint, string[]>();
    for (const e of stored) byTransaction.set(e.position.transactionId, [...(byTransaction.get(e.position.transactionId) ?? []), e.type]);
    const appends = [...byTransaction.values()];
    expect(appends[0]).toEqual(['ExecutionStarted', 'StepScheduled']);
    // The worker ran the first transform from its queue message and chained the second into the same write.
    expect(appends).toHaveLength(2);
    expect(appends[1]).toEqual(expect.arrayContaining(['StepSucceeded', 'ExecutionSucceeded']));
  });
});
