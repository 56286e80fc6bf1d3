/**
 * bench/webhook (issue 6): signed webhook ingress (verify the Standard Webhooks signature over the raw body, append
 * ExecutionStarted durably with expected revision no_stream, answer 202) in requests/s and p99, beside a bare NestJS
 * route answering 200 in the same process run, both driven by autocannon.
 *
 *   1. max rate: 32 connections for BENCH_PHASE_MS (10 s) each, ours then bare;
 *   2. ours at half its max rate, requests sent at evenly spaced instants from a worker thread (bench/open-loop.ts): p99 must stay under 50 ms. Not autocannon's
 *      overallRate: that is a per-second quota per connection, so every second starts with a burst at full speed and
 *      the "half rate" p99 is the full-load p99.
 * Targets: ours >= 0.3x bare; p99 < 50 ms at half max. Every request carries a fresh webhook-id, signed as autocannon
 * builds it (one HMAC, a few microseconds of the client's time). CPU per request (node: this process, its client
 * included; postgres) varies far less from run to run than the rates do. The measured process runs the API role only (no engine
 * running the started runs, no projections), as an API replica would.
 *
 * Usage: npm run bench:webhook  (DATABASE_URL defaults to the local server; the broker is in-process)
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { Controller, HttpCode, Module, Post, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import autocannon from 'autocannon';
import { loadConfig, ALL_ROLES, type ProcessRoles } from '../src/config';
import { openInfrastructure } from '../src/infrastructure';
import { createApp } from '../src/bootstrap';
import { dropSchema } from '../src/adapters/database/database';
import { signWebhook } from '../src/adapters/crypto/webhook-signature';
import { openLoop } from './open-loop';
import { DATABASE_URL, cpuByServer, cpuPerRunLine, resultLine } from './support';

const PHASE_MS = Number(process.env.BENCH_PHASE_MS ?? 10_000);
const CONNECTIONS = 32;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

@Controller()
class BareController {
  @Post('bare')
  @HttpCode(200)
  bare() {
    return { ok: true };
  }
}
@Module({ controllers: [BareController] })
class BareModule {}

async function main() {
  const schema = `bench_hook_${randomBytes(4).toString('hex')}`;
  const config = {
    ...loadConfig({ ...process.env, NODE_ENV: 'production', LOG_LEVEL: 'error' }),
    databaseUrl: DATABASE_URL,
    dataDir: undefined,
    databaseSchema: schema,
    amqpUrl: undefined,
    adminEmail: 'bench@bench.local',
    adminPassword: 'bench-password-1',
    rateLimitPerMinute: 10_000_000,
  };
  try {
    const hook = await setUp(config);
    const ours = await serve(config, { api: true, forwarder: false, projections: false, engine: false });
    const bare = await NestFactory.create(BareModule, { logger: false });
    await bare.listen(0, '127.0.0.1');
    try {
      const oursUrl = `${urlOf(ours.app)}${hook.url}`;
      const body = JSON.stringify({ orderId: 42, customer: { email: 'ada@example.com' } });
      await run(oursUrl, signed(hook.secret, body), { duration: 2000 }); // warm-up
      const cpuBefore = cpuByServer();
      const max = await run(oursUrl, signed(hook.secret, body), { duration: PHASE_MS });
      const cpuOurs = cpuPerRunLine(cpuBefore, cpuByServer(), max.requests, 'request');
      const bareBefore = cpuByServer();
      const baseline = await run(`${urlOf(bare)}/bare`, () => plain(body), { duration: PHASE_MS });
      const cpuBare = cpuPerRunLine(bareBefore, cpuByServer(), baseline.requests, 'request');
      await sleep(500);
      const half = await openLoop({ url: oursUrl, rate: Math.max(1, Math.floor(max.rps / 2)), durationMs: PHASE_MS, connections: CONNECTIONS, body, webhookSecret: hook.secret });
      console.log(resultLine('webhook ingress (32 connections)', max.rps, baseline.rps));
      console.log(`  ours: ${max.rps.toFixed(0)} req/s, p99 ${max.p99} ms, non-2xx ${max.non2xx}, errors ${max.errors}`);
      console.log(`  bare NestJS route: ${baseline.rps.toFixed(0)} req/s, p99 ${baseline.p99} ms`);
      console.log(`  ours: ${cpuOurs}`);
      console.log(`  bare: ${cpuBare}`);
      console.log(`  ours at half max (${Math.floor(max.rps / 2)}/s): ${half.rps.toFixed(0)} req/s, p50 ${half.p50} ms, p90 ${half.p90} ms, p99 ${half.p99} ms, max ${half.max} ms, non-2xx ${half.non2xx}, errors ${half.errors}`);
      const ratio = max.rps / baseline.rps;
      console.log(`targets: ratio >= 0.3: ${ratio >= 0.3 ? 'met' : 'NOT met'} (${ratio.toFixed(2)}); p99 < 50 ms at half max: ${half.p99 < 50 ? 'met' : 'NOT met'} (${half.p99} ms)`);
    } finally {
      await bare.close();
      await ours.close();
    }
  } finally {
    await dropSchema(DATABASE_URL, schema).catch(() => undefined);
  }
}

/** All roles: create, add a webhook trigger (no rate limit to speak of), publish, wait until the version is readable. */
async function setUp(config: ReturnType<typeof loadConfig>) {
  const served = await serve(config, ALL_ROLES);
  try {
    const base = urlOf(served.app);
    const login = (await post(base, '/api/auth/login', { email: config.adminEmail, password: config.adminPassword })) as { accessToken: string };
    const auth = { authorization: `Bearer ${login.accessToken}` };
    const created = (await post(base, '/api/workflows', { name: 'Webhook bench', steps: [{ id: 'noop', name: 'noop', type: 'transform', config: { assignments: { ok: 'true' } } }] }, auth)) as { id: string };
    const trigger = (await post(base, `/api/workflows/${created.id}/triggers`, { kind: 'webhook', name: 'Orders', config: { rateLimitPerMinute: 1_000_000 } }, auth)) as { webhook: { url: string; secret: string } };
    await post(base, `/api/workflows/${created.id}/versions`, { note: 'bench' }, auth);
    for (let i = 0; i < 100; i++) {
      const list = (await (await fetch(`${base}/api/workflows/${created.id}/triggers`, { headers: auth })).json()) as { items: { status: string }[] };
      if (list.items[0]?.status === 'live') break;
      await sleep(100);
    }
    return trigger.webhook;
  } finally {
    await served.close();
  }
}

