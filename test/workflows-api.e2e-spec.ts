import request from 'supertest';
import type { App } from 'supertest/types';
import { as, startTestApp, type TestApp } from './support/test-app';

/** The workflow command and query API over HTTP, on the real stack of this machine. */
describe('workflows API', () => {
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

  async function create(name: string, description?: string) {
    const res = await api.post('/api/workflows').send({ name, description }).expect(201);
    return res.body as { id: string; revision: number; position: string };
  }

  async function eventually<T>(read: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await read();
      if (ok(value) || Date.now() > deadline) return value;
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  it('creates a workflow (201, id, revision, ETag, Location) and lists it once projected', async () => {
    const res = await api.post('/api/workflows').send({ name: 'Customer Onboarding', description: 'Automated setup' }).expect(201);
    expect(res.body).toMatchObject({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), revision: 0 });
    expect(res.headers.etag).toBe('"0"');
    expect(res.headers.location).toBe(`/api/workflows/${res.body.id}`);

    const list = await eventually(
      () => api.get('/api/workflows').then((r) => r.body.items as { id: string }[]),
      (items) => items.some((w) => w.id === res.body.id),
    );
    expect(list.filter((w) => w.id === res.body.id)).toHaveLength(1);

    const one = await api.get(`/api/workflows/${res.body.id}`).expect(200);
    expect(one.body).toMatchObject({ id: res.body.id, name: 'Customer Onboarding', description: 'Automated setup', status: 'active', revision: 0 });
    expect(one.headers.etag).toBe('"0"');
    await api.get(`/api/workflows/${res.body.id}`).set('If-None-Match', '"0"').expect(304);
  });

  it('reads its own write with ?minPosition=', async () => {
    const { id, position } = await create('Read your writes');
    const one = await api.get(`/api/workflows/${id}`).query({ minPosition: position }).expect(200);
    expect(one.body.name).toBe('Read your writes');
  });

  it('renames with If-Match; a stale If-Match is 412 and appends nothing', async () => {
    const { id } = await create('Expense Approval');
    const ok = await api.put(`/api/workflows/${id}`).set('If-Match', '"0"').send({ name: 'Expense approval v2', description: 'Two levels' }).expect(200);
    expect(ok.body.revision).toBe(2);
    expect(ok.headers.etag).toBe('"2"');

    const before = await eventCount();
    const stale = await api.put(`/api/workflows/${id}`).set('If-Match', '"0"').send({ name: 'Lost update' }).expect(412);
    expect(stale.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(stale.body).toMatchObject({ type: expect.stringContaining('precondition-failed'), status: 412, currentRevision: 2 });
    expect(await eventCount()).toBe(before);

    const after = await api.get(`/api/workflows/${id}`).query({ minPosition: ok.body.position }).expect(200);
    expect(after.body).toMatchObject({ name: 'Expense approval v2', description: 'Two levels', revision: 2 });
  });

  it('archives (DELETE) and restores; the default list hides archived workflows', async () => {
    const { id } = await create('Recurring Maintenance');
    const archived = await api.delete(`/api/workflows/${id}`).expect(200);
    expect(archived.body.revision).toBe(1);
    const active = await api.get('/api/workflows').query({ minPosition: archived.body.position, limit: 100 }).expect(200);
    expect(active.body.items.map((w: { id: string }) => w.id)).not.toContain(id);
    const onlyArchived = await api.get('/api/workflows').query({ status: 'archived' }).expect(200);
    expect(onlyArchived.body.items.map((w: { id: string }) => w.id)).toContain(id);

    await api.put(`/api/workflows/${id}`).send({ name: 'Edit while archived' }).expect(422);
    const restored = await api.post(`/api/workflows/${id}/restore`).expect(200);
    const back = await api.get(`/api/workflows/${id}`).query({ minPosition: restored.body.position }).expect(200);
    expect(back.body.status).toBe('active');
  });

  it('filters by text and pages with a cursor', async () => {
    const marker = `zebra${Date.now()}`;
    let last = { position: '' };
    for (let i = 0; i < 5; i++) last = await create(`${marker} workflow ${i}`);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await api
        .get('/api/workflows')
        .query({ q: marker.toUpperCase(), limit: 2, minPosition: last.position, ...(cursor ? { cursor } : {}) })
        .expect(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.items.map((w: { name: string }) => w.name));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual([4, 3, 2, 1, 0].map((i) => `${marker} workflow ${i}`));
    await api.get('/api/workflows').query({ cursor: 'not-a-cursor' }).expect(400);
    await api.get('/api/workflows').query({ limit: 1000 }).expect(400);
    await api.get('/api/workflows').query({ status: 'deleted' }).expect(400);
  });

  it('answers bad input with 4xx problem+json and appends nothing', async () => {
    const before = await eventCount();
    const cases: [string, request.Test][] = [
      ['malformed JSON', api.post('/api/workflows').set('Content-Type', 'application/json').send('{"name": "x",')],
      ['unknown field', api.post('/api/workflows').send({ name: 'x', owner: 'me' })],
      ['wrong type', api.post('/api/workflows').send({ name: 42 })],
      ['missing name', api.post('/api/workflows').send({ description: 'no name' })],
      ['over-long name', api.post('/api/workflows').send({ name: 'n'.repeat(201) })],
      ['blank name', api.post('/api/workflows').send({ name: '   ' })],
      ['body over 1 MB', api.post('/api/workflows').send({ name: 'big', description: 'x'.repeat(1_100_000) })],
      ['nothing to change', api.put('/api/workflows/7f1c1c5e-5f1a-4c43-9a58-2d0c7f3f9b10').send({})],
      ['bad If-Match', api.put('/api/workflows/7f1c1c5e-5f1a-4c43-9a58-2d0c7f3f9b10').set('If-Match', 'yesterday').send({ name: 'x' })],
    ];
    for (const [label, pending] of cases) {
      const res = await pending;
      expect({ label, status: res.status >= 400 && res.status < 500 }).toEqual({ label, status: true });
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.body).toMatchObject({ type: expect.stringMatching(/^https:\/\/bluebird\.dev\/problems\//), status: res.status });
    }
    const big = await api.post('/api/workflows').send({ name: 'big', description: 'x'.repeat(1_100_000) });
    expect(big.status).toBe(413);
    expect(await eventCount()).toBe(before);
  });

  it('answers an unknown id with 404 problem+json', async () => {
    for (const id of ['7f1c1c5e-5f1a-4c43-9a58-2d0c7f3f9b10', 'not-a-uuid']) {
      const res = await api.get(`/api/workflows/${id}`).expect(404);
      expect(res.body.type).toMatch(/workflow-not-found/);
      await api.put(`/api/workflows/${id}`).send({ name: 'x' }).expect(404);
      await api.delete(`/api/workflows/${id}`).expect(404);
    }
  });

  it('serves health, readiness, metrics, OpenAPI and the designer', async () => {
    await request(http).get('/api/health').expect(200);
    const ready = await request(http).get('/api/health/ready').expect(200);
    expect(ready.body.details).toMatchObject({ database: { status: 'up' }, broker: { status: 'up' }, eventStore: { status: 'up' } });

    const metrics = await request(http).get('/metrics').expect(200);
    for (const name of ['bluebird_commands_total', 'bluebird_events_appended_total', 'bluebird_append_duration_seconds', 'bluebird_projection_lag_seconds', 'bluebird_broker_messages_total']) {
      expect(metrics.text).toContain(name);
    }
    expect(metrics.text).toMatch(/bluebird_commands_total\{command="CreateWorkflow",outcome="accepted"\} \d+/);

    const openapi = await request(http).get('/api/docs/openapi.json').expect(200);
    expect(Object.keys(openapi.body.paths)).toEqual(expect.arrayContaining(['/api/workflows', '/api/workflows/{id}']));

    const page = await request(http).get('/').set('Accept', 'text/html').expect(200);
    expect(page.text).toContain('<bb-root>');
    expect(page.text).toContain('<title>BlueBirdHub Workflows</title>');
  });
});
