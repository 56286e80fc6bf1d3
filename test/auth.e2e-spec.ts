import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JwtService } from '@nestjs/jwt';
import request from 'supertest';
import type { App } from 'supertest/types';
import { ALL_ROLES, loadConfig } from '../src/config';
import { createApp } from '../src/bootstrap';
import { openInfrastructure } from '../src/infrastructure';
import { startTestApp, testConfig, type TestApp } from './support/test-app';
import { TEST_DATABASE_URL } from './support/test-database';

/** Sign-in, tokens, accounts, public links and input safety (F1, F3, F6), over HTTP on the real stack. */

interface Api {
  get(url: string): request.Test;
  post(url: string): request.Test;
  put(url: string): request.Test;
  patch(url: string): request.Test;
  delete(url: string): request.Test;
}

function client(http: App, token?: string, workspaceId?: string): Api {
  const headers = (test: request.Test) => {
    if (token) test.set('Authorization', `Bearer ${token}`);
    if (workspaceId) test.set('X-Workspace-Id', workspaceId);
    return test;
  };
  return {
    get: (url) => headers(request(http).get(url)),
    post: (url) => headers(request(http).post(url)),
    put: (url) => headers(request(http).put(url)),
    patch: (url) => headers(request(http).patch(url)),
    delete: (url) => headers(request(http).delete(url)),
  };
}

