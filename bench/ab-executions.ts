/**
 * bench/ab-executions: CPU per execution and throughput of two builds side by side, to tell whether a change to the
 * engine's path pays (bench/executions, run once before and once after, cannot: its rate drifts by a third between
 * runs here). Each build runs the whole single-process deployment in a process of its own (bench/ab-builds.ts), in a
 * schema and RabbitMQ namespace of its own; closed-loop bursts of 64 clients starting the bench workflow alternate
 * between them (order flipped every pair). Each burst's figures run from its first start to its last finish: runs
 * per second, and CPU per run of the build's process, PostgreSQL and RabbitMQ.
 *
 * With BENCH_AB_RATE=N each burst is an open loop at N runs/s instead (after 2 s not counted), and the figures add
 * the p50 and p99 start-to-finish latency: how a change moves latency at a fixed rate, where a closed loop shows none.
 *
 * Usage: build each version and copy its dist/ aside (e.g. `npm run build:api && cp -r dist /tmp/dist-before`), then
 *   node dist/bench/ab-executions.js /tmp/dist-before dist [pairs, default 4] [seconds per burst, default 8]
 */
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { ALL_ROLES } from '../src/config';
import type { AppConfig } from '../src/config';
import { openDatabase, type DatabaseHandle } from '../src/adapters/database/database';
import type { Database } from '../src/adapters/database/tables';
import { cleanUpServers } from '../test/support/servers';
import { openLoop } from './open-loop';
import { DATABASE_URL, benchConfig, cpuByServer, machineTicks, percentile, stealShare } from './support';
import { AMQP_URL, createBenchWorkflow, finishTimes, startBenchSink } from './executions-setup';
import { cpuMs, startBuild, stopBuilds, summarise, type BuildServer } from './ab-builds';

interface Deployment {
  server: BuildServer;
  config: AppConfig;
  db: Kysely<Database>;
  handle: DatabaseHandle;
  executeUrl: string;
  authorization: string;
}

/** BENCH_AB_RATE: runs per second of an open-loop burst; 0 (unset) for the closed loop of 64 clients. */
const RATE = Number(process.env.BENCH_AB_RATE ?? 0);

async function burst(deployment: Deployment, seconds: number) {
  const node = cpuMs(deployment.server.pid);
  const servers = cpuByServer();
  const ticks = machineTicks();
  const shape = RATE > 0 ? { rate: RATE, warmupMs: 2000 } : { rate: 0, clients: 64 };
  const t0 = Date.now() + (shape.warmupMs ?? 0);
  const load = await openLoop({ url: deployment.executeUrl, ...shape, durationMs: seconds * 1000, connections: 64, body: JSON.stringify({ input: { amount: 50 } }), headers: { authorization: deployment.authorization }, collect: 'executionId' });
  if (load.non2xx + load.errors > 0) throw new Error(`${deployment.server.name}: ${load.non2xx} starts refused, ${load.errors} failed`);
  const ids = load.sent.map((s) => s.id);
  const done = await finishTimes(deployment.db, ids);
  if (done.size < ids.length) throw new Error(`${deployment.server.name}: ${ids.length - done.size} runs not finished after 60 s`);
  const last = Math.max(...[...done.values()].map((d) => d.at));
  const after = cpuByServer();
  const steal = stealShare(ticks, machineTicks());
  // CPU counts the open loop's warm-up runs too: they ran in the same interval.
  const runs = ids.length + Math.round((RATE * (shape.warmupMs ?? 0)) / 1000);
  const perRun = { node: (cpuMs(deployment.server.pid) - node) / runs, postgres: (after.postgres - servers.postgres) / runs, rabbitmq: (after.rabbitmq - servers.rabbitmq) / runs };
  const latencies = load.sent.map((s) => done.get(s.id)!.at - s.sentAt);
  return { runsPerSecond: ids.length / ((last - t0) / 1000), ...perRun, total: perRun.node + perRun.postgres + perRun.rabbitmq, p50: percentile(latencies, 50), p99: percentile(latencies, 99), steal };
}

async function main() {
  const [distA, distB] = process.argv.slice(2, 4);
  if (!distA || !distB) throw new Error('usage: node dist/bench/ab-executions.js <dist A> <dist B> [pairs] [seconds]');
  const pairs = Number(process.argv[4] ?? 4);
  const seconds = Number(process.argv[5] ?? 8);
  const sink = await startBenchSink();
  const deployments: Deployment[] = [];
  try {
    for (const [name, dist] of [['A', distA], ['B', distB]]) {
      const tag = randomBytes(4).toString('hex');
      const schema = `bench_abx_${tag}`;
      const config = benchConfig(schema, { amqpUrl: AMQP_URL, namespace: `bbbench_${tag}` });
      const server = await startBuild(name, dist, { config, roles: ALL_ROLES });
      const handle = await openDatabase({ url: DATABASE_URL, schema, poolSize: 2 });
      deployments.push({ server, config, handle, db: handle.db, ...(await createBenchWorkflow(server.base, config, sink.url)) });
    }
    for (const deployment of deployments) await burst(deployment, 3); // warm-up
    const results: Record<'A' | 'B', Omit<Awaited<ReturnType<typeof burst>>, 'steal'>[]> = { A: [], B: [] };
    for (let pair = 0; pair < pairs; pair++) {
      for (const deployment of pair % 2 === 0 ? deployments : [...deployments].reverse()) {
        const { steal, ...one } = await burst(deployment, seconds);
        results[deployment.server.name as 'A' | 'B'].push(one);
        console.log(`${deployment.server.name}: ${one.runsPerSecond.toFixed(0)} runs/s; CPU per run: node ${one.node.toFixed(2)}, postgres ${one.postgres.toFixed(2)}, rabbitmq ${one.rabbitmq.toFixed(2)}, total ${one.total.toFixed(2)} ms; latency p50 ${one.p50.toFixed(0)}, p99 ${one.p99.toFixed(0)} ms; ${steal}`);
      }
    }
    const fields = { runsPerSecond: 'runs/s', node: 'ms node', postgres: 'ms postgres', rabbitmq: 'ms rabbitmq', total: 'ms CPU per run', p50: 'ms p50', p99: 'ms p99' };
    for (const line of summarise(results, { A: distA, B: distB }, fields)) console.log(line);
  } finally {
    await stopBuilds(deployments.map((d) => d.server));
    await sink.close();
    for (const deployment of deployments) {
      await deployment.handle.close().catch(() => undefined);
      await cleanUpServers(deployment.config).catch(() => undefined);
    }
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
