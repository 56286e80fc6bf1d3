import { startProcess, type RunningProcess } from './support/processes';
import { TEST_DATABASE_URL, describeIf } from './support/test-database';
import request from 'supertest';
import { storage as nestjsPinoStorage } from 'nestjs-pino/storage';
import { TEST_OWNER, cleanUpServers, processTestSetup, startTestApp, type TestApp } from './support/test-app';

/**
 * Request log lines (LOG_LEVEL info, the default outside tests): one JSON line per request with the
 * correlation id, method, path, address, status and duration, and none of the request's headers,
 * which carry bearer tokens, cookies and webhook signatures.
 */
describeIf(TEST_DATABASE_URL, 'request logging test needs DATABASE_URL')('request log lines', () => {
  const { config, env } = processTestSetup('reqlog', { LOG_LEVEL: 'info', AMQP_URL: '' });
  let api: RunningProcess;

  beforeAll(async () => {
    api = await startProcess('api', 'main.js', [], env);
  }, 60_000);

  afterAll(async () => {
    await api?.stop('SIGKILL');
    await cleanUpServers(config);
  });

  const lines = () =>
    api
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);

  it('given signed-in calls and a webhook delivery, then each gets a line with its correlation id and status, and no header value reaches the log', async () => {
    const base = `http://127.0.0.1:${api.port}`;
    const login = await fetch(`${base}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-correlation-id': 'login-call-1' },
      body: JSON.stringify({ email: TEST_OWNER.email, password: TEST_OWNER.password }),
    });
    expect(login.status).toBe(200);
    const { accessToken } = (await login.json()) as { accessToken: string };
    const listed = await fetch(`${base}/api/workflows?limit=5`, { headers: { authorization: `Bearer ${accessToken}`, 'x-correlation-id': 'list-call-1', cookie: 'session=cookie-secret-1' } });
    expect(listed.status).toBe(200);
    const hook = await fetch(`${base}/api/hooks/no-such-hook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-correlation-id': 'hook-call-1', 'webhook-id': 'msg_1', 'webhook-timestamp': '1', 'webhook-signature': 'v1,c2lnbmF0dXJlLXNlY3JldC0x' },
      body: '{}',
    });
    expect(hook.status).toBe(404);

    const deadline = Date.now() + 5000;
    while (!lines().some((l) => l.correlationId === 'hook-call-1') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const byId = (id: string) => lines().find((l) => l.correlationId === id);
    expect(byId('login-call-1')).toMatchObject({ req: { method: 'POST', url: '/api/auth/login' }, res: { statusCode: 200 } });
    expect(byId('list-call-1')).toMatchObject({ req: { method: 'GET', url: '/api/workflows?limit=5', remoteAddress: expect.stringContaining('127.0.0.1') }, res: { statusCode: 200 }, responseTime: expect.any(Number) });
    expect(byId('hook-call-1')).toMatchObject({ req: { method: 'POST', url: '/api/hooks/no-such-hook' }, res: { statusCode: 404 } });

    const output = api.output();
    for (const secret of [accessToken, 'cookie-secret-1', 'c2lnbmF0dXJlLXNlY3JldC0x', TEST_OWNER.password]) expect(output).not.toContain(secret);
  });
});

/**
 * The request logger must not run requests inside an AsyncLocalStorage (nestjs-pino's middleware does): on Node 20
 * a store in use hooks every promise the process creates, and the engine and projections in the same process paid
 * for it on every step. `enabled` is the store's own flag, set by its first `run`.
 */
describe('request logging in process', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  }, 60_000);

  afterAll(async () => t?.close());

  it('given signed-in requests, then no request context store has been put to use', async () => {
    const token = await t.login();
    await request(t.app.getHttpServer()).get('/api/workflows?limit=5').set('authorization', `Bearer ${token}`).expect(200);
    expect((nestjsPinoStorage as unknown as { enabled: boolean }).enabled).toBe(false);
  });
});
