/**
 * A load generator for the benches, in a worker thread of its own, so that its work does not
 * queue behind the server's on the event loop of the process being measured.
 *  - open loop (default): `rate` requests a second at evenly spaced instants, over keep-alive
 *    connections, latency counted from each request's due time (so a stall cannot hide behind
 *    requests that were not sent);
 *  - closed loop (`clients`): that many clients each sending the next request when the last is answered.
 */
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { signWebhook } from '../src/adapters/crypto/webhook-signature';
import { percentile } from './support';

export interface OpenLoopOptions {
  url: string;
  rate: number;
  durationMs: number;
  connections: number;
  body: string;
  /** Sign each request as a distinct Standard Webhooks delivery with this secret. */
  webhookSecret?: string;
  headers?: Record<string, string>;
  /** Closed loop with this many clients instead of the open loop at `rate`. */
  clients?: number;
  /** Return this field of each 2xx JSON answer with the request's due time (epoch ms). */
  collect?: string;
  /**
   * Open loop: send at `rate` for this long first, counting nothing, so that the measured window starts on a
   * server already at that rate (pools grown, code compiled for it) rather than on a cold start.
   */
  warmupMs?: number;
}

export interface Sent {
  id: string;
  sentAt: number;
}

export interface OpenLoopResult {
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  non2xx: number;
  errors: number;
  sent: Sent[];
}

export function openLoop(options: OpenLoopOptions): Promise<OpenLoopResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(__filename, { workerData: options });
    worker.once('message', resolve);
    worker.once('error', reject);
  });
}

async function generate(options: OpenLoopOptions): Promise<OpenLoopResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.connections });
  const body = Buffer.from(options.body);
  const latencies: number[] = [];
  const collected: Sent[] = [];
  let non2xx = 0;
  let errors = 0;
  const epochOffset = Date.now() - performance.now();
  const headersFor = (): Record<string, string> => {
    if (!options.webhookSecret) return {};
    const id = `msg_${randomUUID()}`;
    const ts = Math.floor(Date.now() / 1000);
    return { 'webhook-id': id, 'webhook-timestamp': String(ts), 'webhook-signature': signWebhook(options.webhookSecret, id, ts, body) };
  };
  const send = (due: number, counted = true, firstTry = true): Promise<void> =>
    new Promise<void>((done) => {
      const headers = { 'content-type': 'application/json', 'content-length': String(body.length), ...options.headers, ...headersFor() };
      const req = http.request(options.url, { method: 'POST', agent, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => options.collect && chunks.push(chunk));
        res.on('end', () => {
          if (!counted) return done();
          if ((res.statusCode ?? 0) >= 300) non2xx++;
          else if (options.collect) collected.push({ id: String(JSON.parse(Buffer.concat(chunks).toString())[options.collect]), sentAt: Math.round(due + epochOffset) });
          latencies.push(performance.now() - due);
          done();
        });
      });
      req.on('error', (error: NodeJS.ErrnoException) => {
        // A kept-alive socket the server closed as the request went out: send once more on a fresh
        // one, as Node's documentation on `reusedSocket` advises (the server never read it).
        if (firstTry && req.reusedSocket && error.code === 'ECONNRESET') return void send(due, counted, false).then(done);
        if (counted) errors++;
        done();
      });
      req.end(body);
    });
  const sent: Promise<void>[] = [];
  const warmupMs = options.clients ? 0 : (options.warmupMs ?? 0);
  const warmupStart = performance.now();
  const t0 = warmupStart + warmupMs;
  if (options.clients) {
    const client = async () => {
      while (performance.now() - t0 < options.durationMs) await send(performance.now());
    };
    sent.push(...Array.from({ length: options.clients }, client));
  }
  for (let i = 0; !options.clients && i * 1000 < options.rate * (warmupMs + options.durationMs); i++) {
    const due = warmupStart + (i * 1000) / options.rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    sent.push(send(due, due >= t0));
  }
  await Promise.all(sent);
  agent.destroy();
  const q = (p: number) => Math.round(percentile(latencies, p) * 10) / 10;
  return { rps: latencies.length / ((performance.now() - t0) / 1000), p50: q(50), p90: q(90), p99: q(99), max: q(100), non2xx, errors, sent: collected };
}

if (!isMainThread && parentPort) {
  const port = parentPort;
  void generate(workerData as OpenLoopOptions).then((result) => port.postMessage(result));
}