/**
 * An app with its own infrastructure; `close` closes both. (Not by overriding the app's close: Nest's app object
 * routes `close` to its own method, so the infrastructure, its pool with it, stayed open and the bench only exited
 * once pg's idle timeout had dropped the pool's connections.)
 */
async function serve(config: ReturnType<typeof loadConfig>, roles: ProcessRoles): Promise<{ app: INestApplication; close(): Promise<void> }> {
  const infra = await openInfrastructure(config, { processName: 'bench' });
  const app = await createApp(infra, roles);
  await app.listen(0, '127.0.0.1');
  return { app, close: async () => (await app.close(), await infra.close()) };
}

function urlOf(app: INestApplication): string {
  return `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
}

async function post(base: string, path: string, body: unknown, headers: Record<string, string> = {}): Promise<unknown> {
  const res = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  if (res.status >= 300) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

type Request = { method: 'POST'; path?: string; headers: Record<string, string>; body: string };

/** A distinct delivery (fresh webhook-id) per request. */
function signed(secret: string, body: string): () => Request {
  const bytes = Buffer.from(body);
  return () => {
    const ts = Math.floor(Date.now() / 1000);
    const id = `msg_${randomUUID()}`;
    return { method: 'POST', headers: { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': String(ts), 'webhook-signature': signWebhook(secret, id, ts, bytes) }, body };
  };
}

function plain(body: string): Request {
  return { method: 'POST', headers: { 'content-type': 'application/json' }, body };
}

async function run(url: string, build: () => Request, options: { duration: number }) {
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: options.duration / 1000,
    requests: [{ method: 'POST', setupRequest: (req: object) => ({ ...req, ...build() }) }],
  });
  return { rps: result.requests.average, requests: result.requests.total, p50: result.latency.p50, p99: result.latency.p99, non2xx: result.non2xx, errors: result.errors };
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
