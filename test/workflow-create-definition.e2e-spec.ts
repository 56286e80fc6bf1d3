import type { App } from 'supertest/types';
import { as, startTestApp, type TestApp } from './support/test-app';

/** The seed's "Creating a Simple Workflow" payload, exactly as written there, as JSON. */
const SEED_PAYLOAD = {
  name: 'Customer Onboarding',
  description: 'Automated customer setup process',
  workspace_id: 1,
  steps: [
    { name: 'Send Welcome Email', step_type: 'SEND_EMAIL', order: 1, config: { template: 'welcome_email', to: '{{customer_email}}' } },
    { name: 'Create Customer Account', step_type: 'CALL_API', order: 2, config: { url: '/api/customers', method: 'POST', data: '{{customer_data}}' } },
  ],
  triggers: [{ name: 'New Customer Webhook', trigger_type: 'WEBHOOK', is_enabled: true }],
};

/** SPEC A5 and issue 4 item 5: creation in one call, duplicate, export and import. */
describe('whole definitions', () => {
  let t: TestApp;
  let http: App;
  let api: ReturnType<typeof as>;
  const eventCount = () => t.infra.store.estimateCount();

  beforeAll(async () => {
    t = await startTestApp();
    http = t.app.getHttpServer();
    api = as(http, await t.login());
  });
  afterAll(async () => t?.close());

  it("creates a valid workflow from the seed's example payload, as fine-grained events", async () => {
    const created = await api.post('/api/workflows').send(SEED_PAYLOAD).expect(201);
    const detail = (await api.get(`/api/workflows/${created.body.id}`).expect(200)).body;
    expect(detail.validation.filter((i: { severity: string }) => i.severity === 'error')).toEqual([]);
    expect(detail.definition.steps.map((s: { name: string; type: string }) => [s.name, s.type])).toEqual([
      ['Send Welcome Email', 'send_email'],
      ['Create Customer Account', 'http_request'],
    ]);
    const [first, second] = detail.definition.steps;
    expect(detail.definition.edges).toEqual([{ id: expect.any(String), from: first.id, to: second.id }]);
    expect(detail.definition.triggers).toEqual([{ id: expect.any(String), kind: 'webhook', name: 'New Customer Webhook', enabled: true, config: {} }]);
    expect(detail.definition.variables.map((v: { name: string; type: string }) => [v.name, v.type])).toEqual([
      ['customer_email', 'string'],
      ['customer_data', 'object'],
    ]);
    expect(detail.stepCount).toBe(2);

    const history = (await api.get(`/api/workflows/${created.body.id}/history`).expect(200)).body.items.map((h: { type: string }) => h.type);
    expect(history).toEqual(['WorkflowCreated', 'VariableDeclared', 'VariableDeclared', 'StepAdded', 'StepAdded', 'StepsConnected', 'TriggerAdded']);
    // ...and it publishes as it is.
    await api.post(`/api/workflows/${created.body.id}/versions`).send({ note: 'from the seed' }).expect(201);
  });

  it('exports with a schema version and imports the export back into an equal workflow', async () => {
    const { id } = (await api.post('/api/workflows').send(SEED_PAYLOAD).expect(201)).body;
    const exported = (await api.get(`/api/workflows/${id}/export`).expect(200)).body;
    expect(exported).toMatchObject({ schemaVersion: 1, workflow: { name: 'Customer Onboarding' } });
    const imported = await api.post('/api/workflows/import').send(exported).expect(201);
    const again = (await api.get(`/api/workflows/${imported.body.id}`).expect(200)).body;
    expect(again.definition).toEqual(exported.workflow.definition);

    const copy = await api.post(`/api/workflows/${id}/duplicate`).send({}).expect(201);
    const duplicate = (await api.get(`/api/workflows/${copy.body.id}`).expect(200)).body;
    expect(duplicate.name).toBe('Copy of Customer Onboarding');
    expect(duplicate.definition).toEqual(exported.workflow.definition);
  });

  it('refuses invalid definitions with 4xx problems and appends nothing', async () => {
    const before = await eventCount();
    const cycle = {
      name: 'Cycle',
      steps: [
        { id: 'a', name: 'A', type: 'create_task', config: { title: 'a' } },
        { id: 'b', name: 'B', type: 'create_task', config: { title: 'b' } },
      ],
      edges: [
        { from: 'a', to: 'b' },
        { from: 'b', to: 'a' },
      ],
    };
    const refused = await api.post('/api/workflows').send(cycle).expect(422);
    expect(refused.body.type).toMatch(/definition-invalid/);
    expect(refused.body.errors.map((e: { code: string }) => e.code)).toContain('missing-start');

    await api.post('/api/workflows').send({ ...SEED_PAYLOAD, steps: [{ name: 'X', step_type: 'TELEPORT', order: 1 }] }).expect(422);
    await api.post('/api/workflows').send({ ...SEED_PAYLOAD, workspace_id: 99 }).expect(404);
    await api.post('/api/workflows').send({ ...SEED_PAYLOAD, workspace_id: 'one' }).expect(400);
    await api.post('/api/workflows').send({ ...SEED_PAYLOAD, steps: [{ name: 'No type' }] }).expect(400);
    await api.post('/api/workflows').send({ ...SEED_PAYLOAD, steps: Array.from({ length: 501 }, (_, i) => ({ name: `s${i}`, type: 'create_task' })) }).expect(400);
    await api.post('/api/workflows/import').send({ schemaVersion: 2, workflow: { name: 'x', definition: {} } }).expect(400);
    await api.post('/api/workflows/import').send({ schemaVersion: 1, workflow: { name: 'x', definition: { steps: [{ name: 'bad', type: 'send_email', config: { to: 42 } }] } } }).expect(422);
    expect(await eventCount()).toBe(before);
  });
});
