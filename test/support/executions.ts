import type { as } from './test-app';

type Api = ReturnType<typeof as>;

/** Polls until `check` yields a value (not undefined), or fails after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined>, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Creates a workflow from steps and edges, publishes it, and returns its id. */
export async function publishedWorkflow(api: Api, definition: { steps: object[]; edges?: object[]; variables?: object[] }): Promise<string> {
  const created = await api.post('/api/workflows').send({ name: `Run ${Date.now()}`, ...definition });
  if (created.status !== 201) throw new Error(`create: ${created.status} ${JSON.stringify(created.body)}`);
  const published = await api.post(`/api/workflows/${created.body.id}/versions`).send({ note: 'v1' });
  if (published.status !== 201) throw new Error(`publish: ${published.status} ${JSON.stringify(published.body)}`);
  return created.body.id;
}

export async function finished(api: Api, executionId: string, timeoutMs = 20_000) {
  return eventually(
    async () => {
      const res = await api.get(`/api/workflows/executions/${executionId}`);
      return res.status === 200 && ['succeeded', 'failed', 'cancelled'].includes(res.body.status) ? res.body : undefined;
    },
    `execution ${executionId} to finish`,
    timeoutMs,
  );
}

