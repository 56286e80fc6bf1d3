import { openDatabase, type DatabaseHandle } from '../src/adapters/database/database';
import { startHttpSink, type HttpSink } from '../src/engine/executors/testing/http-sink';
import { SPLIT_DEPLOYMENT, signedInCaller, startProcess, startProcesses, type ApiCall, type RunningProcess } from './support/processes';
import { TEST_AMQP_URL, TEST_DATABASE_URL, describeIf } from './support/test-database';
import { TEST_OWNER, cleanUpServers, processTestSetup } from './support/test-app';

const EXECUTIONS = 150;
const MAX_ATTEMPTS = 5;

/**
 * SPEC B9: worker processes are killed with SIGKILL at random moments (before, during and after
 * side effects and appends) while a few hundred runs of a 3-step workflow call a local sink with
 * idempotency keys. Every run must end, the sink must apply each key once, and no step may run
 * more attempts than its policy allows.
 */
describeIf(TEST_DATABASE_URL && TEST_AMQP_URL, 'durability test needs DATABASE_URL and AMQP_URL')('engine durability under kill -9', () => {
  const { config, env } = processTestSetup('dur', { RATE_LIMIT_PER_MINUTE: '100000' });
  const processes: RunningProcess[] = [];
  let api: RunningProcess;
  let workers: RunningProcess[] = [];
  let sink: HttpSink;
  let db: DatabaseHandle;
  let call: ApiCall;
  /** The sink's idempotent store: key -> times the side effect was applied (must stay 1). */
  const applied = new Map<string, number>();
  let duplicatesAnswered = 0;

  beforeAll(async () => {
    sink = await startHttpSink(async (req, res) => {
      await new Promise((r) => setTimeout(r, Math.random() * 30));
      const key = String(req.headers['idempotency-key'] ?? '');
      if (applied.has(key)) duplicatesAnswered++;
      else applied.set(key, 1);
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ ok: true }));
    });
    processes.push(...(await startProcesses(SPLIT_DEPLOYMENT, env)));
    api = processes[0];
    workers = processes.slice(2);
    db = await openDatabase({ url: config.databaseUrl, schema: config.databaseSchema });
    call = await signedInCaller(api, TEST_OWNER);
  }, 90_000);

  afterAll(async () => {
    await Promise.all([...processes, ...workers].map((p) => p.stop('SIGKILL')));
    await sink?.close();
    await db?.close();
    await cleanUpServers(config);
  });


  it('ends every run, applies each side effect once and never exceeds the retry policy', async () => {
    const retryPolicy = { maxAttempts: MAX_ATTEMPTS, initialIntervalMs: 100, backoffCoefficient: 2, maxIntervalMs: 2000, jitter: 0.2, nonRetryableErrors: [] };
    const created = await call('POST', '/api/workflows', {
      name: 'Durable',
      steps: [
        { id: 'prepare', name: 'prepare', type: 'transform', config: { assignments: { n: 'input.n * 2' } }, errorStrategy: 'retry_then_fail', retryPolicy, timeoutMs: 3000 },
        { id: 'call', name: 'call', type: 'http_request', config: { method: 'POST', url: `${sink.url}/apply`, body: { n: '{{ steps.prepare.output.n }}' } }, errorStrategy: 'retry_then_fail', retryPolicy, timeoutMs: 3000 },
        { id: 'finish', name: 'finish', type: 'transform', config: { assignments: { done: 'true' } }, errorStrategy: 'retry_then_fail', retryPolicy, timeoutMs: 3000 },
      ],
      edges: [
        { id: 'e1', from: 'prepare', to: 'call' },
        { id: 'e2', from: 'call', to: 'finish' },
      ],
    });
    expect(created.status).toBe(201);
    const workflowId = created.body.id as string;
    expect((await call('POST', `/api/workflows/${workflowId}/versions`, { note: 'v1' })).status).toBe(201);

    // The killer: every 0.8-2 s one worker dies by SIGKILL and a fresh one starts in its place.
    let killing = true;
    let kills = 0;
    const replacements: Promise<void>[] = [];
    const killer = (async () => {
      while (killing) {
        await new Promise((r) => setTimeout(r, 800 + Math.random() * 1200));
        if (!killing) break;
        const alive = workers.filter((w) => w.child.exitCode === null && w.child.signalCode === null);
        if (alive.length === 0) continue;
        const victim = alive[Math.floor(Math.random() * alive.length)];
        await victim.stop('SIGKILL');
        kills++;
        // The replacement boots while the killing goes on.
        replacements.push(
          startProcess(`worker-${kills + 2}`, 'main.worker.js', [], env).then((fresh) => {
            workers.push(fresh);
          }),
        );
      }
    })();
    const executionIds: string[] = [];
    for (let n = 0; n < EXECUTIONS; n++) {
      const res = await call('POST', `/api/workflows/${workflowId}/execute`, { input: { n } });
      expect(res.status).toBe(202);
      executionIds.push(res.body.executionId as string);
      await new Promise((r) => setTimeout(r, 40));
    }
    // Keep killing while the tail of the runs is still in flight.
    await new Promise((r) => setTimeout(r, 6000));
    killing = false;
    await killer;
    await Promise.all(replacements);

    const deadline = Date.now() + 120_000;
    let ended = 0;
    while (Date.now() < deadline) {
      ended = Number((await db.db.selectFrom('execution').select((eb) => eb.fn.countAll().as('n')).where('status', 'in', ['succeeded', 'failed', 'cancelled']).executeTakeFirstOrThrow()).n);
      if (ended >= EXECUTIONS) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(ended).toBe(EXECUTIONS);
    expect(kills).toBeGreaterThanOrEqual(3);
    const statuses = await db.db.selectFrom('execution').select(['status', 'error']).execute();
    const failures = statuses.filter((s) => s.status !== 'succeeded').map((s) => JSON.stringify(s.error));
    if (failures.length > 0) console.log(`failed runs: ${JSON.stringify([...new Set(failures)].slice(0, 5))}`);
    const succeeded = await db.db.selectFrom('execution').select('execution_id').where('status', '=', 'succeeded').execute();
    // An attempt whose worker died mid-flight times out and is retried; with 5 attempts every run gets through.
    expect(succeeded).toHaveLength(EXECUTIONS);

    // Each run's side effect applied exactly once, under its own key.
    for (const { execution_id } of succeeded) expect(applied.get(`${execution_id}:call`)).toBe(1);
    expect(applied.size).toBeLessThanOrEqual(EXECUTIONS);
    expect([...applied.keys()].every((key) => executionIds.includes(key.replace(/:call$/, '')))).toBe(true);
    const attempts = await db.db.selectFrom('execution_step').select(['step_id', (eb) => eb.fn.max('attempt').as('maxAttempt')]).groupBy('step_id').execute();
    for (const row of attempts) expect(Number(row.maxAttempt)).toBeLessThanOrEqual(MAX_ATTEMPTS);
    console.log(`durability: ${kills} workers killed, ${duplicatesAnswered} duplicate deliveries answered idempotently, attempts ${JSON.stringify(attempts)}`);
  }, 300_000);
});
