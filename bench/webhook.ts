/**
 * bench/webhook (issue 6): signed webhook ingress (verify the Standard Webhooks signature over the raw body, append
 * ExecutionStarted durably with expected revision no_stream, answer 202) in requests/s and p99, beside a bare NestJS
 * route answering 200 in the same process run, both driven by autocannon.
 *
 *   1. max rate: 32 connections for BENCH_PHASE_MS (10 s) each, ours then bare;
 *   2. ours at half its max rate, requests sent at evenly spaced instants from a worker thread (bench/open-loop.ts), the
 *      first 2 s at that rate not counted (the step down from full load): p99 must stay under 50 ms. Not autocannon's
 *      overallRate: that is a per-second quota per connection, so every second starts with a burst at full speed and
 *      the "half rate" p99 is the full-load p99.
 * Targets: ours >= 0.3x bare; p99 < 50 ms at half max. Every request carries a fresh webhook-id, signed as autocannon
 * builds it (one HMAC, a few microseconds of the client's time). CPU per request (node: this process, its client
 * included; postgres) varies far less from run to run than the rates do. The measured process runs the API role only (no engine
 * running the started runs, no projections), as an API replica would.
 *
 * Usage: npm run bench:webhook  (DATABASE_URL defaults to the local server; the broker is in-process)
 */
import { randomBytes } from 'node:crypto';
import { Controller, HttpCode, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import autocannon from 'autocannon';
import { dropSchema } from '../src/adapters/database/database';
import { openLoop } from './open-loop';
import { DATABASE_URL, benchConfig, cpuByServer, cpuPerRunLine, resultLine } from './support';
import { API_ONLY, DELIVERY_BODY, serve, setUp, signed, urlOf, type WebhookRequest } from './webhook-setup';

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
  const config = benchConfig(schema);
  try {
    const hook = await setUp(config);
    const ours = await serve(config, API_ONLY);
    const bare = await NestFactory.create(BareModule, { logger: false });
    await bare.listen(0, '127.0.0.1');
    try {
      const oursUrl = `${urlOf(ours.app)}${hook.url}`;
      const body = DELIVERY_BODY;
      await run(oursUrl, signed(hook.secret, body), { duration: 2000 }); // warm-up
      const cpuBefore = cpuByServer();
      const max = await run(oursUrl, signed(hook.secret, body), { duration: PHASE_MS });
      const cpuOurs = cpuPerRunLine(cpuBefore, cpuByServer(), max.requests, 'request');
      const bareBefore = cpuByServer();
      const baseline = await run(`${urlOf(bare)}/bare`, () => plain(body), { duration: PHASE_MS });
      const cpuBare = cpuPerRunLine(bareBefore, cpuByServer(), baseline.requests, 'request');
      await sleep(500);
      const half = await openLoop({ url: oursUrl, rate: Math.max(1, Math.floor(max.rps / 2)), durationMs: PHASE_MS, warmupMs: 2000, connections: CONNECTIONS, body, webhookSecret: hook.secret });
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

function plain(body: string): WebhookRequest {
  return { method: 'POST', headers: { 'content-type': 'application/json' }, body };
}

async function run(url: string, build: () => WebhookRequest, options: { duration: number }) {
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
