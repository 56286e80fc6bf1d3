/**
 * What bench/webhook and bench/ab-webhook share: a schema holding one published workflow with a webhook trigger,
 * the API role serving it, and signed deliveries.
 */
import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { ALL_ROLES, type AppConfig, type ProcessRoles } from '../src/config';
import { openInfrastructure } from '../src/infrastructure';
import { createApp } from '../src/bootstrap';
import { signWebhook } from '../src/adapters/crypto/webhook-signature';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What an API replica runs: no engine running the started runs, no projections. */
export const API_ONLY: ProcessRoles = { api: true, forwarder: false, projections: false, engine: false };

/** The body every delivery carries. */
export const DELIVERY_BODY = JSON.stringify({ orderId: 42, customer: { email: 'ada@example.com' } });

/** All roles: create, add a webhook trigger (no rate limit to speak of), publish, wait until the version is readable. */
export async function setUp(config: AppConfig) {
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
export async function serve(config: AppConfig, roles: ProcessRoles): Promise<{ app: INestApplication; close(): Promise<void> }> {
  const infra = await openInfrastructure(config, { processName: 'bench' });
  const app = await createApp(infra, roles);
  await app.listen(0, '127.0.0.1');
  return { app, close: async () => (await app.close(), await infra.close()) };
}

export function urlOf(app: INestApplication): string {
  return `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
}

async function post(base: string, path: string, body: unknown, headers: Record<string, string> = {}): Promise<unknown> {
  const res = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  if (res.status >= 300) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

export type WebhookRequest = { method: 'POST'; path?: string; headers: Record<string, string>; body: string };

/** A distinct delivery (fresh webhook-id) per request. */
export function signed(secret: string, body: string): () => WebhookRequest {
  const bytes = Buffer.from(body);
  return () => {
    const ts = Math.floor(Date.now() / 1000);
    const id = `msg_${randomUUID()}`;
    return { method: 'POST', headers: { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': String(ts), 'webhook-signature': signWebhook(secret, id, ts, bytes) }, body };
  };
}
