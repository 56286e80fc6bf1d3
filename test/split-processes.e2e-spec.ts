import { SPLIT_DEPLOYMENT, startProcesses, type RunningProcess } from './support/processes';
import { TEST_AMQP_URL, TEST_DATABASE_URL, describeIf } from './support/test-database';
import { TEST_OWNER, cleanUpServers, processTestSetup } from './support/test-app';

/**
 * The split deployment: API, two worker replicas (forwarder) and a projection process as separate
 * processes on PostgreSQL and RabbitMQ. One worker leads; when it stops, the other takes over.
 */
describeIf(TEST_DATABASE_URL && TEST_AMQP_URL, 'split-process test needs DATABASE_URL and AMQP_URL')('API, workers and projections as separate processes', () => {
  const { config, env } = processTestSetup('split');
  let token = '';
  const processes: RunningProcess[] = [];
  let api: RunningProcess;
  let workers: RunningProcess[] = [];

  beforeAll(async () => {
    processes.push(...(await startProcesses(SPLIT_DEPLOYMENT, env)));
    [api, , ...workers] = processes;
    const login = await fetch(url(api, '/api/auth/login'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: TEST_OWNER.email, password: TEST_OWNER.password }),
    });
    expect(login.status).toBe(200);
    token = ((await login.json()) as { accessToken: string }).accessToken;
  }, 60_000);

  afterAll(async () => {
    await Promise.all(processes.map((p) => p.stop('SIGKILL')));
    await cleanUpServers(config);
  });

  const url = (p: RunningProcess, path: string) => `http://127.0.0.1:${p.port}${path}`;
  const published = async (p: RunningProcess) => {
    const text = await (await fetch(url(p, '/metrics'))).text();
    return Number(/bluebird_broker_messages_total\{direction="published"\} (\d+)/.exec(text)?.[1] ?? 0);
  };
  async function createAndSee(name: string): Promise<string> {
    const res = await fetch(url(api, '/api/workflows'), {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ name }),
    });
    expect(res.status).toBe(201);
    const { id, position } = (await res.json()) as { id: string; position: string };
    const deadline = Date.now() + 20_000;
    for (;;) {
      const one = await fetch(url(api, `/api/workflows/${id}?minPosition=${position}`), { headers: { authorization: `Bearer ${token}` } });
      if (one.status === 200) return ((await one.json()) as { name: string }).name;
      if (Date.now() > deadline) throw new Error(`${name} never reached the read model`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  it('projects a workflow created through the API process', async () => {
    expect(await createAndSee('Split deployment')).toBe('Split deployment');
    for (const p of processes) expect((await fetch(url(p, '/api/health/ready'))).status).toBe(200);
    // The worker processes serve health and metrics only.
    expect((await fetch(url(workers[0], '/api/workflows'))).status).toBe(404);
  });

  it('has exactly one forwarder publishing, and the standby takes over when it stops', async () => {
    const counts = await Promise.all(workers.map(published));
    expect(counts.filter((c) => c > 0)).toHaveLength(1);
    const leader = counts[0] > 0 ? workers[0] : workers[1];
    const standby = leader === workers[0] ? workers[1] : workers[0];

    await leader.stop('SIGTERM'); // graceful: releases the advisory lock
    expect(leader.child.exitCode).toBe(0);
    expect(await createAndSee('After failover')).toBe('After failover');
    expect(await published(standby)).toBeGreaterThan(0);
  });
});
