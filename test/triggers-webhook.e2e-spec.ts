import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import request from 'supertest';
import type { App } from 'supertest/types';
import { signWebhook } from '../src/adapters/crypto/webhook-signature';
import { as, startTestApp, testConfig, type TestApp } from './support/test-app';
import { finished, publishedWorkflow } from './support/executions';

/**
 * SPEC C3 webhook triggers, by hand and fuzzed: every bad delivery is a 4xx problem and starts nothing; a good one
 * starts exactly one run, a replayed webhook-id answers the same run; rotation keeps the old secret until retired.
 */
describe('webhook triggers', () => {
  let t: TestApp;
  let http: App;
  let api: ReturnType<typeof as>;
  let workflowId: string;
  let hook: { triggerId: string; hookId: string; url: string; secret: string; fingerprint: string };

  const startedRuns = async () =>
    Number((await t.infra.database.db.selectFrom('event_log').select((eb) => eb.fn.countAll<string>().as('n')).where('type', '=', 'ExecutionStarted').executeTakeFirstOrThrow()).n);
  /** The types of the events the run's first append stored (one transaction). */
  const firstAppend = async (executionId: string) => {
    const events = await t.infra.database.db
      .selectFrom('event_log')
      .select(['type', 'transaction_id'])
      .where('stream_id', '=', `execution-${executionId}`)
      .orderBy('revision')
      .execute();
    return events.filter((e) => e.transaction_id === events[0].transaction_id).map((e) => e.type);
  };
  const nowSeconds = () => Math.floor(Date.now() / 1000);
  const signed = (secret: string, body: Buffer, id = `msg_${randomUUID()}`, ts = nowSeconds()) => ({
    'webhook-id': id,
    'webhook-timestamp': String(ts),
    'webhook-signature': signWebhook(secret, id, ts, body),
    'content-type': 'application/json',
  });
  const deliver = (url: string, headers: Record<string, string | string[]>, body: Buffer | string) => {
    let req = request(http).post(url);
    for (const [name, value] of Object.entries(headers)) req = req.set(name, value as string);
    // superagent would JSON-encode a Buffer sent as application/json: the bytes must go out as they are.
    return req.serialize((b: unknown) => b as string).send(body);
  };

  async function addWebhook(config: Record<string, unknown> = {}, publish = true) {
    const res = await api.post(`/api/workflows/${workflowId}/triggers`).send({ kind: 'webhook', name: `hook ${randomUUID().slice(0, 6)}`, config });
    expect(res.status).toBe(201);
    expect(res.body.webhook.secret).toMatch(/^whsec_/);
    if (publish) expect((await api.post(`/api/workflows/${workflowId}/versions`).send({ note: 'hook' })).status).toBe(201);
    return { ...(res.body.webhook as Omit<typeof hook, 'triggerId'>), triggerId: res.body.triggerId as string };
  }

  beforeAll(async () => {
    // Secrets sealed at rest, as with WEBHOOK_SECRETS_KEY set: every delivery below verifies through it.
    t = await startTestApp(testConfig({ webhookSecretsKey: 'e2e secrets key' }));
    http = t.app.getHttpServer();
    api = as(http, await t.login());
    workflowId = await publishedWorkflow(api, { steps: [{ id: 'echo', name: 'echo', type: 'transform', config: { assignments: { got: 'input.n' } } }] });
    hook = await addWebhook();
  }, 60_000);
  afterAll(() => t?.close());

  it('starts one run for a signed delivery and answers a replayed webhook-id with the same run', async () => {
    const before = await startedRuns();
    const body = Buffer.from(JSON.stringify({ n: 1 }));
    const first = await deliver(hook.url, signed(hook.secret, body, 'msg_replay_1'), body);
    expect(first.status).toBe(202);
    expect(first.body).toEqual({ executionId: expect.any(String), replayed: false });
    // A sender's retry: same id, fresh timestamp and signature, even another body.
    const other = Buffer.from(JSON.stringify({ n: 2 }));
    const again = await deliver(hook.url, signed(hook.secret, other, 'msg_replay_1', nowSeconds() + 5), other);
    expect(again.status).toBe(202);
    expect(again.body).toEqual({ executionId: first.body.executionId, replayed: true });
    expect(await startedRuns()).toBe(before + 1);
    // The run records which trigger started it, and its input is the body.
    const run = await finished(api, first.body.executionId);
    expect(run.trigger).toMatchObject({ kind: 'webhook', triggerId: hook.triggerId, userId: null });
    expect(run.input).toEqual({ n: 1 });
    // Answered at once: the delivery stored the start alone, and the engine ran the transform.
    expect(await firstAppend(first.body.executionId)).toEqual(['ExecutionStarted', 'StepScheduled']);
    expect(run.output).toEqual({ echo: { got: 1 } });
  });

  it('refuses every tampered or malformed delivery with a 4xx problem and starts nothing', async () => {
    const before = await startedRuns();
    const body = Buffer.from(JSON.stringify({ n: 3, name: 'Ada' }));
    const good = signed(hook.secret, body);
    const other = await addWebhook({}, false);
    const cases: [string, Record<string, string | string[]>, Buffer | string, number][] = [
      ['wrong secret', signed(other.secret, body), body, 401],
      ['one body byte changed', good, Buffer.from(body.toString().replace('Ada', 'Adb')), 401],
      ['re-serialized JSON', good, Buffer.from(JSON.stringify(JSON.parse(body.toString()), null, 2)), 401],
      ['timestamp 301 s in the past', signed(hook.secret, body, 'msg_old', nowSeconds() - 301), body, 401],
      // The exact 300/301 s boundary is checked with a fixed clock in webhook-signature.spec.ts; here the cases are
      // signed up front and sent one by one, so a second may pass before this one arrives: 305 s stays outside.
      ['timestamp 305 s in the future', signed(hook.secret, body, 'msg_new', nowSeconds() + 305), body, 401],
      ['missing webhook-id', omit(good, 'webhook-id'), body, 400],
      ['missing webhook-timestamp', omit(good, 'webhook-timestamp'), body, 400],
      ['missing webhook-signature', omit(good, 'webhook-signature'), body, 400],
      ['no headers at all', { 'content-type': 'application/json' }, body, 400],
      ['doubled webhook-signature', { ...good, 'webhook-signature': [good['webhook-signature'] as string, good['webhook-signature'] as string] }, body, 400],
      ['doubled webhook-id', { ...good, 'webhook-id': [good['webhook-id'] as string, 'msg_other'] }, body, 400],
      ['signature too short', { ...good, 'webhook-signature': (good['webhook-signature'] as string).slice(0, 30) }, body, 400],
      ['signature too long', { ...good, 'webhook-signature': `${good['webhook-signature']}AAAA` }, body, 400],
      ['5 MB body', good, Buffer.alloc(5 * 1024 * 1024, 0x61), 413],
      ['unknown hook', good, body, 404],
    ];
    for (const [what, headers, payload, status] of cases) {
      const url = what === 'unknown hook' ? `/api/hooks/${randomUUID()}` : hook.url;
      const res = await deliver(url, headers, payload).catch((error: Error) => ({ status: -1, body: { error: error.message }, headers: {} }) as never);
      expect({ what, status: res.status }).toEqual({ what, status });
      expect({ what, type: String(res.headers['content-type']) }).toEqual({ what, type: expect.stringContaining('application/problem+json') });
    }
    // Correctly signed, but the body is not something a run can take.
    const invalidUtf8 = Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d]);
    expect((await deliver(hook.url, signed(hook.secret, invalidUtf8), invalidUtf8)).status).toBe(400);
    const notJson = Buffer.from('n=1');
    expect((await deliver(hook.url, signed(hook.secret, notJson), notJson)).status).toBe(400);
    const array = Buffer.from('[1,2]');
    expect((await deliver(hook.url, signed(hook.secret, array), array)).status).toBe(422);
    expect(await startedRuns()).toBe(before);
  });

  it('fuzzed deliveries (fast-check) never get a 2xx or a 5xx and start nothing', async () => {
    const before = await startedRuns();
    const base = Buffer.from(JSON.stringify({ n: 42 }));
    const header = fc.oneof(fc.string({ maxLength: 80 }), fc.constantFrom('v1,', 'v1,AAAA', 'v2,abc', ' ', ''), fc.string({ maxLength: 80 }).map((s) => `v1,${Buffer.from(s).toString('base64')}`));
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          mutateBody: fc.option(fc.uint8Array({ minLength: 0, maxLength: 300 }), { nil: undefined }),
          flipByte: fc.option(fc.nat(base.length - 1), { nil: undefined }),
          id: fc.option(fc.string({ minLength: 0, maxLength: 40 }), { nil: undefined }),
          // Future skews keep a margin for the time a run takes to send (see the hand cases above).
          skew: fc.option(fc.oneof(fc.integer({ min: 310, max: 100_000 }), fc.integer({ min: -100_000, max: -301 })), { nil: undefined }),
          signature: fc.option(header, { nil: undefined }),
          drop: fc.option(fc.constantFrom('webhook-id', 'webhook-timestamp', 'webhook-signature'), { nil: undefined }),
        }),
        async (m) => {
          let body = base;
          if (m.mutateBody) body = Buffer.from(m.mutateBody);
          const headers: Record<string, string> = signed(hook.secret, base, `msg_fuzz_${randomUUID()}`, nowSeconds() + (m.skew ?? 0));
          if (m.flipByte !== undefined && !m.mutateBody) {
            body = Buffer.from(base);
            body[m.flipByte] ^= 0x01;
          }
          if (m.id !== undefined) headers['webhook-id'] = m.id;
          if (m.signature !== undefined) headers['webhook-signature'] = m.signature;
          if (m.drop) delete headers[m.drop];
          // Only deliveries that changed something that the signature covers (or the clock) are bad.
          const changed = m.mutateBody !== undefined || m.flipByte !== undefined || m.id !== undefined || m.skew !== undefined || m.signature !== undefined || m.drop !== undefined;
          fc.pre(changed && !(m.mutateBody && Buffer.from(m.mutateBody).equals(base)));
          const res = await deliver(hook.url, sanitize(headers), body);
          return res.status >= 400 && res.status < 500;
        },
      ),
      { numRuns: 150 },
    );
    expect(await startedRuns()).toBe(before);
  }, 120_000);

  it('keeps a rotated-out secret working until it is retired', async () => {
    const rotated = await api.post(`/api/workflows/${workflowId}/triggers/${(await triggerOf(hook.hookId)).id}/secrets`).send();
    expect(rotated.status).toBe(201);
    expect(rotated.body.activeSecrets).toHaveLength(2);
    const body = Buffer.from('{}');
    await new Promise((r) => setTimeout(r, 1100)); // the ingress caches an endpoint for a second
    expect((await deliver(hook.url, signed(hook.secret, body), body)).status).toBe(202);
    expect((await deliver(hook.url, signed(rotated.body.secret, body), body)).status).toBe(202);
    const triggerId = (await triggerOf(hook.hookId)).id;
    expect((await api.post(`/api/workflows/${workflowId}/triggers/${triggerId}/secrets`).send()).status).toBe(409); // two at most
    const retired = await api.delete(`/api/workflows/${workflowId}/triggers/${triggerId}/secrets/${hook.fingerprint}`);
    expect(retired.status).toBe(200);
    await new Promise((r) => setTimeout(r, 1100));
    expect((await deliver(hook.url, signed(hook.secret, body), body)).status).toBe(401);
    expect((await deliver(hook.url, signed(rotated.body.secret, body), body)).status).toBe(202);
    // The list shows fingerprints, never a secret; the events carry fingerprints only.
    const listed = JSON.stringify((await api.get(`/api/workflows/${workflowId}/triggers`)).body);
    expect(listed).not.toContain(rotated.body.secret.slice(6));
    const events = await t.infra.database.db.selectFrom('event_log').select('data').where('type', 'in', ['WebhookSecretRotated', 'WebhookSecretRetired']).execute();
    expect(events.length).toBeGreaterThanOrEqual(3);
    expect(JSON.stringify(events)).not.toContain('whsec_');
    const stored = await t.infra.database.db.selectFrom('webhook_endpoint').select('secrets').execute();
    expect(JSON.stringify(stored)).not.toContain('whsec_');
  });

  it('waits for the result, refuses addresses off the allow list, limits the rate and honours disable', async () => {
    const waiting = await addWebhook({ responseMode: 'wait', timeoutMs: 15_000 });
    const body = Buffer.from(JSON.stringify({ n: 7 }));
    const result = await deliver(waiting.url, signed(waiting.secret, body), body);
    expect(result.status).toBe(200);
    expect(result.body).toMatchObject({ status: 'succeeded', replayed: false });
    // Waiting for the result: the pure steps were decided with the start, in one append.
    expect(await firstAppend(result.body.executionId)).toEqual(expect.arrayContaining(['ExecutionStarted', 'StepSucceeded']));

    const fenced = await addWebhook({ allowList: ['203.0.113.0/24'] });
    expect((await deliver(fenced.url, signed(fenced.secret, body), body)).status).toBe(403);

    const slow = await addWebhook({ rateLimitPerMinute: 3 });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await deliver(slow.url, signed(slow.secret, body), body)).status);
    expect(statuses).toEqual([202, 202, 202, 429]);

    // The ingress keeps a trigger's published config for a second, but a change its own process
    // projects drops it at once: once the read models show the disable, deliveries are refused.
    const triggerId = waiting.triggerId;
    const disabled = await api.post(`/api/workflows/${workflowId}/triggers/${triggerId}/disable`).send();
    expect(disabled.status).toBe(200);
    await api.get(`/api/workflows/${workflowId}/triggers?minPosition=${disabled.body.position}`).expect(200);
    const runsBefore = await startedRuns();
    expect((await deliver(waiting.url, signed(waiting.secret, body), body)).status).toBe(409);
    expect(await startedRuns()).toBe(runsBefore);
    const enabled = await api.post(`/api/workflows/${workflowId}/triggers/${triggerId}/enable`).send();
    expect(enabled.status).toBe(200);
    await api.get(`/api/workflows/${workflowId}/triggers?minPosition=${enabled.body.position}`).expect(200);
    expect((await deliver(waiting.url, signed(waiting.secret, body), body)).status).toBe(200);
    const history = await api.get(`/api/workflows/${workflowId}/triggers/${triggerId}/history`);
    expect(history.status).toBe(200);
  }, 60_000);

  it('edits a webhook trigger in place: same address and secret, the new config fires once published, bad edits change nothing', async () => {
    const edited = await addWebhook({ rateLimitPerMinute: 100 });
    const body = Buffer.from('{}');
    expect((await deliver(edited.url, signed(edited.secret, body), body)).status).toBe(202);

    const patch = (change: object) => api.patch(`/api/workflows/${workflowId}/triggers/${edited.triggerId}`).send(change);
    const changed = await patch({ name: 'Renamed hook', config: { rateLimitPerMinute: 1 } });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ triggerId: edited.triggerId, revision: expect.any(Number) });
    for (const [bad, status] of [[{ config: { rateLimitPerMinute: -1 } }, 422], [{}, 400], [{ name: 'x'.repeat(201) }, 400]] as const) {
      const refused = await patch(bad);
      expect([refused.status, refused.headers['content-type']]).toEqual([status, expect.stringContaining('application/problem+json')]);
    }
    expect((await api.patch(`/api/workflows/${workflowId}/triggers/nope`).send({ name: 'x' })).status).toBe(404);
    // The edit's answer names its position: the list waits for the read models to reach it.
    expect((await api.get(`/api/workflows/${workflowId}/triggers?minPosition=soon`)).status).toBe(400);
    const listed = (await api.get(`/api/workflows/${workflowId}/triggers?minPosition=${changed.body.position}`)).body.items.find((i: { id: string }) => i.id === edited.triggerId);
    expect(listed).toMatchObject({ name: 'Renamed hook', config: { rateLimitPerMinute: 1 }, webhook: { url: edited.url } });
    expect(listed.publishedAs).toEqual({ name: expect.stringMatching(/^hook /), config: { rateLimitPerMinute: 100 } }); // what fires until the next publish

    // A draft edit: firing follows the published version, so publish, then the new rate applies on the same address and secret.
    expect((await api.post(`/api/workflows/${workflowId}/versions`).send({ note: 'slower hook' })).status).toBe(201);
    const republished = (await api.get(`/api/workflows/${workflowId}/triggers`)).body.items.find((i: { id: string }) => i.id === edited.triggerId);
    expect(republished.publishedAs).toBeUndefined();
    await new Promise((r) => setTimeout(r, 1100)); // the ingress caches a trigger for a second
    const statuses: number[] = [];
    for (let i = 0; i < 2; i++) statuses.push((await deliver(edited.url, signed(edited.secret, body), body)).status);
    expect(statuses).toEqual([202, 429]);
  });

  async function triggerOf(hookId: string) {
    const list = await api.get(`/api/workflows/${workflowId}/triggers`);
    return (list.body.items as { id: string; webhook?: { url: string } }[]).find((i) => i.webhook?.url === `/api/hooks/${hookId}`)!;
  }
});

function omit(headers: Record<string, string | string[]>, name: string) {
  const { [name]: _dropped, ...rest } = headers;
  return rest;
}

/** Header values Node refuses to send (control characters) are sent as a visible stand-in: still invalid. */
function sanitize(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, /^[\x20-\x7e]*$/.test(v) ? v : `x${Buffer.from(v).toString('hex')}`]));
}
