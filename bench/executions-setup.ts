/**
 * What bench/executions and bench/ab-executions share: the RabbitMQ they run on, and the 3-step workflow
 * they run (transform -> condition -> http_request to a local sink), published.
 */
import type { AppConfig } from '../src/config';

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