/** A problem+json answer with this status and problem type. */
function expectProblem(res: request.Response, status: number, code?: string): void {
  expect({ status: res.status, contentType: res.headers['content-type'] }).toEqual({ status, contentType: expect.stringMatching(/^application\/problem\+json/) });
  expect(res.body).toMatchObject({ type: expect.stringMatching(/^https:\/\/bluebird\.dev\/problems\//), status });
  if (code) expect(res.body.type).toBe(`https://bluebird.dev/problems/${code}`);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The first owner, as BLUEBIRD_ADMIN_EMAIL / BLUEBIRD_ADMIN_PASSWORD would name them. */
const BOSS = { email: 'Boss@Example.test', password: 'boss-password-1' };

/** Polls until the read model shows what a command did (projections are asynchronous). */
async function eventually(read: () => Promise<request.Response>, ok: (r: request.Response) => boolean, timeoutMs = 5000): Promise<request.Response> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await read();
    if (ok(res) || Date.now() > deadline) return res;
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('authentication, accounts and input safety', () => {
  let t: TestApp;
  let http: App;
  let bossToken: string;
  /** Signed in once: the first owner's e-mail has the login limit too, so tests reuse this session. */
  let bossSession: { accessToken: string; refreshToken: string; user: { id: string } };
  let boss: Api;
  let ws: string;
  let counter = 0;
  const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${++counter}`;
  const eventCount = () => t.infra.store.estimateCount();

  async function login(email: string, password: string) {
    return request(http).post('/api/auth/login').send({ email, password });
  }

  async function invite(role: 'owner' | 'admin' | 'editor' | 'viewer' = 'editor', api: Api = boss) {
    const email = `${unique(role)}@example.test`;
    const res = await api.post('/api/users').send({ email, displayName: `A ${role}`, role });
    expect(res.status).toBe(201);
    return { id: res.body.id as string, email, password: res.body.temporaryPassword as string };
  }

  async function signIn(email: string, password: string) {
    const res = await login(email, password);
    expect(res.status).toBe(200);
    return res.body as { accessToken: string; refreshToken: string; mustChangePassword: boolean; user: { id: string } };
  }

  async function jwtSecret(): Promise<string> {
    const row = await t.infra.database.db.selectFrom('app_setting').select('value').where('key', '=', 'jwt_secret').executeTakeFirstOrThrow();
    return row.value;
  }

  beforeAll(async () => {
    const fromEnv = loadConfig({ NODE_ENV: 'test', BLUEBIRD_ADMIN_EMAIL: BOSS.email, BLUEBIRD_ADMIN_PASSWORD: BOSS.password });
    t = await startTestApp(testConfig({ adminEmail: fromEnv.adminEmail, adminPassword: fromEnv.adminPassword }));
    http = t.app.getHttpServer();
    bossSession = await signIn(BOSS.email, BOSS.password);
    bossToken = bossSession.accessToken;
    ws = (await client(http, bossToken).get('/api/auth/me')).body.workspaces[0].id;
    boss = client(http, bossToken, ws);
  });
  afterAll(async () => t?.close());

  it('lets the first owner named by BLUEBIRD_ADMIN_EMAIL / BLUEBIRD_ADMIN_PASSWORD sign in, owning the default workspace', async () => {
    const session = await signIn(BOSS.email.toUpperCase(), BOSS.password);
    expect(session.mustChangePassword).toBe(false);
    const me = await client(http, session.accessToken).get('/api/auth/me').expect(200);
    expect(me.body).toMatchObject({ email: 'boss@example.test', mustChangePassword: false, workspaces: [{ name: 'Default workspace', role: 'owner' }] });
    expectProblem(await login(BOSS.email, 'not-the-password'), 401, 'invalid-credentials');
  });

  it('limits each signed-in user to RATE_LIMIT_PER_MINUTE requests on a route, with the X-RateLimit headers; others go on', async () => {
    const limit = t.infra.config.rateLimitPerMinute;
    const user = await invite();
    const busy = client(http, (await signIn(user.email, user.password)).accessToken);
    for (let i = 1; i <= limit; i++) {
      const res = await busy.get('/api/auth/me');
      if (res.status !== 200 || Number(res.headers['x-ratelimit-remaining']) !== limit - i) throw new Error(`request ${i}: ${res.status}, remaining ${res.headers['x-ratelimit-remaining']}`);
    }
    const refused = await busy.get('/api/auth/me');
    expectProblem(refused, 429, 'too-many-requests');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    await boss.get('/api/auth/me').expect(200);
  }, 60_000);

  describe('login brute force', () => {
    // Read the way the app reads it (see the report: the decorator reads the environment, not the app's config).
    const limit = loadConfig().loginRateLimitPerMinute;

    it(`stops wrong passwords for one e-mail with 429 after ${limit} tries; another e-mail from the same client still signs in`, async () => {
      const victim = await invite();
      const bystander = await invite();
      for (let i = 0; i < limit; i++) expectProblem(await login(victim.email, `guess-${i}-wrong`), 401, 'invalid-credentials');
      expectProblem(await login(victim.email, 'one-guess-too-many'), 429, 'too-many-requests');
      // Locked for the minute, even with the right password and another spelling of the same address.
      expectProblem(await login(victim.email, victim.password), 429, 'too-many-requests');
      expectProblem(await login(victim.email.toUpperCase(), 'another-guess'), 429, 'too-many-requests');
      expect((await signIn(bystander.email, bystander.password)).accessToken).toEqual(expect.any(String));
    });

    it('cannot be dodged by padding the e-mail with spaces (login trims it; the limiter keys on it untrimmed)', async () => {
      const victim = await invite();
      for (let i = 0; i <= limit; i++) await login(victim.email, `guess-${i}-wrong`);
      expectProblem(await login(victim.email, 'locked-by-now'), 429);
      // Same account (the login trims the address), so the same limit must apply.
      expectProblem(await login(` ${victim.email}`, 'fresh-guess'), 429);
    });
  });

  describe('tokens', () => {
    it('answers an expired, tampered, foreign-signed or unsigned token with 401 problem+json', async () => {
      const session = bossSession;
      await client(http, session.accessToken).get('/api/auth/me').expect(200);
      const jwt = t.app.get(JwtService);
      const secret = await jwtSecret();
      const now = Math.floor(Date.now() / 1000);
      const claims = { sub: session.user.id, email: 'boss@example.test', typ: 'access' };
      const [header, payload, signature] = session.accessToken.split('.');
      const json = Buffer.from(payload, 'base64url').toString();
      const tamperedJson = json.replace(/"exp":(\d)/, (_m, d: string) => `"exp":${(Number(d) + 1) % 10}`);
      expect(tamperedJson).not.toBe(json);
      const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${Buffer.from(JSON.stringify({ ...claims, exp: now + 600 })).toString('base64url')}.`;

      const tokens: Record<string, string> = {
        expired: await jwt.signAsync({ ...claims, iat: now - 3600, exp: now - 1 }, { secret }),
        tampered: `${header}.${Buffer.from(tamperedJson).toString('base64url')}.${signature}`,
        'signed with another secret': await jwt.signAsync(claims, { secret: 'not-the-secret', expiresIn: 600 }),
        unsigned,
        'not a JWT': 'hello',
      };
      for (const [label, token] of Object.entries(tokens)) {
        const res = await client(http, token).get('/api/auth/me');
        expect({ label, status: res.status }).toEqual({ label, status: 401 });
        expectProblem(res, 401, 'unauthorized');
      }
      expectProblem(await request(http).get('/api/auth/me'), 401, 'unauthorized');
    });

    it('refuses a token from the second it expires, though it was accepted (and its signature checked) just before', async () => {
      const jwt = t.app.get(JwtService);
      const now = Math.floor(Date.now() / 1000);
      const token = await jwt.signAsync({ sub: bossSession.user.id, email: 'boss@example.test', typ: 'access', iat: now, exp: now + 2 }, { secret: await jwtSecret() });
      await client(http, token).get('/api/auth/me').expect(200);
      await client(http, token).get('/api/auth/me').expect(200);
      await new Promise((r) => setTimeout(r, (now + 2) * 1000 - Date.now() + 50));
      expectProblem(await client(http, token).get('/api/auth/me'), 401, 'unauthorized');
    });

    it('refreshes into a working access token; a refresh token is no access token, and an access token no refresh token', async () => {
      const session = bossSession;
      const refreshed = await request(http).post('/api/auth/refresh').send({ refreshToken: session.refreshToken }).expect(200);
      expect(refreshed.body).toMatchObject({ accessToken: expect.any(String), refreshToken: expect.any(String), user: { id: session.user.id } });
      await client(http, refreshed.body.accessToken).get('/api/auth/me').expect(200);

      expectProblem(await client(http, session.refreshToken).get('/api/auth/me'), 401, 'unauthorized');
      expectProblem(await request(http).post('/api/auth/refresh').send({ refreshToken: session.accessToken }), 401, 'invalid-refresh-token');
      expectProblem(await request(http).post('/api/auth/refresh').send({ refreshToken: 'garbage' }), 401, 'invalid-refresh-token');
    });

    it('refuses a disabled user: no sign-in, and no use of the access or refresh token they held', async () => {
      const user = await invite();
      const session = await signIn(user.email, user.password);
      await client(http, session.accessToken).get('/api/auth/me').expect(200);

      // Workflow routes check the account in the same query as the workflow: the token must stop there too.
      const workflowId = (await boss.post('/api/workflows').send({ name: unique('Theirs') }).expect(201)).body.id as string;
      await client(http, session.accessToken).get(`/api/workflows/${workflowId}`).expect(200);

      await boss.post(`/api/users/${user.id}/disable`).expect(200);
      expectProblem(await login(user.email, user.password), 401, 'invalid-credentials');
      expectProblem(await client(http, session.accessToken).get('/api/auth/me'), 401, 'unauthorized');
      expectProblem(await client(http, session.accessToken).get(`/api/workflows/${workflowId}`), 401, 'unauthorized');
      expectProblem(await client(http, session.accessToken).post(`/api/workflows/${workflowId}/execute`).send({ input: {} }), 401, 'unauthorized');
      expectProblem(await client(http, session.accessToken).get(`/api/workflows/${randomUUID()}`), 401, 'unauthorized'); // no such workflow
      expectProblem(await client(http, session.accessToken).get('/api/workflows/not-a-uuid'), 401, 'unauthorized');
      expectProblem(await request(http).post('/api/auth/refresh').send({ refreshToken: session.refreshToken }), 401, 'invalid-refresh-token');

      await boss.post(`/api/users/${user.id}/enable`).expect(200);
      await signIn(user.email, user.password);
    });

    it('ends the sessions issued before a password reset (a stolen refresh token must not outlive the reset)', async () => {
      const user = await invite();
      const stolen = await signIn(user.email, user.password);
      const workflowId = (await boss.post('/api/workflows').send({ name: unique('Reset') }).expect(201)).body.id as string;
      await client(http, stolen.accessToken).get(`/api/workflows/${workflowId}`).expect(200);
      await new Promise((r) => setTimeout(r, 5)); // the reset is later than the token by the clock too
      await boss.post(`/api/users/${user.id}/reset-password`).expect(200);
      expectProblem(await request(http).post('/api/auth/refresh').send({ refreshToken: stolen.refreshToken }), 401);
      expectProblem(await client(http, stolen.accessToken).get(`/api/workflows/${workflowId}`), 401, 'unauthorized');
      expectProblem(await client(http, stolen.accessToken).get('/api/auth/me'), 401, 'unauthorized');
    });
  });

  describe('accounts', () => {
    it('answers an invite with a temporary password once; the user must change it', async () => {
      const email = `${unique('Invitee')}@Example.test`;
      const invited = await boss.post('/api/users').send({ email, displayName: 'Invitee', role: 'viewer' }).expect(201);
      expect(invited.body).toMatchObject({ id: expect.any(String), email: email.toLowerCase(), role: 'viewer', temporaryPassword: expect.stringMatching(/^[A-Za-z0-9_-]{20,}$/) });
      const temporary: string = invited.body.temporaryPassword;

      // Nowhere else: not in the member list, not on a second invite (another workspace), not on a repeat (409).
      const members = await boss.get('/api/users').expect(200);
      expect(JSON.stringify(members.body)).not.toContain(temporary);
      expect(members.body.find((m: { id: string }) => m.id === invited.body.id)).toMatchObject({ role: 'viewer', disabled: false });
      const other = (await boss.post('/api/workspaces').send({ name: unique('Other') }).expect(201)).body.id;
      const again = await client(http, bossToken, other).post('/api/users').send({ email, displayName: 'Invitee' }).expect(201);
      expect(again.body).toEqual({ id: invited.body.id, email: email.toLowerCase(), role: 'editor' });
      expectProblem(await boss.post('/api/users').send({ email, displayName: 'Invitee' }), 409);

      const first = await signIn(email, temporary);
      expect(first.mustChangePassword).toBe(true);
      const me = client(http, first.accessToken);
      expect((await me.get('/api/auth/me').expect(200)).body.mustChangePassword).toBe(true);

      const changed = await me.post('/api/auth/password').send({ currentPassword: temporary, newPassword: 'my-own-password-1' }).expect(200);
      // The change ends the sessions issued before it (this one too) and answers a fresh pair.
      expectProblem(await me.get('/api/auth/me'), 401, 'unauthorized');
      expect((await client(http, changed.body.accessToken).get('/api/auth/me').expect(200)).body.mustChangePassword).toBe(false);
      expectProblem(await login(email, temporary), 401, 'invalid-credentials');
      expect((await signIn(email, 'my-own-password-1')).mustChangePassword).toBe(false);

      // A reset hands out a new temporary password, and the user must change it again.
      const reset = await boss.post(`/api/users/${invited.body.id}/reset-password`).expect(200);
      expect((await signIn(email, reset.body.temporaryPassword)).mustChangePassword).toBe(true);
    });

    it('changes the password with the right current one; a wrong one is 403 and appends nothing', async () => {
      const user = await invite();
      const me = client(http, (await signIn(user.email, user.password)).accessToken);
      const before = await eventCount();
      expectProblem(await me.post('/api/auth/password').send({ currentPassword: 'not-my-password', newPassword: 'attacker-choice-1' }), 403, 'wrong-password');
      expect(await eventCount()).toBe(before);
      expectProblem(await login(user.email, 'attacker-choice-1'), 401);

      await me.post('/api/auth/password').send({ currentPassword: user.password, newPassword: 'my-new-password-1' }).expect(200);
      await signIn(user.email, 'my-new-password-1');
    });

    it('does not let a signed-in user take over any account by adding it to their own workspace and resetting its password', async () => {
      // Anyone signed in may create a workspace (they own it) and add any active user to it by id;
      // user ids are visible to every member (GET /api/users). reset-password then only checks the
      // target's role in the caller's workspace, and answers a password for the whole account.
      const victim = await invite('admin');
      const mallory = await invite('viewer');
      const malloryApi = client(http, (await signIn(mallory.email, mallory.password)).accessToken);
      const victimId = (await malloryApi.get('/api/users').set('X-Workspace-Id', ws).expect(200)).body.find((m: { email: string }) => m.email === victim.email).id;
      const trap = (await malloryApi.post('/api/workspaces').send({ name: unique('Trap') }).expect(201)).body.id;
      await malloryApi.post(`/api/workspaces/${trap}/members`).send({ userId: victimId, role: 'viewer' });
      const reset = await malloryApi.post(`/api/users/${victimId}/reset-password`).set('X-Workspace-Id', trap);
      expect({ status: reset.status, temporaryPassword: reset.body.temporaryPassword }).toEqual({ status: expect.any(Number), temporaryPassword: undefined });
      expect(reset.status).not.toBe(200);
      await signIn(victim.email, victim.password);
    });
  });

  describe('public links', () => {
    it('answers a revoked, an expired and an unknown token with the same 404, revealing nothing', async () => {
      const name = unique('Secret plan');
      const workflowId = (await boss.post('/api/workflows').send({ name, description: 'internal' }).expect(201)).body.id;
      const link = async (body: object) => (await boss.post(`/api/workflows/${workflowId}/public-links`).send(body).expect(201)).body as { id: string; token: string };

      const live = await link({ expiresInHours: 1 });
      const shown = await request(http).get(`/api/public/${live.token}`).expect(200);
      expect(shown.body.workflow).toMatchObject({ id: workflowId, name });
      expect(Object.keys(shown.body.workflow).sort()).toEqual(['createdAt', 'description', 'id', 'name', 'status', 'updatedAt']);

      const revoked = await link({ expiresInHours: 1 });
      await request(http).get(`/api/public/${revoked.token}`).expect(200);
      await boss.delete(`/api/workflows/${workflowId}/public-links/${revoked.id}`).expect(200);

      const expiring = await link({ expiresAt: new Date(Date.now() + 1500).toISOString() });
      await request(http).get(`/api/public/${expiring.token}`).expect(200);
      await sleep(1700);

      const tokens = { revoked: revoked.token, expired: expiring.token, unknown: randomBytes(32).toString('base64url'), malformed: 'x' };
      const bodies: Record<string, unknown> = {};
      for (const [label, token] of Object.entries(tokens)) {
        const res = await request(http).get(`/api/public/${token}`);
        expectProblem(res, 404);
        expect(JSON.stringify(res.body)).not.toContain(name);
        expect(JSON.stringify(res.body)).not.toContain(workflowId);
        const { instance: _differsByUrl, ...rest } = res.body;
        bodies[label] = rest;
      }
      expect(bodies.revoked).toEqual(bodies.unknown);
      expect(bodies.expired).toEqual(bodies.unknown);
      expect(bodies.malformed).toEqual(bodies.unknown);
      await request(http).get(`/api/public/${live.token}`).expect(200);

      // Archiving the workflow hides it from link holders too; restoring shows it again.
      await boss.delete(`/api/workflows/${workflowId}`).expect(200);
      const archived = await eventually(() => request(http).get(`/api/public/${live.token}`), (r) => r.status === 404);
      expectProblem(archived, 404);
      const { instance: _url, ...archivedBody } = archived.body;
      expect(archivedBody).toEqual(bodies.unknown);
      await boss.post(`/api/workflows/${workflowId}/restore`).expect(200);
      await eventually(() => request(http).get(`/api/public/${live.token}`), (r) => r.status === 200);
    });
  });

  describe('nobody changes what is not theirs; bad input changes nothing', () => {
    let workflowId: string;
    let viewer: Api;
    let outsiderId: string;
    let foreignTeamId: string;
    let teamId: string;

    beforeAll(async () => {
      workflowId = (await boss.post('/api/workflows').send({ name: 'Guarded' }).expect(201)).body.id;
      const v = await invite('viewer');
      viewer = client(http, (await signIn(v.email, v.password)).accessToken, ws);
      const elsewhere = (await boss.post('/api/workspaces').send({ name: unique('Elsewhere') }).expect(201)).body.id;
      const bossElsewhere = client(http, bossToken, elsewhere);
      outsiderId = (await invite('editor', bossElsewhere)).id;
      foreignTeamId = (await bossElsewhere.post(`/api/workspaces/${elsewhere}/teams`).send({ name: 'Foreign team' }).expect(201)).body.id;
      teamId = (await boss.post(`/api/workspaces/${ws}/teams`).send({ name: unique('Home team') }).expect(201)).body.id;
    });

    it("answers a viewer's changes with 403 and appends nothing", async () => {
      const before = await eventCount();
      const attempts: [string, request.Test][] = [
        ['rename', viewer.put(`/api/workflows/${workflowId}`).send({ name: 'Hijacked' })],
        ['archive', viewer.delete(`/api/workflows/${workflowId}`)],
        ['share', viewer.post(`/api/workflows/${workflowId}/shares`).send({ grantee: { kind: 'team', id: teamId }, permission: 'admin' })],
        ['public link', viewer.post(`/api/workflows/${workflowId}/public-links`).send({})],
        ['create workflow', viewer.post('/api/workflows').send({ name: 'Mine now' })],
        ['invite', viewer.post('/api/users').send({ email: 'friend@example.test', displayName: 'Friend' })],
        ['create team', viewer.post(`/api/workspaces/${ws}/teams`).send({ name: 'Cabal' })],
      ];
      for (const [label, attempt] of attempts) {
        const res = await attempt;
        expect({ label, status: res.status }).toEqual({ label, status: 403 });
        expectProblem(res, 403, 'forbidden');
      }
      expect(await eventCount()).toBe(before);
      expect((await boss.get(`/api/workflows/${workflowId}`).expect(200)).body.name).toBe('Guarded');
    });

    it("gives a viewer what a share to their team allows, and takes it away with the team membership", async () => {
      const v = await invite('viewer');
      const member = client(http, (await signIn(v.email, v.password)).accessToken, ws);
      const team = (await boss.post(`/api/workspaces/${ws}/teams`).send({ name: unique('Editors') }).expect(201)).body.id;
      await boss.post(`/api/workspaces/${ws}/teams/${team}/members`).send({ userId: v.id }).expect(201);
      await boss.post(`/api/workflows/${workflowId}/shares`).send({ grantee: { kind: 'team', id: team }, permission: 'edit' }).expect(201);
      await eventually(() => member.put(`/api/workflows/${workflowId}`).send({ name: 'Guarded' }), (r) => r.status === 200);
      await boss.delete(`/api/workspaces/${ws}/teams/${team}/members/${v.id}`).expect((r) => expect(r.status).toBeLessThan(300));
      const refused = await eventually(() => member.put(`/api/workflows/${workflowId}`).send({ name: 'Hijacked' }), (r) => r.status === 403);
      expectProblem(refused, 403, 'forbidden');
      expect((await boss.get(`/api/workflows/${workflowId}`).expect(200)).body.name).toBe('Guarded');
    });

    it('answers bad input with a 4xx problem and appends nothing', async () => {
      const before = await eventCount();
      const longName = 'n'.repeat(101);
      const cases: [string, number, () => request.Test][] = [
        ['invite: invalid e-mail', 400, () => boss.post('/api/users').send({ email: 'not-an-email', displayName: 'X' })],
        ['invite: e-mail of the wrong type', 400, () => boss.post('/api/users').send({ email: 42, displayName: 'X' })],
        ['invite: unknown field', 400, () => boss.post('/api/users').send({ email: 'x@example.test', displayName: 'X', isAdmin: true })],
        ['invite: over-long display name', 400, () => boss.post('/api/users').send({ email: 'x@example.test', displayName: 'd'.repeat(101) })],
        ['invite: over-long e-mail', 400, () => boss.post('/api/users').send({ email: `${'a'.repeat(250)}@example.test`, displayName: 'X' })],
        ['invite: unknown role', 400, () => boss.post('/api/users').send({ email: 'x@example.test', displayName: 'X', role: 'superuser' })],
        ['login: password of the wrong type', 400, () => request(http).post('/api/auth/login').send({ email: `${unique('nobody')}@example.test`, password: ['a'] })],
        ['login: over-long password', 400, () => request(http).post('/api/auth/login').send({ email: `${unique('nobody')}@example.test`, password: 'p'.repeat(201) })],
        ['refresh: token of the wrong type', 400, () => request(http).post('/api/auth/refresh').send({ refreshToken: 12 })],
        ['password: new one too short', 400, () => boss.post('/api/auth/password').send({ currentPassword: BOSS.password, newPassword: 'short' })],
        ['password: unknown field', 400, () => boss.post('/api/auth/password').send({ currentPassword: BOSS.password, newPassword: 'long-enough-1', userId: 'x' })],
        ['workspace: over-long name', 400, () => boss.post('/api/workspaces').send({ name: longName })],
        ['workspace: name of the wrong type', 400, () => boss.post('/api/workspaces').send({ name: { $ne: '' } })],
        ['team: over-long name', 400, () => boss.post(`/api/workspaces/${ws}/teams`).send({ name: longName })],
        ['team: blank name', 422, () => boss.post(`/api/workspaces/${ws}/teams`).send({ name: '   ' })],
        ['member: user id not a UUID', 400, () => boss.post(`/api/workspaces/${ws}/members`).send({ userId: 'root', role: 'editor' })],
        ['member: unknown role', 400, () => boss.post(`/api/workspaces/${ws}/members`).send({ userId: outsiderId, role: 'god' })],
        ['member: unknown user', 404, () => boss.post(`/api/workspaces/${ws}/members`).send({ userId: '7f1c1c5e-5f1a-4c43-9a58-2d0c7f3f9b10', role: 'editor' })],
        ['team member: not a member of the workspace', 422, () => boss.post(`/api/workspaces/${ws}/teams/${teamId}/members`).send({ userId: outsiderId })],
        ['share: to a user outside the workspace', 422, () => boss.post(`/api/workflows/${workflowId}/shares`).send({ grantee: { kind: 'user', id: outsiderId }, permission: 'view' })],
        ['share: to a team of another workspace', 422, () => boss.post(`/api/workflows/${workflowId}/shares`).send({ grantee: { kind: 'team', id: foreignTeamId }, permission: 'view' })],
        ['share: unknown grantee kind', 400, () => boss.post(`/api/workflows/${workflowId}/shares`).send({ grantee: { kind: 'group', id: teamId }, permission: 'view' })],
        ['share: unknown permission', 400, () => boss.post(`/api/workflows/${workflowId}/shares`).send({ grantee: { kind: 'team', id: teamId }, permission: 'owner' })],
        ['share: unknown field in the grantee', 400, () => boss.post(`/api/workflows/${workflowId}/shares`).send({ grantee: { kind: 'team', id: teamId, admin: true }, permission: 'view' })],
        ['share: unknown share id', 404, () => boss.patch(`/api/workflows/${workflowId}/shares/7f1c1c5e-5f1a-4c43-9a58-2d0c7f3f9b10`).send({ permission: 'view' })],
        ['link: hours of the wrong type', 400, () => boss.post(`/api/workflows/${workflowId}/public-links`).send({ expiresInHours: 'ten' })],
        ['link: zero hours', 400, () => boss.post(`/api/workflows/${workflowId}/public-links`).send({ expiresInHours: 0 })],
        ['link: over a year', 400, () => boss.post(`/api/workflows/${workflowId}/public-links`).send({ expiresInHours: 9000 })],
        ['link: expiry not a date', 400, () => boss.post(`/api/workflows/${workflowId}/public-links`).send({ expiresAt: 'tomorrow' })],
        ['link: expiry in the past', 422, () => boss.post(`/api/workflows/${workflowId}/public-links`).send({ expiresAt: '2001-01-01T00:00:00Z' })],
        ['link: both expiries', 400, () => boss.post(`/api/workflows/${workflowId}/public-links`).send({ expiresInHours: 1, expiresAt: new Date(Date.now() + 3_600_000).toISOString() })],
        ['link: unknown link id', 404, () => boss.delete(`/api/workflows/${workflowId}/public-links/7f1c1c5e-5f1a-4c43-9a58-2d0c7f3f9b10`)],
        ['user: id not a UUID', 404, () => boss.post('/api/users/not-a-uuid/disable')],
        ['workspace header not a UUID', 404, () => boss.get('/api/users').set('X-Workspace-Id', 'not-a-uuid')],
      ];
      const got: string[] = [];
      for (const [label, status, send] of cases) {
        const res = await send();
        const problemJson = /^application\/problem\+json/.test(res.headers['content-type'] ?? '');
        if (res.status !== status || !problemJson) got.push(`${label}: expected ${status} problem+json, got ${res.status} ${res.headers['content-type']} ${JSON.stringify(res.body).slice(0, 200)}`);
      }
      expect(got).toEqual([]);
      expect(await eventCount()).toBe(before);
    });
  });
});

