import type { App } from 'supertest/types';
import { executionStream } from '@contracts';
import { TEST_AMQP_URL, TEST_DATABASE_URL, describeIf } from './support/test-database';
import { as, startTestApp, testConfig, type TestApp } from './support/test-app';
import { finished, publishedWorkflow } from './support/executions';

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
});
