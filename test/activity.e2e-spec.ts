import { createHash } from 'node:crypto';
import request from 'supertest';
import type { App } from 'supertest/types';
import type { ActivityDto, NotificationDto, Page } from '@contracts';
import { START_POSITION } from '@contracts';
import { activityProjector } from '../projections/activity/activity.projector';
import { notificationProjector } from '../projections/notification/notification.projector';
import { ProjectionRunner } from '../projections/runner';
import { allProjectors } from '../projections';
import { as, startTestApp, type TestApp } from './support/test-app';

type Api = ReturnType<typeof as>;
const FEED_CATEGORIES = ['workflow', 'workspace', 'user'];

/** F5 over HTTP: the workspace and workflow feeds, and notifications with read marks. */
describe('activity feed and notifications', () => {
  let t: TestApp;
  let http: App;
  let owner: Api;
  let ownerId: string;
  let workspaceA: string;
  const bob = { id: '', api: undefined as unknown as Api, email: 'bob@test.local' };
  const carol = { id: '', api: undefined as unknown as Api, email: 'carol@test.local' };
  let teamId: string;
  let workflowId: string;
  let linkToken: string;
  let workspaceB: string;
  let bobsWorkflowId: string;

  async function eventually<T>(read: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await read();
      if (ok(value) || Date.now() > deadline) return value;
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async function invite(email: string, displayName: string, role: string) {
    const res = await owner.post('/api/users').send({ email, displayName, role }).expect(201);
    const token = await t.login(email, res.body.temporaryPassword);
    return { id: res.body.id as string, api: as(http, token) };
  }

  /** Every page of a feed, following nextCursor. */
  async function allPages<T>(api: Api, url: string, headers: Record<string, string> = {}, limit = 7): Promise<T[]> {
    const items: T[] = [];
    let cursor: string | undefined;
    do {
      const res = await api.get(url).set(headers).query({ limit, ...(cursor ? { cursor } : {}) }).expect(200);
      const page = res.body as Page<T>;
      expect(page.items.length).toBeLessThanOrEqual(limit);
      items.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    return items;
  }

  /** Waits until both projections have applied every event of their categories in the store. */
  async function projectionsSettled(): Promise<number> {
    const events = await t.infra.store.readAll({ after: START_POSITION, limit: 100_000, categories: FEED_CATEGORIES });
    const { db } = t.infra.database;
    await eventually(
      async () => {
        const [a, n] = await Promise.all(
          ['activity', 'notification'].map((p) =>
            db.selectFrom('projection_checkpoint').select((eb) => eb.fn.sum<string>('events_applied').as('n')).where('projection', '=', p).executeTakeFirst(),
          ),
        );
        return [Number(a?.n ?? 0), Number(n?.n ?? 0)];
      },
      ([a, n]) => a >= events.length && n >= events.length,
    );
    return events.length;
  }

  beforeAll(async () => {
    t = await startTestApp();
    http = t.app.getHttpServer();
    owner = as(http, await t.login());
    const me = await owner.get('/api/auth/me').expect(200);
    ownerId = me.body.id;
    workspaceA = (await owner.get('/api/workspaces').expect(200)).body[0].id;

    Object.assign(bob, await invite(bob.email, 'Bob Builder', 'editor'));
    Object.assign(carol, await invite(carol.email, 'Carol Viewer', 'viewer'));
    teamId = (await owner.post(`/api/workspaces/${workspaceA}/teams`).send({ name: 'Reviewers' }).expect(201)).body.id;
    await owner.post(`/api/workspaces/${workspaceA}/teams/${teamId}/members`).send({ userId: carol.id }).expect(201);

    // A workflow with a history: created, renamed, shared with Bob and with Carol's team, a public link.
    workflowId = (await owner.post('/api/workflows').send({ name: 'Onboarding', description: 'Set up new customers' }).expect(201)).body.id;
    await owner.put(`/api/workflows/${workflowId}`).send({ name: 'Onboarding v2' }).expect(200);
    await owner.post(`/api/workflows/${workflowId}/shares`).send({ grantee: { kind: 'user', id: bob.id }, permission: 'edit' }).expect(201);
    await owner.post(`/api/workflows/${workflowId}/shares`).send({ grantee: { kind: 'team', id: teamId }, permission: 'run' }).expect(201);
    linkToken = (await owner.post(`/api/workflows/${workflowId}/public-links`).send({ expiresInHours: 24 }).expect(201)).body.token;
    // A reset password: its hash must not reach any feed either.
    const erin = await owner.post('/api/users').send({ email: 'erin@test.local', displayName: 'Erin', role: 'viewer' }).expect(201);
    await owner.post(`/api/users/${erin.body.id}/reset-password`).expect(200);

    // Bob's own workspace, with a workflow of its own: none of it may show in workspace A.
    workspaceB = (await bob.api.post('/api/workspaces').send({ name: 'Bob Co' }).expect(201)).body.id;
    bobsWorkflowId = (await bob.api.post('/api/workflows').set('X-Workspace-Id', workspaceB).send({ name: 'Bob secret plan' }).expect(201)).body.id;
    await projectionsSettled();
  });
  afterAll(async () => t?.close());

  it("shows the workspace's events newest first, with who and what", async () => {
    const feed = await allPages<ActivityDto>(owner, '/api/activity');
    const ofWorkflow = feed.filter((e) => e.workflowId === workflowId);
    expect(ofWorkflow.map((e) => e.type)).toEqual(['PublicLinkCreated', 'WorkflowShared', 'WorkflowShared', 'WorkflowRenamed', 'WorkflowCreated']);
    for (const e of ofWorkflow) {
      expect(e).toMatchObject({ workspaceId: workspaceA, streamId: `workflow-${workflowId}`, actor: { id: ownerId, name: 'Owner' } });
      expect(new Date(e.occurredAt).toISOString()).toBe(e.occurredAt);
    }
    expect(ofWorkflow[3].summary).toEqual({ name: 'Onboarding v2', previousName: 'Onboarding' });
    expect(ofWorkflow[2].summary).toEqual({ shareId: expect.any(String), grantee: { kind: 'user', id: bob.id }, permission: 'edit' });
    expect(ofWorkflow[0].summary).toEqual({ linkId: expect.any(String), expiresAt: expect.any(String), includeExecutions: false });

    // Newest first across the whole feed, by log position.
    const positions = feed.map((e) => e.position.split('.').map(BigInt));
    for (let i = 1; i < positions.length; i++) {
      const [a, b] = [positions[i - 1], positions[i]];
      expect(a[0] > b[0] || (a[0] === b[0] && a[1] > b[1])).toBe(true);
    }
    // Workspace and user events of A are there too.
    const types = feed.map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['UserRegistered', 'MemberAdded', 'TeamCreated', 'TeamMemberAdded', 'UserPasswordChanged']));
    expect(feed.find((e) => e.type === 'UserRegistered' && e.summary.email === bob.email)).toMatchObject({
      streamId: `user-${bob.id}`,
      summary: { email: bob.email, displayName: 'Bob Builder' },
    });
    // A viewer of the workspace reads the same feed.
    const carolsFeed = await allPages<ActivityDto>(carol.api, '/api/activity', {}, 100);
    expect(carolsFeed.map((e) => e.id)).toEqual(feed.map((e) => e.id));
  });

  it('shows nothing from another workspace', async () => {
    const feedA = await allPages<ActivityDto>(owner, '/api/activity', {}, 100);
    expect(feedA.every((e) => e.workspaceId === workspaceA)).toBe(true);
    expect(feedA.some((e) => e.workflowId === bobsWorkflowId || e.streamId === `workspace-${workspaceB}`)).toBe(false);
    expect(JSON.stringify(feedA)).not.toContain('Bob secret plan');

    const feedB = await allPages<ActivityDto>(bob.api, '/api/activity', { 'X-Workspace-Id': workspaceB }, 100);
    expect(feedB.map((e) => e.type)).toEqual(['WorkflowCreated', 'MemberAdded', 'WorkspaceCreated']);
    expect(feedB.every((e) => e.workspaceId === workspaceB && e.actor.id === bob.id)).toBe(true);
    expect(feedB[0]).toMatchObject({ workflowId: bobsWorkflowId, summary: { name: 'Bob secret plan' } });

    // Not a member of B: the owner cannot read its feed, nor its workflow's.
    await owner.get('/api/activity').set('X-Workspace-Id', workspaceB).expect(404);
    await owner.get(`/api/workflows/${bobsWorkflowId}/activity`).expect(404);
  });

  it("shows one workflow's events, paged", async () => {
    const all = (await owner.get(`/api/workflows/${workflowId}/activity`).expect(200)).body as Page<ActivityDto>;
    expect(all.items.map((e) => e.type)).toEqual(['PublicLinkCreated', 'WorkflowShared', 'WorkflowShared', 'WorkflowRenamed', 'WorkflowCreated']);
    expect(all.nextCursor).toBeUndefined();
    expect(all.items.every((e) => e.workflowId === workflowId)).toBe(true);

    const first = (await owner.get(`/api/workflows/${workflowId}/activity`).query({ limit: 2 }).expect(200)).body as Page<ActivityDto>;
    expect(first.items).toHaveLength(2);
    expect(first.nextCursor).toEqual(expect.any(String));
    const paged = await allPages<ActivityDto>(owner, `/api/workflows/${workflowId}/activity`, {}, 2);
    expect(paged).toEqual(all.items);

    // A viewer of the workspace may read it (view from the role).
    await carol.api.get(`/api/workflows/${workflowId}/activity`).expect(200);
  });

  it('never shows a secret: no password hash, no link token or its hash', async () => {
    const tokenHash = createHash('sha256').update(linkToken).digest('hex');
    const feeds = JSON.stringify([
      await allPages<ActivityDto>(owner, '/api/activity', {}, 100),
      await allPages<ActivityDto>(bob.api, '/api/activity', { 'X-Workspace-Id': workspaceB }, 100),
      await allPages<ActivityDto>(owner, `/api/workflows/${workflowId}/activity`, {}, 100),
    ]);
    // Every row of the table, also those of no workspace (the first owner).
    const rows = JSON.stringify(await t.infra.database.db.selectFrom('activity').selectAll().execute());
    for (const text of [feeds, rows]) {
      expect(text).not.toContain('scrypt$');
      expect(text).not.toContain(tokenHash);
      expect(text).not.toContain(linkToken);
      expect(text).not.toMatch(/passwordHash|tokenHash/);
    }
    // The hashes are in the log, so the test looks for something that is really there.
    const log = JSON.stringify(await t.infra.store.readAll({ after: START_POSITION, limit: 100_000 }), (_k, v) => (typeof v === 'bigint' ? String(v) : v));
    expect(log).toContain('scrypt$');
    expect(log).toContain(tokenHash);
  });

  it('notifies a user of a share to them and to their team, and of being added to a workspace', async () => {
    const bobs = (await bob.api.get('/api/notifications').expect(200)).body as Page<NotificationDto>;
    expect(bobs.items.map((n) => n.type)).toEqual(['WorkflowShared', 'MemberAdded']); // not his own workspace B
    expect(bobs.items[0]).toMatchObject({
      read: false,
      actor: { id: ownerId, name: 'Owner' },
      workflow: { id: workflowId, name: 'Onboarding v2' },
      workspace: { id: workspaceA },
      permission: 'edit',
      message: 'Owner shared "Onboarding v2" with you (edit)',
    });
    expect(bobs.items[0].team).toBeUndefined();
    expect(bobs.items[1]).toMatchObject({ role: 'editor', workspace: { id: workspaceA, name: 'Default workspace' }, read: false });

    const carols = (await carol.api.get('/api/notifications').expect(200)).body as Page<NotificationDto>;
    expect(carols.items.map((n) => n.type)).toEqual(['WorkflowShared', 'MemberAdded']);
    expect(carols.items[0]).toMatchObject({ team: { id: teamId, name: 'Reviewers' }, permission: 'run', workflow: { id: workflowId } });

    // The owner did all that: none of it is news to him.
    const owners = (await owner.get('/api/notifications').expect(200)).body as Page<NotificationDto>;
    expect(owners.items.some((n) => n.type === 'WorkflowShared')).toBe(false);
  });

  it('marks a notification read: ?unread=true hides it; someone else cannot mark it', async () => {
    const [shared] = ((await bob.api.get('/api/notifications').query({ unread: 'true' }).expect(200)).body as Page<NotificationDto>).items;
    expect(shared.type).toBe('WorkflowShared');

    // Not Carol's: it looks like it does not exist, and nothing is appended.
    const before = await t.infra.store.estimateCount();
    const foreign = await carol.api.post(`/api/notifications/${shared.id}/read`).expect(404);
    expect(foreign.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(foreign.body).toMatchObject({ type: expect.stringContaining('notification-not-found'), status: 404 });
    await carol.api.post('/api/notifications/00000000-0000-4000-8000-000000000000/read').expect(404);
    await carol.api.post('/api/notifications/not-an-id/read').expect(404);
    expect(await t.infra.store.estimateCount()).toBe(before);

    expect((await bob.api.post(`/api/notifications/${shared.id}/read`).expect(200)).body).toEqual({ id: shared.id, read: true });
    const unread = (await bob.api.get('/api/notifications').query({ unread: 'true' }).expect(200)).body as Page<NotificationDto>;
    expect(unread.items.map((n) => n.id)).not.toContain(shared.id);
    expect(unread.items.map((n) => n.type)).toEqual(['MemberAdded']);
    const all = (await bob.api.get('/api/notifications').expect(200)).body as Page<NotificationDto>;
    expect(all.items.find((n) => n.id === shared.id)).toMatchObject({ read: true });

    // Again: still read, nothing new appended.
    const count = await t.infra.store.estimateCount();
    await bob.api.post(`/api/notifications/${shared.id}/read`).expect(200);
    expect(await t.infra.store.estimateCount()).toBe(count);

    // Read marks are per person: Carol's team notification is still unread for her; she reads it.
    const [teamShare] = ((await carol.api.get('/api/notifications').query({ unread: 'true', limit: 1 }).expect(200)).body as Page<NotificationDto>).items;
    expect(teamShare).toMatchObject({ type: 'WorkflowShared', read: false });
    await carol.api.post(`/api/notifications/${teamShare.id}/read`).expect(200);
    const carolsUnread = (await carol.api.get('/api/notifications').query({ unread: 'true' }).expect(200)).body as Page<NotificationDto>;
    expect(carolsUnread.items.map((n) => n.type)).toEqual(['MemberAdded']);
  });

  it('pages notifications with limit and cursor', async () => {
    const first = (await bob.api.get('/api/notifications').query({ limit: 1 }).expect(200)).body as Page<NotificationDto>;
    expect(first.items).toHaveLength(1);
    const second = (await bob.api.get('/api/notifications').query({ limit: 1, cursor: first.nextCursor }).expect(200)).body as Page<NotificationDto>;
    expect(second.items).toHaveLength(1);
    expect(second.nextCursor).toBeUndefined();
    expect([...first.items, ...second.items].map((n) => n.type)).toEqual(['WorkflowShared', 'MemberAdded']);
  });

  it('answers bad paging input with 400 problem+json', async () => {
    const cases: [string, Record<string, string>][] = [
      ['/api/activity', { limit: '0' }],
      ['/api/activity', { limit: '101' }],
      ['/api/activity', { limit: 'ten' }],
      ['/api/activity', { cursor: 'not-a-cursor' }],
      ['/api/activity', { cursor: Buffer.from(JSON.stringify(['1', '99999999999999999999'])).toString('base64url') }],
      ['/api/activity', { cursor: Buffer.from(JSON.stringify(['1', '-1'])).toString('base64url') }],
      ['/api/activity', { sort: 'asc' }],
      [`/api/workflows/${workflowId}/activity`, { limit: '-3' }],
      [`/api/workflows/${workflowId}/activity`, { cursor: 'AAAA' }],
      ['/api/notifications', { unread: 'maybe' }],
      ['/api/notifications', { limit: '1000' }],
      ['/api/notifications', { cursor: '%%%' }],
    ];
    for (const [url, query] of cases) {
      const res = await owner.get(url).query(query);
      expect({ url, query, status: res.status }).toEqual({ url, query, status: 400 });
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.body).toMatchObject({ type: expect.stringMatching(/^https:\/\/bluebird\.dev\/problems\//), status: 400 });
    }
  });

  it('needs a signed-in caller', async () => {
    await request(http).get('/api/activity').expect(401);
    await request(http).get('/api/notifications').expect(401);
    await request(http).post('/api/notifications/00000000-0000-4000-8000-000000000000/read').expect(401);
  });

  it('rebuilds activity and notifications equal to the live tables', async () => {
    const events = await projectionsSettled();
    const { db } = t.infra.database;
    const snapshot = async () => ({
      activity: await db.selectFrom('activity').selectAll().orderBy('event_id').execute(),
      notification: await db.selectFrom('notification').selectAll().orderBy('notification_id').execute(),
      notificationRead: await db.selectFrom('notification_read').selectAll().orderBy('notification_id').orderBy('user_id').execute(),
    });
    const live = await snapshot();
    expect(live.activity).toHaveLength(events);
    expect(live.notificationRead).toHaveLength(2);

    const runner = new ProjectionRunner(db, t.infra.store, t.infra.broker, allProjectors);
    expect(await runner.rebuild(activityProjector)).toBe(events);
    expect(await runner.rebuild(notificationProjector)).toBe(events);
    expect(await snapshot()).toEqual(live);
  });
});
