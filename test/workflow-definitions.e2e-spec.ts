import type { App } from 'supertest/types';
import { as, startTestApp, type TestApp } from './support/test-app';

/** SPEC A2-A4 and A6 over HTTP: edit the graph, see validation, publish, diff, roll back, time travel. */
describe('workflow definitions', () => {
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

  async function newWorkflow(name: string) {
    const res = await api.post('/api/workflows').send({ name }).expect(201);
    return { id: res.body.id as string, revision: res.body.revision as number };
  }
  const detail = async (id: string, position?: string) =>
    (await api.get(`/api/workflows/${id}`).query(position ? { minPosition: position } : {}).expect(200)).body;

  it('edits a graph step by step, shows validation as it goes, and publishes only a valid draft', async () => {
    const { id } = await newWorkflow('Customer onboarding');
    let r = await api.post(`/api/workflows/${id}/steps`).set('If-Match', '"0"').send({ id: 'welcome', name: 'Send welcome e-mail', type: 'send_email', position: { x: 0, y: 0 } }).expect(201);
    expect(r.headers.etag).toBe('"1"');
    r = await api.post(`/api/workflows/${id}/steps`).send({ id: 'task', name: 'Create account task', type: 'create_task', config: { title: 'Set up {{customer_email}}' }, position: { x: 200, y: 0 } }).expect(201);
    r = await api.post(`/api/workflows/${id}/edges`).send({ id: 'e1', from: 'welcome', to: 'task' }).expect(201);

    let d = await detail(id, r.body.position);
    expect(d.definition.steps.map((s: { id: string }) => s.id)).toEqual(['welcome', 'task']);
    expect(d.stepCount).toBe(2);
    const codes = d.validation.map((i: { code: string; stepId?: string }) => `${i.code}:${i.stepId ?? ''}`);
    expect(codes).toEqual(expect.arrayContaining(['invalid-config:welcome', 'undeclared-variable:task']));

    const refused = await api.post(`/api/workflows/${id}/versions`).send({ note: 'too early' }).expect(422);
    expect(refused.body.type).toMatch(/definition-invalid/);

    await api.put(`/api/workflows/${id}/steps/welcome/config`).send({ config: { template: 'welcome_email', to: '{{customer_email}}' } }).expect(200);
    r = await api.put(`/api/workflows/${id}/variables/customer_email`).send({ type: 'string', required: true }).expect(200);
    d = await detail(id, r.body.position);
    expect(d.validation.filter((i: { severity: string }) => i.severity === 'error')).toEqual([]);

    const v1 = await api.post(`/api/workflows/${id}/versions`).send({ note: 'first' }).expect(201);
    expect(v1.body.version).toBe(1);
    expect((await detail(id)).version).toBe(1);
  });

  it('diffs versions field by field, rolls back, and keeps the audit trail', async () => {
    const { id } = await newWorkflow('Invoice processing');
    await api.post(`/api/workflows/${id}/steps`).send({ id: 'task', name: 'Check invoice', type: 'create_task', config: { title: 'Check' } }).expect(201);
    await api.post(`/api/workflows/${id}/versions`).send({ note: 'v1' }).expect(201);
    await api.put(`/api/workflows/${id}/steps/task/config`).send({ config: { title: 'Check twice', priority: 'high' } }).expect(200);
    await api.post(`/api/workflows/${id}/steps`).send({ id: 'mail', name: 'Tell finance', type: 'send_email', config: { template: 'invoice', to: 'finance@example.com' } }).expect(201);
    await api.post(`/api/workflows/${id}/edges`).send({ id: 'e1', from: 'task', to: 'mail' }).expect(201);
    await api.post(`/api/workflows/${id}/versions`).send({ note: 'v2' }).expect(201);

    const diff = (await api.get(`/api/workflows/${id}/versions/1/diff/2`).expect(200)).body;
    expect(diff.steps.added.map((s: { id: string }) => s.id)).toEqual(['mail']);
    expect(diff.edges.added.map((e: { id: string }) => e.id)).toEqual(['e1']);
    const changed = diff.steps.changed.find((c: { id: string }) => c.id === 'task');
    expect(changed.fields).toEqual(
      expect.arrayContaining([
        { field: 'config.title', before: 'Check', after: 'Check twice' },
        expect.objectContaining({ field: 'config.priority', after: 'high' }),
      ]),
    );

    const back = await api.post(`/api/workflows/${id}/rollback/1`).expect(201);
    expect(back.body.version).toBe(3);
    const versions = (await api.get(`/api/workflows/${id}/versions`).expect(200)).body;
    expect(versions.map((v: { version: number; rolledBackFrom?: number }) => [v.version, v.rolledBackFrom])).toEqual([[3, 1], [2, undefined], [1, undefined]]);
    const same = (await api.get(`/api/workflows/${id}/versions/1/diff/3`).expect(200)).body;
    expect([same.steps.added, same.steps.removed, same.steps.changed, same.edges.added]).toEqual([[], [], [], []]);
    expect((await detail(id)).definition.steps.map((s: { id: string }) => s.id)).toEqual(['task']);

    const history = (await api.get(`/api/workflows/${id}/history`).query({ limit: 100 }).expect(200)).body.items;
    const rolledBack = history.find((h: { type: string }) => h.type === 'WorkflowRolledBack');
    expect(rolledBack).toMatchObject({ actor: { kind: 'user', id: expect.any(String) }, data: { toVersion: 1, newVersion: 3 } });
    expect(history.map((h: { revision: number }) => h.revision)).toEqual(history.map((_: unknown, i: number) => i));
  });

  it('answers the definition as it was at a revision or an instant (time travel)', async () => {
    const { id } = await newWorkflow('Time travel');
    await api.post(`/api/workflows/${id}/steps`).send({ id: 'a', name: 'A', type: 'create_task', config: { title: 'A' } }).expect(201);
    const middle = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 20));
    await api.post(`/api/workflows/${id}/steps`).send({ id: 'b', name: 'B', type: 'create_task', config: { title: 'B' } }).expect(201);
    await api.put(`/api/workflows/${id}`).send({ name: 'Time travel, renamed' }).expect(200);

    const atOne = (await api.get(`/api/workflows/${id}`).query({ asOf: '1' }).expect(200)).body;
    expect(atOne.definition.steps.map((s: { id: string }) => s.id)).toEqual(['a']);
    expect(atOne).toMatchObject({ name: 'Time travel', revision: 1, stepCount: 1 });
    const atTime = (await api.get(`/api/workflows/${id}`).query({ asOf: middle }).expect(200)).body;
    expect(atTime.definition.steps.map((s: { id: string }) => s.id)).toEqual(['a']);
    const now = (await api.get(`/api/workflows/${id}`).query({ asOf: '99' }).expect(200)).body;
    expect(now).toMatchObject({ name: 'Time travel, renamed', revision: 3, stepCount: 2 });
    await api.get(`/api/workflows/${id}`).query({ asOf: 'yesterday' }).expect(400);
    await api.get(`/api/workflows/${id}`).query({ asOf: '2000-01-01T00:00:00Z' }).expect(404);
  });

  it('lets one of two racing editors win; the other gets 412 and appends nothing', async () => {
    const { id } = await newWorkflow('Race');
    const added = await api.post(`/api/workflows/${id}/steps`).send({ id: 's', name: 'S', type: 'create_task', config: { title: 'x' } }).expect(201);
    const etag = `"${added.body.revision}"`;
    const before = await eventCount();
    const [a, b] = await Promise.all([
      api.put(`/api/workflows/${id}/steps/s/config`).set('If-Match', etag).send({ config: { title: 'editor A' } }),
      api.put(`/api/workflows/${id}/steps/s/config`).set('If-Match', etag).send({ config: { title: 'editor B' } }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 412]);
    expect(await eventCount()).toBe(before + 1);
  });

  it('refuses bad edits with 4xx problems and appends nothing', async () => {
    const { id } = await newWorkflow('Bad input');
    await api.post(`/api/workflows/${id}/steps`).send({ id: 'only', name: 'Only', type: 'create_task', config: { title: 'x' } }).expect(201);
    const before = await eventCount();
    const cases: [string, number, () => Promise<{ status: number; body: { type?: string } }>][] = [
      ['unknown action type', 422, () => api.post(`/api/workflows/${id}/steps`).send({ name: 'X', type: 'teleport' })],
      ['duplicate step id', 409, () => api.post(`/api/workflows/${id}/steps`).send({ id: 'only', name: 'X', type: 'create_task' })],
      ['edge to a missing step', 422, () => api.post(`/api/workflows/${id}/edges`).send({ from: 'only', to: 'ghost' })],
      ['self loop', 422, () => api.post(`/api/workflows/${id}/edges`).send({ from: 'only', to: 'only' })],
      ['config not an object', 400, () => api.put(`/api/workflows/${id}/steps/only/config`).send({ config: 'x' })],
      ['unknown step', 404, () => api.put(`/api/workflows/${id}/steps/ghost/config`).send({ config: {} })],
      ['bad variable name', 422, () => api.put(`/api/workflows/${id}/variables/1abc`).send({ type: 'string' })],
      ['default of the wrong type', 422, () => api.put(`/api/workflows/${id}/variables/count`).send({ type: 'number', default: 'ten' })],
      ['unknown field', 400, () => api.post(`/api/workflows/${id}/steps`).send({ name: 'X', type: 'create_task', colour: 'red' })],
      ['position of the wrong type', 400, () => api.put(`/api/workflows/${id}/steps/only/position`).send({ x: 'left', y: 0 })],
      ['too many tags', 400, () => api.put(`/api/workflows/${id}/tags`).send({ tags: Array.from({ length: 21 }, (_, i) => `t${i}`) })],
      ['missing version', 404, () => api.post(`/api/workflows/${id}/rollback/7`)],
      ['diff of missing versions', 404, () => api.get(`/api/workflows/${id}/versions/1/diff/2`)],
    ];
    for (const [label, status, call] of cases) {
      const res = await call();
      expect({ label, status: res.status }).toEqual({ label, status });
      expect(res.body.type).toMatch(/^https:\/\/bluebird\.dev\/problems\//);
    }
    expect(await eventCount()).toBe(before);
  });
});
