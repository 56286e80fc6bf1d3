/**
 * bench/ab-webhook: server CPU per signed webhook delivery, two builds side by side, to tell whether a change to the
 * ingress path pays. Rates on these shared machines drift by a third over minutes, so one bench:webhook run before
 * and one after say little; this runs both builds at once, each API-only server in a process of its own on the same
 * schema, and alternates short autocannon bursts between them (order flipped every pair), reading each server's CPU
 * time from /proc (Linux). Two copies of one build can differ by several percent over a short run: run it both ways round, and long.
 *
 * Usage: build each version and copy its dist/ aside (e.g. `npm run build:api && cp -r dist /tmp/dist-before`), then
 *   node dist/bench/ab-webhook.js /tmp/dist-before dist [pairs, default 4] [seconds per burst, default 3]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import autocannon from 'autocannon';
import type { AppConfig, ProcessRoles } from '../src/config';
import { dropSchema } from '../src/adapters/database/database';
import { DATABASE_URL } from './support';
// Only the types here: the servers load the app from the builds they measure, not this one's too.
import type * as WebhookSetup from './webhook-setup';

interface Server {
  name: string;
  url: string;
  pid: number;
  child: ChildProcess;
}

/** What the parent hands a server: the configuration and roles it serves with. */
interface ServerSpec {
  config: AppConfig;
  roles: ProcessRoles;
}

/** A child process: the build in `dist`, as the parent says; prints its address once listening. */
async function serveBuild(dist: string, { config, roles }: ServerSpec): Promise<void> {
  const load = (module: string) => require(resolve(dist, module)) as Record<string, unknown>;
  const { openInfrastructure } = load('src/infrastructure') as { openInfrastructure: typeof import('../src/infrastructure').openInfrastructure };
  const { createApp } = load('src/bootstrap') as { createApp: typeof import('../src/bootstrap').createApp };
  const infra = await openInfrastructure(config, { processName: 'ab-webhook' });
  const app = await createApp(infra, roles);
  await app.listen(0, '127.0.0.1');
  console.log(JSON.stringify({ port: (app.getHttpServer().address() as { port: number }).port }));
  process.once('SIGTERM', () => void app.close().then(() => infra.close()).finally(() => process.exit(0)));
}

function start(name: string, dist: string, spec: ServerSpec, hookPath: string): Promise<Server> {
  return new Promise((ready, fail) => {
    // A build copied outside the checkout finds its packages in this checkout's node_modules.
    const env = { ...process.env, NODE_PATH: resolve(__dirname, '../../node_modules') };
    const child = spawn(process.execPath, [__filename, 'serve', dist, JSON.stringify(spec)], { stdio: ['ignore', 'pipe', 'inherit'], env });
    child.once('exit', (code) => fail(new Error(`${name} (${dist}) exited with ${code}`)));
    child.stdout!.once('data', (line) => {
      const { port } = JSON.parse(String(line)) as { port: number };
      ready({ name, url: `http://127.0.0.1:${port}${hookPath}`, pid: child.pid!, child });
    });
  });
}

/** User plus system CPU time of a process so far, in ms (Linux: clock ticks of 10 ms). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

async function burst(setup: typeof WebhookSetup, server: Server, secret: string, seconds: number) {
  const before = cpuMs(server.pid);
  const build = setup.signed(secret, setup.DELIVERY_BODY);
  const result = await autocannon({ url: server.url, connections: 32, duration: seconds, requests: [{ method: 'POST', setupRequest: (req: object) => ({ ...req, ...build() }) }] });
  return { rps: result.requests.average, cpuPerRequest: (cpuMs(server.pid) - before) / Math.max(1, result.requests.total), non2xx: result.non2xx };
}

async function main() {
  const [distA, distB] = process.argv.slice(2, 4);
  if (!distA || !distB) throw new Error('usage: node dist/bench/ab-webhook.js <dist A> <dist B> [pairs] [seconds]');
  const pairs = Number(process.argv[4] ?? 4);
  const seconds = Number(process.argv[5] ?? 3);
  const schema = `bench_ab_${randomBytes(4).toString('hex')}`;
  const setup = await import('./webhook-setup');
  const config = setup.benchConfig(schema);
  const spec: ServerSpec = { config, roles: setup.API_ONLY };
  const servers: Server[] = [];
  try {
    const hook = await setup.setUp(config);
    servers.push(await start('A', distA, spec, hook.url), await start('B', distB, spec, hook.url));
    for (const server of servers) await burst(setup, server, hook.secret, 2); // warm-up
    const results: Record<string, { rps: number; cpuPerRequest: number }[]> = { A: [], B: [] };
    for (let pair = 0; pair < pairs; pair++) {
      for (const server of pair % 2 === 0 ? servers : [...servers].reverse()) {
        const one = await burst(setup, server, hook.secret, seconds);
        if (one.non2xx > 0) throw new Error(`${server.name}: ${one.non2xx} deliveries refused`);
        results[server.name].push(one);
        console.log(`${server.name}: ${one.rps.toFixed(0)} req/s, ${one.cpuPerRequest.toFixed(3)} ms CPU per delivery`);
      }
    }
    const mean = (name: string, field: 'rps' | 'cpuPerRequest') => results[name].reduce((sum, r) => sum + r[field], 0) / results[name].length;
    console.log(`A (${distA}): ${mean('A', 'rps').toFixed(0)} req/s, ${mean('A', 'cpuPerRequest').toFixed(3)} ms CPU per delivery`);
    console.log(`B (${distB}): ${mean('B', 'rps').toFixed(0)} req/s, ${mean('B', 'cpuPerRequest').toFixed(3)} ms CPU per delivery`);
    console.log(`B/A: CPU per delivery ${(mean('B', 'cpuPerRequest') / mean('A', 'cpuPerRequest')).toFixed(3)}, rate ${(mean('B', 'rps') / mean('A', 'rps')).toFixed(3)}`);
  } finally {
    await Promise.all(servers.map((s) => new Promise((done) => (s.child.removeAllListeners('exit'), s.child.once('exit', done), s.child.kill('SIGTERM')))));
    await dropSchema(DATABASE_URL, schema).catch(() => undefined);
  }
}

if (process.argv[2] === 'serve') {
  serveBuild(process.argv[3], JSON.parse(process.argv[4]) as ServerSpec).catch((error) => {
    console.error(error);
    process.exit(1);
  });
} else {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
