import request from 'supertest';
import type { App } from 'supertest/types';
import { as, startTestApp, type TestApp } from './support/test-app';

type Api = ReturnType<typeof as>;

/** BlueBirdHub's tasks over HTTP (issue 5: the tasks create_task and update_task steps make and change). */
describe('tasks API', () => {
  let t: TestApp;
  let http: App;
  let owner: Api;
  let ownerId: string;
  let ws: string;
  let viewer: { id: string; api: Api };
  const eventCount = () => t.infra.store.estimateCount();

  beforeAll(async () => {
    t = await startTestApp();
    http = t.app.getHttpServer();
    owner = as(http, await t.login());
    ownerId = (await owner.get('/api/auth/me').expect(200)).body.id;
    ws = (await owner.get('/api/workspaces').expect(200)).body[0].id;
    const invited = await owner.post('/api/users').send({ email: 'viewer@tasks.test', displayName: 'Vi', role: 'viewer' }).expect(201);
    viewer = { id: invited.body.id, api: as(http, await t.login('viewer@tasks.test', invited.body.temporaryPassword)) };
  }, 120_000);
  afterAll(async () => t?.close());

  async function create(body: Record<string, unknown>, api: Api = owner) {
    return (await api.post('/api/tasks').send(body).expect(201)).body as { id: string; revision: number; position: string };
  }

  /** Sends, expects a problem with this status and type, and checks that nothing was appended. */
  async function refused(send: () => request.Test, status: number, type: string) {
    const before = await eventCount();
    const res = await send();
    expect({ status: res.status, type: res.body.type }).toEqual({ status, type: `https://bluebird.dev/problems/${type}` });
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(await eventCount()).toBe(before);
    return res;
  }

  it('creates a task (201, id, ETag, Location) that a GET right after shows, without waiting', async () => {
    const res = await owner
      .post('/api/tasks')
      .send({ title: ' Call the customer ', description: 'About the renewal', priority: 'high', assigneeId: ownerId, dueAt: '2027-01-31', labels: ['sales'] })
      .expect(201);
    expect(res.body).toMatchObject({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), revision: 0, position: expect.stringMatching(/^\d+\.\d+$/) });
    expect(res.headers.etag).toBe('"0"');
    expect(res.headers.location).toBe(`/api/tasks/${res.body.id}`);

    const one = await owner.get(`/api/tasks/${res.body.id}`).expect(200);
    expect(one.body).toEqual({
      id: res.body.id,
      workspaceId: ws,
      title: 'Call the customer',
      description: 'About the renewal',
      status: 'open',
      priority: 'high',
      assigneeId: ownerId,
      dueAt: '2027-01-31T00:00:00.000Z',
      labels: ['sales'],
      createdBy: ownerId,
      source: null,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
      revision: 0,
    });
    expect(one.headers.etag).toBe('"0"');
    await owner.get(`/api/tasks/${res.body.id}`).set('If-None-Match', '"0"').expect(304);
    const list = await owner.get('/api/tasks').query({ limit: 100 }).expect(200);
    expect(list.body.items.filter((x: { id: string }) => x.id === res.body.id)).toHaveLength(1);
  });

  it('changes a task with If-Match; a stale If-Match is 412 and appends nothing; a change to nothing appends nothing', async () => {
    const { id } = await create({ title: 'Review contract' });
    const ok = await owner.patch(`/api/tasks/${id}`).set('If-Match', '"0"').send({ status: 'in_progress', labels: ['legal'], comment: 'Started' }).expect(200);
    expect(ok.body).toMatchObject({ id, revision: 1 });
    expect(ok.headers.etag).toBe('"1"');
    expect((await owner.get(`/api/tasks/${id}`).expect(200)).body).toMatchObject({ status: 'in_progress', labels: ['legal'], revision: 1 });

    const stale = await refused(() => owner.patch(`/api/tasks/${id}`).set('If-Match', '"0"').send({ title: 'Lost update' }), 412, 'precondition-failed');
    expect(stale.body.currentRevision).toBe(1);

    const before = await eventCount();
    const same = await owner.patch(`/api/tasks/${id}`).send({ status: 'in_progress', labels: ['legal'] }).expect(200);
    expect(same.body).toEqual({ id, revision: 1 });
    expect(await eventCount()).toBe(before);

    await owner.patch(`/api/tasks/${id}`).send({ description: 'x', dueAt: '2027-06-01T09:00:00+02:00' }).expect(200);
    const cleared = await owner.patch(`/api/tasks/${id}`).send({ description: null, dueAt: null }).expect(200);
    expect(cleared.body.revision).toBe(3);
    expect((await owner.get(`/api/tasks/${id}`).expect(200)).body).toMatchObject({ description: null, dueAt: null, revision: 3 });
  });

  it('lists the workspace tasks by status, assignee, label and text, a page at a time', async () => {
    const tag = `batch${Date.now()}`;
    const made: string[] = [];
    for (let i = 0; i < 5; i++) {
      made.push((await create({ title: `Invoice ${i} ${tag}`, status: i < 2 ? 'done' : 'open', labels: i === 4 ? [tag] : [], assigneeId: i === 3 ? viewer.id : undefined })).id);
    }
    const ids = async (query: Record<string, unknown>) => ((await owner.get('/api/tasks').query({ q: tag, limit: 100, ...query }).expect(200)).body.items as { id: string }[]).map((x) => x.id);
    expect((await ids({})).sort()).toEqual([...made].sort());
    expect((await ids({ status: 'done' })).sort()).toEqual(made.slice(0, 2).sort());
    expect((await ids({ status: 'open,done' })).sort()).toEqual([...made].sort());
    expect(await ids({ assignee: viewer.id })).toEqual([made[3]]);
    expect(await ids({ label: tag })).toEqual([made[4]]);
    expect((await ids({ assignee: 'none' })).sort()).toEqual([made[0], made[1], made[2], made[4]].sort());
    expect(await ids({ q: 'no such words anywhere' })).toEqual([]);
    // Most recently changed first; two at a time, every task once.
    const seen: { id: string; updatedAt: string }[] = [];
    let cursor: string | undefined;
    do {
      const page = await owner.get('/api/tasks').query({ q: tag, limit: 2, ...(cursor ? { cursor } : {}) }).expect(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.items);
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen.map((x) => x.id).sort()).toEqual([...made].sort());
    const times = seen.map((x) => x.updatedAt);
    expect(times).toEqual([...times].sort().reverse());
    const mine = await viewer.api.get('/api/tasks').query({ assignee: 'me', q: tag }).expect(200);
    expect(mine.body.items.map((x: { id: string }) => x.id)).toEqual([made[3]]);
  });

  it('refuses bad input with a problem and appends nothing', async () => {
    await refused(() => owner.post('/api/tasks').send({}), 400, 'bad-request');
    await refused(() => owner.post('/api/tasks').send({ title: 'x'.repeat(201) }), 400, 'bad-request');
    await refused(() => owner.post('/api/tasks').send({ title: 'T', status: 'finished' }), 400, 'bad-request');
    await refused(() => owner.post('/api/tasks').send({ title: 'T', priority: null }), 400, 'bad-request');
    await refused(() => owner.post('/api/tasks').send({ title: 'T', assigneeId: 'bob' }), 400, 'bad-request');
    await refused(() => owner.post('/api/tasks').send({ title: 'T', dueAt: 'tomorrow' }), 400, 'bad-request');
    await refused(() => owner.post('/api/tasks').send({ title: 'T', labels: [' padded'] }), 400, 'bad-request');
    await refused(() => owner.post('/api/tasks').send({ title: 'T', workspaceId: ws, secret: 1 }), 400, 'bad-request');
    await refused(() => owner.post('/api/tasks').send({ title: '   ' }), 422, 'task-title-required');
    await refused(() => owner.post('/api/tasks').send({ title: 'T', dueAt: '2027-02-30' }), 422, 'invalid-due-at');
    await refused(() => owner.post('/api/tasks').send({ title: 'T', assigneeId: '00000000-0000-4000-8000-000000000000' }), 422, 'assignee-not-member');

    const { id } = await create({ title: 'Target' });
    await refused(() => owner.patch(`/api/tasks/${id}`).send({}), 400, 'nothing-to-change');
    await refused(() => owner.patch(`/api/tasks/${id}`).send({ title: null }), 400, 'bad-request');
    await refused(() => owner.patch(`/api/tasks/${id}`).send({ status: 'done', id: 'other' }), 400, 'bad-request');
    await refused(() => owner.patch(`/api/tasks/${id}`).set('If-Match', 'yesterday').send({ status: 'done' }), 400, 'invalid-if-match');
    await refused(() => owner.patch(`/api/tasks/${id}`).send({ addLabels: Array.from({ length: 21 }, (_, i) => `l${i}`) }), 400, 'bad-request');
    await refused(() => owner.get('/api/tasks').query({ status: 'open,nope' }), 400, 'bad-request');
    await refused(() => owner.get('/api/tasks').query({ assignee: 'someone' }), 400, 'bad-request');
    await refused(() => owner.get('/api/tasks').query({ cursor: 'garbage' }), 400, 'invalid-cursor');
    await refused(() => owner.get('/api/tasks/not-a-uuid'), 404, 'task-not-found');
    await refused(() => owner.patch('/api/tasks/00000000-0000-4000-8000-000000000000').send({ status: 'done' }), 404, 'task-not-found');
  });

  it('answers 404 for a task of another workspace, even to someone who is a member there', async () => {
    const other = (await owner.post('/api/workspaces').send({ name: 'Second' }).expect(201)).body.id as string;
    const { id } = (await owner.post('/api/tasks').set('X-Workspace-Id', other).send({ title: 'Elsewhere' }).expect(201)).body;
    await owner.get(`/api/tasks/${id}`).set('X-Workspace-Id', other).expect(200);
    await refused(() => owner.get(`/api/tasks/${id}`).set('X-Workspace-Id', ws), 404, 'task-not-found');
    await refused(() => owner.patch(`/api/tasks/${id}`).set('X-Workspace-Id', ws).send({ status: 'done' }), 404, 'task-not-found');
    await refused(() => owner.patch(`/api/tasks/${id}`).set('X-Workspace-Id', ws).set('If-Match', '"5"').send({ status: 'done' }), 404, 'task-not-found');
    const list = await owner.get('/api/tasks').set('X-Workspace-Id', ws).query({ q: 'Elsewhere' }).expect(200);
    expect(list.body.items).toEqual([]);
    // A viewer of the first workspace only does not even learn the second exists.
    await refused(() => viewer.api.get(`/api/tasks/${id}`).set('X-Workspace-Id', other), 404, 'workspace-not-found');
  });

  it('lets a viewer read tasks, and move the status of a task assigned to them, but nothing else', async () => {
    await refused(() => viewer.api.post('/api/tasks').send({ title: 'Mine' }), 403, 'forbidden');
    const { id } = await create({ title: 'For the viewer', assigneeId: viewer.id });
    const { id: notTheirs } = await create({ title: 'Not for the viewer' });
    await viewer.api.get(`/api/tasks/${id}`).expect(200);
    const done = await viewer.api.patch(`/api/tasks/${id}`).send({ status: 'done', comment: 'Finished' }).expect(200);
    expect(done.body.revision).toBe(1);
    await refused(() => viewer.api.patch(`/api/tasks/${id}`).send({ title: 'Renamed' }), 403, 'forbidden');
    await refused(() => viewer.api.patch(`/api/tasks/${notTheirs}`).send({ status: 'done' }), 403, 'forbidden');
  });
});
