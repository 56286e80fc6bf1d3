import { openDatabase, type DatabaseHandle } from '../src/adapters/database/database';
import { tickId } from '../src/triggers/cron-schedule';
import { triggerKey } from '../src/triggers/live-triggers';
import { SPLIT_DEPLOYMENT, signedInCaller, startProcess, startProcesses, type ApiCall, type RunningProcess } from './support/processes';
import { TEST_AMQP_URL, TEST_DATABASE_URL, describeIf } from './support/test-database';
import { TEST_OWNER, cleanUpServers, processTestSetup } from './support/test-app';

const RUN_MS = 15_000;

/**
 * SPEC C2 "exactly one fire per tick across replicas and restarts": two worker processes run the scheduler on a
 * per-second schedule while one of them, in turn, is killed (SIGKILL) and restarted across tick boundaries. Every
 * tick of the window must have exactly one run, with the tick's id, and no other run may exist.
 * Uses the built dist (`npm run build:api` first).
 */
describeIf(TEST_DATABASE_URL && TEST_AMQP_URL, 'scheduler durability test needs DATABASE_URL and AMQP_URL')('cron scheduler under kill -9', () => {
  const { config, env } = processTestSetup('sched', { RATE_LIMIT_PER_MINUTE: '100000' });
  const processes: RunningProcess[] = [];
  const workers: RunningProcess[] = [];
  let api: RunningProcess;
  let db: DatabaseHandle;
  let call: ApiCall;

  beforeAll(async () => {
    processes.push(...(await startProcesses(SPLIT_DEPLOYMENT, env)));
    api = processes[0];
    workers.push(...processes.slice(2));
    db = await openDatabase({ url: config.databaseUrl, schema: config.databaseSchema });
    call = await signedInCaller(api, TEST_OWNER);
  }, 90_000);

  afterAll(async () => {
    await Promise.all([...processes, ...workers].map((p) => p.stop('SIGKILL')));
    await db?.close();
    await cleanUpServers(config);
  });

  const alive = (p: RunningProcess) => p.child.exitCode === null && p.child.signalCode === null;

  it('fires each tick of a per-second schedule exactly once while workers are killed and restarted', async () => {
    const created = await call('POST', '/api/workflows', {
      name: 'Every second',
      steps: [{ id: 'noop', name: 'noop', type: 'transform', config: { assignments: { ok: 'true' } } }],
    });
    expect(created.status).toBe(201);
    const workflowId = created.body.id as string;
    const trigger = await call('POST', `/api/workflows/${workflowId}/triggers`, { id: 'tick', kind: 'cron', name: 'Every second', config: { expression: '* * * * * *', missedRuns: { catchUp: 60 } } });
    expect(trigger.status).toBe(201);
    expect((await call('POST', `/api/workflows/${workflowId}/versions`, { note: 'v1' })).status).toBe(201);

    // Kill one worker at a time at random points of a second, restart it, and go on for RUN_MS.
    const until = Date.now() + RUN_MS;
    let kills = 0;
    // A loaded machine boots workers slowly: go on (up to 25 s more) until three kills have happened.
    while (Date.now() < until || (kills < 3 && Date.now() < until + 25_000)) {
      await new Promise((r) => setTimeout(r, 700 + Math.random() * 1300));
      const running = workers.filter(alive);
      if (running.length < 2) continue;
      const victim = running[kills % 2];
      await victim.stop('SIGKILL');
      kills++;
      // The other one keeps the schedule going; the victim comes back after a pause that crosses ticks.
      await new Promise((r) => setTimeout(r, 300 + Math.random() * 1500));
      workers.push(await startProcess(`worker-${kills + 2}`, 'main.worker.js', [], env));
    }
    expect((await call('POST', `/api/workflows/${workflowId}/triggers/tick/disable`)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 2000)); // polls in flight finish

    const started = await db.db
      .selectFrom('event_log')
      .select(['stream_id', 'data', 'recorded_at'])
      .where('type', '=', 'ExecutionStarted')
      .execute();
    const runs = started.map((r) => (typeof r.data === 'string' ? JSON.parse(r.data) : r.data) as { executionId: string; trigger?: { triggerId?: string } });
    const ids = runs.filter((r) => r.trigger?.triggerId === 'tick').map((r) => r.executionId);
    expect(new Set(ids).size).toBe(ids.length);

    // Map every run back to its tick; all ticks between the first and the last fired must be there, once.
    const key = triggerKey(workflowId, 'tick');
    const from = Math.floor((Date.now() - RUN_MS - 90_000) / 1000) * 1000;
    const tickOf = new Map<string, number>();
    for (let s = from; s <= Date.now(); s += 1000) tickOf.set(tickId(key, new Date(s)), s);
    const ticks = ids.map((id) => tickOf.get(id));
    expect(ticks.filter((t) => t === undefined)).toEqual([]);
    const sorted = (ticks as number[]).sort((a, b) => a - b);
    const gaps = sorted.slice(1).filter((t, i) => t - sorted[i] !== 1000);
    expect(gaps).toEqual([]);
    expect(sorted.length).toBeGreaterThanOrEqual(RUN_MS / 1000 - 2);
    expect(kills).toBeGreaterThanOrEqual(3);
    console.log(`scheduler durability: ${kills} workers killed, ${sorted.length} ticks fired once each from ${new Date(sorted[0]).toISOString()} to ${new Date(sorted[sorted.length - 1]).toISOString()}`);
  }, 180_000);
});
