/**
 * bench/ab-webhook: server CPU per signed webhook delivery, two builds side by side, to tell whether a change to the
 * ingress path pays. Both builds run at once, each API-only server in a process of its own on the same schema
 * (bench/ab-builds.ts), and short autocannon bursts alternate between them (order flipped every pair). Two copies of
 * one build can differ by several percent over a short run: run it both ways round, and long.
 *
 * Usage: build each version and copy its dist/ aside (e.g. `npm run build:api && cp -r dist /tmp/dist-before`), then
 *   node dist/bench/ab-webhook.js /tmp/dist-before dist [pairs, default 4] [seconds per burst, default 3]
 */
import { randomBytes } from 'node:crypto';
import autocannon from 'autocannon';
import { dropSchema } from '../src/adapters/database/database';
import { DATABASE_URL, benchConfig } from './support';
import { cpuMs, startBuild, stopBuilds, summarise, type BuildServer } from './ab-builds';
// Only the types here: the servers load the app from the builds they measure, not this one's too.
import type * as WebhookSetup from './webhook-setup';

async function burst(setup: typeof WebhookSetup, server: BuildServer, hook: { url: string; secret: string }, seconds: number) {
  const before = cpuMs(server.pid);
  const build = setup.signed(hook.secret, setup.DELIVERY_BODY);
  const result = await autocannon({ url: `${server.base}${hook.url}`, connections: 32, duration: seconds, requests: [{ method: 'POST', setupRequest: (req: object) => ({ ...req, ...build() }) }] });
  return { rps: result.requests.average, cpuPerRequest: (cpuMs(server.pid) - before) / Math.max(1, result.requests.total), non2xx: result.non2xx };
}

async function main() {
  const [distA, distB] = process.argv.slice(2, 4);
  if (!distA || !distB) throw new Error('usage: node dist/bench/ab-webhook.js <dist A> <dist B> [pairs] [seconds]');
  const pairs = Number(process.argv[4] ?? 4);
  const seconds = Number(process.argv[5] ?? 3);
  const schema = `bench_ab_${randomBytes(4).toString('hex')}`;
  const setup = await import('./webhook-setup');
  const config = benchConfig(schema);
  const servers: BuildServer[] = [];
  try {
    const hook = await setup.setUp(config);
    for (const [name, dist] of [['A', distA], ['B', distB]]) servers.push(await startBuild(name, dist, { config, roles: setup.API_ONLY }));
    for (const server of servers) await burst(setup, server, hook, 2); // warm-up
    const results: Record<'A' | 'B', { rps: number; cpuPerRequest: number }[]> = { A: [], B: [] };
    for (let pair = 0; pair < pairs; pair++) {
      for (const server of pair % 2 === 0 ? servers : [...servers].reverse()) {
        const one = await burst(setup, server, hook, seconds);
        if (one.non2xx > 0) throw new Error(`${server.name}: ${one.non2xx} deliveries refused`);
        results[server.name as 'A' | 'B'].push(one);
        console.log(`${server.name}: ${one.rps.toFixed(0)} req/s, ${one.cpuPerRequest.toFixed(3)} ms CPU per delivery`);
      }
    }
    for (const line of summarise(results, { A: distA, B: distB }, { rps: 'req/s', cpuPerRequest: 'ms CPU per delivery' })) console.log(line);
  } finally {
    await stopBuilds(servers);
    await dropSchema(DATABASE_URL, schema).catch(() => undefined);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