describe('first start without BLUEBIRD_ADMIN_EMAIL / BLUEBIRD_ADMIN_PASSWORD', () => {
  it('creates admin@localhost and prints its password once, on the first start only', async () => {
    const dataDir = TEST_DATABASE_URL ? undefined : mkdtempSync(join(tmpdir(), 'bluebird-first-start-'));
    const config = testConfig({ adminEmail: undefined, adminPassword: undefined, ...(dataDir ? { dataDir } : {}) });
    const printed: string[] = [];
    const log = jest.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void printed.push(args.map(String).join(' ')));
    let second: TestApp | undefined;
    try {
      // First start: the owner is created and its password printed.
      const infra = await openInfrastructure(config, { processName: 'test' });
      const app = await createApp(infra, ALL_ROLES);
      await app.init();
      const lines = printed.filter((line) => line.includes('admin@localhost'));
      expect(lines).toHaveLength(1);
      const password = /with password (\S+)/.exec(lines[0])?.[1];
      expect(password).toMatch(/^[A-Za-z0-9_-]{20,}$/);
      const first = await request(app.getHttpServer()).post('/api/auth/login').send({ email: 'admin@localhost', password }).expect(200);
      expect(first.body.mustChangePassword).toBe(true);
      await app.close();
      await infra.close();

      // Second start on the same storage: the owner exists, nothing is printed, the password still works.
      printed.length = 0;
      second = await startTestApp(config);
      expect(printed.filter((line) => line.includes('password'))).toEqual([]);
      await request(second.app.getHttpServer()).post('/api/auth/login').send({ email: 'admin@localhost', password }).expect(200);
    } finally {
      log.mockRestore();
      await second?.close();
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});
