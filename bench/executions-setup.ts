/**
 * What bench/executions and bench/ab-executions share: the RabbitMQ they run on, the 3-step workflow
 * they run (transform -> condition -> http_request to a local sink), published, the sink, and the wait
 * for the runs to finish.
 */
import type { Kysely } from 'kysely';
import type { AppConfig } from '../src/config';
import type { Database } from '../src/adapters/database/tables';
import { Worker } from 'node:worker_threads';

export const AMQP_URL = process.env.AMQP_URL || 'amqp://guest:guest@127.0.0.1:5672';

/** Signs in as the admin and creates and publishes the bench workflow; answers its execute URL and the auth header. */
export async function createBenchWorkflow(base: string, config: AppConfig, sinkUrl: string): Promise<{ executeUrl: string; authorization: string }> {
  const login = (await (await fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: config.adminEmail, password: config.adminPassword }) })).json()) as { accessToken: string };
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${login.accessToken}` };
  const created = (await (
    await fetch(`${base}/api/workflows`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        name: 'Bench',
        steps: [
          { id: 'calc', name: 'calc', type: 'transform', config: { assignments: { total: 'input.amount * 2' } } },
          { id: 'big', name: 'big', type: 'condition', config: { expression: 'steps.calc.output.total > 10' } },
          { id: 'call', name: 'call', type: 'http_request', config: { method: 'POST', url: `${sinkUrl}/orders`, body: { total: '{{ steps.calc.output.total }}' } } },
        ],
        edges: [
          { id: 'e1', from: 'calc', to: 'big' },
          { id: 'e2', from: 'big', to: 'call', label: 'true' },
        ],
      }),
    })
  ).json()) as { id: string };
  await fetch(`${base}/api/workflows/${created.id}/versions`, { method: 'POST', headers, body: JSON.stringify({ note: 'bench' }) });
  return { executeUrl: `${base}/api/workflows/${created.id}/execute`, authorization: headers.authorization };
}

/**
 * The local HTTP server the workflow's http_request step calls: answers every call with a small
 * JSON body. It runs in a thread of its own: it stands for a service elsewhere, and on the
 * engine's event loop its work (about 2% of the loop at 150 runs/s) would be counted as ours.
 */
export async function startBenchSink(): Promise<{ url: string; close(): Promise<void> }> {
  const worker = new Worker(
    `const { parentPort } = require('node:worker_threads');
    const server = require('node:http').createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.setHeader('content-type', 'application/json');
        res.end('{"ok":true}');
      });
    });
    server.listen(0, '127.0.0.1', () => parentPort.postMessage(server.address().port));
    parentPort.on('message', () => {
      server.closeAllConnections();
      server.close(() => parentPort.close());
    });`,
    { eval: true },
  );
  const port = await new Promise<number>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      worker.postMessage('close');
      await new Promise((resolve) => worker.once('exit', resolve));
    },
  };
}

/** Waits until every run of `ids` has finished in the read model (or 60 s pass); answers finish times (epoch ms) by id. */
export async function finishTimes(db: Kysely<Database>, ids: string[]): Promise<Map<string, { at: number; status: string }>> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const rows = await db.selectFrom('execution').select(['execution_id', 'status', 'finished_at']).where('execution_id', 'in', ids).where('finished_at', 'is not', null).execute();
    if (rows.length === ids.length || Date.now() > deadline) return new Map(rows.map((r) => [r.execution_id, { at: new Date(r.finished_at!).getTime(), status: r.status }]));
    await new Promise((r) => setTimeout(r, 100));
  }
}
