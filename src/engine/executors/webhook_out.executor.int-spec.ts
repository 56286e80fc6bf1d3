import { generateWebhookSecret, verifyWebhook } from '../../adapters/crypto/webhook-signature';
import { StepFailure } from '../step-failure';
import { sendJson, startHttpSink, type HttpSink, type ReceivedRequest } from './testing/http-sink';
import { stepContext } from './testing/step-context';
import { createWebhookOutExecutor, deliveryIdFor, secretEnvironmentName, webhookOutExecutor } from './webhook_out.executor';

type Output = { deliveryId: string; status: number; durationMs: number };

describe('webhook_out executor against a real receiver', () => {
  const secret = generateWebhookSecret();
  const executor = createWebhookOutExecutor(async (name) => ({ ORDERS_WEBHOOK_SECRET: secret, NOT_A_WEBHOOK_SECRET: 'plain-text' })[name]);
  let sink: HttpSink;

  beforeAll(async () => {
    sink = await startHttpSink((request, res) => {
      const [, route, arg] = request.path.split('/');
      if (route === 'status') return sendJson(res, Number(arg), { error: `status ${arg}` }, Number(arg) === 302 ? { location: '/hooks' } : {});
      if (route === 'slow') {
        const answerLate = setTimeout(() => sendJson(res, 200, {}), 3000);
        res.on('close', () => clearTimeout(answerLate));
        return;
      }
      return sendJson(res, 200, { received: true });
    });
  });
  afterAll(() => sink.close());
  beforeEach(() => sink.received.splice(0));

  const at = (iso: string) => () => new Date(iso);
  const run = async (config: Record<string, unknown>, options: { scope?: object; now?: () => Date; attempt?: number; stepId?: string } = {}) => {
    const ctx = await stepContext({
      type: 'webhook_out',
      config: { secretRef: 'ORDERS_WEBHOOK_SECRET', ...config },
      scope: options.scope,
      attempt: options.attempt,
      stepId: options.stepId,
      services: { now: options.now ?? at('2025-03-01T10:00:00Z') },
    });
    const outcome = await executor.execute(ctx);
    return { ctx, output: (outcome as { output: Output }).output };
  };
  const failureOf = async (config: Record<string, unknown>, runner = run): Promise<StepFailure> => {
    const error = await runner(config).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(StepFailure);
    return error as StepFailure;
  };
  const verify = (request: ReceivedRequest, now: Date, secrets = [secret], body = request.body) =>
    verifyWebhook({ secrets, headers: request.headers, rawBody: Buffer.from(body, 'utf8'), now });

  it('POSTs the rendered payload with Standard Webhooks headers that the receiving side verifies', async () => {
    const { ctx, output } = await run(
      { url: `${sink.url}/hooks/orders`, payload: { orderId: '{{ input.order.id }}', total: '{{ input.order.total }}' }, headers: { 'X-Tenant': '{{ vars.tenant }}' } },
      { scope: { input: { order: { id: 'o-7', total: 99.5 } }, vars: { tenant: 'acme' } } },
    );
    const [request] = sink.received;
    expect(request.method).toBe('POST');
    expect(JSON.parse(request.body)).toEqual({ orderId: 'o-7', total: 99.5 });
    expect(request.headers).toMatchObject({
      'content-type': 'application/json',
      'webhook-event': 'workflow.step',
      'webhook-id': output.deliveryId,
      'webhook-timestamp': String(Date.parse('2025-03-01T10:00:00Z') / 1000),
      'x-tenant': 'acme',
      'idempotency-key': ctx.idempotencyKey,
    });
    expect(request.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    expect(verify(request, new Date('2025-03-01T10:02:00Z'))).toMatchObject({ ok: true, webhookId: output.deliveryId, secretIndex: 0 });
    expect(output).toMatchObject({ deliveryId: deliveryIdFor(ctx.idempotencyKey), status: 200 });
    expect(Number.isInteger(output.durationMs) && output.durationMs >= 0).toBe(true);
  });

  it('signs exactly the bytes it sends: another body, secret or id does not verify', async () => {
    await run({ url: `${sink.url}/hooks`, payload: { amount: 10 } });
    const [request] = sink.received;
    const now = new Date('2025-03-01T10:00:00Z');
    expect(verify(request, now, [secret], '{"amount":11}')).toMatchObject({ ok: false, reason: 'signature-mismatch' });
    expect(verify(request, now, [secret], '{ "amount": 10 }')).toMatchObject({ ok: false, reason: 'signature-mismatch' });
    expect(verify(request, now, [generateWebhookSecret()])).toMatchObject({ ok: false, reason: 'signature-mismatch' });
    expect(verify({ ...request, headers: { ...request.headers, 'webhook-id': 'msg_other' } }, now)).toMatchObject({ ok: false, reason: 'signature-mismatch' });
  });

  it('keeps the delivery id across attempts while each attempt is signed at its own time', async () => {
    const first = await run({ url: `${sink.url}/hooks`, payload: { n: 1 } }, { now: at('2025-03-01T10:00:00Z') });
    const retry = await run({ url: `${sink.url}/hooks`, payload: { n: 1 } }, { now: at('2025-03-01T11:00:00Z'), attempt: 2 });
    const otherStep = await run({ url: `${sink.url}/hooks`, payload: { n: 1 } }, { stepId: 'notify_partner' });
    expect(retry.output.deliveryId).toBe(first.output.deliveryId);
    expect(otherStep.output.deliveryId).not.toBe(first.output.deliveryId);
    const [one, two] = sink.received;
    expect(two.headers['webhook-id']).toBe(one.headers['webhook-id']);
    expect(two.headers['webhook-timestamp']).toBe(String(Date.parse('2025-03-01T11:00:00Z') / 1000));
    // A retry an hour later is still fresh for the receiver's 5-minute window.
    expect(verify(two, new Date('2025-03-01T11:01:00Z'))).toMatchObject({ ok: true });
    expect(verify(one, new Date('2025-03-01T11:01:00Z'))).toMatchObject({ ok: false, reason: 'timestamp-out-of-tolerance' });
  });

  it('sends the configured event name, and a step cannot overwrite the signed headers', async () => {
    await run({
      url: `${sink.url}/hooks`,
      event: 'order.shipped',
      payload: { ok: true },
      headers: { 'webhook-signature': 'v1,forged', 'Webhook-Id': 'msg_forged', 'Content-Type': 'text/plain' },
    });
    const [request] = sink.received;
    expect(request.headers['webhook-event']).toBe('order.shipped');
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers['webhook-id']).not.toBe('msg_forged');
    expect(verify(request, new Date('2025-03-01T10:00:00Z'))).toMatchObject({ ok: true });
  });

  it.each([
    [500, 'HttpServerError', true],
    [503, 'HttpServerError', true],
    [400, 'HttpClientError', true],
    [410, 'HttpClientError', false],
    [302, 'HttpStatusError', true],
  ])('fails a delivery answered %i as %s (retryable %s), without following redirects', async (status, kind, retryable) => {
    const failure = await failureOf({ url: `${sink.url}/status/${status}`, payload: {} });
    expect(failure).toMatchObject({ kind, retryable });
    expect(failure.message).toContain(`answered ${status}`);
    expect(sink.received).toHaveLength(1);
  });

  it('gives up at timeoutMs with a Timeout failure', async () => {
    const started = Date.now();
    const failure = await failureOf({ url: `${sink.url}/slow`, payload: {}, timeoutMs: 200 });
    expect(failure).toMatchObject({ kind: 'Timeout', retryable: true });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('reports an unreachable receiver as a retryable NetworkError', async () => {
    const closed = await startHttpSink(() => undefined);
    await closed.close();
    expect(await failureOf({ url: `${closed.url}/hooks`, payload: {} })).toMatchObject({ kind: 'NetworkError', retryable: true });
  });

  it('fails without sending when the secret is missing or not a webhook secret, never echoing it', async () => {
    const missing = await failureOf({ url: `${sink.url}/hooks`, payload: {}, secretRef: 'NO_SUCH_SECRET' });
    expect(missing).toMatchObject({ kind: 'SecretNotFound', retryable: false });
    const malformed = await failureOf({ url: `${sink.url}/hooks`, payload: {}, secretRef: 'NOT_A_WEBHOOK_SECRET' });
    expect(malformed).toMatchObject({ kind: 'InvalidConfig', retryable: false });
    expect(malformed.message).not.toContain('plain-text');
    expect(sink.received).toHaveLength(0);
  });

  it('rejects a URL that is not http(s) as InvalidConfig', async () => {
    expect(await failureOf({ url: 'ftp://example.com/hooks', payload: {} })).toMatchObject({ kind: 'InvalidConfig', retryable: false });
  });

  it('reads BLUEBIRD_SECRET_<NAME> from the environment by default, and nothing without the prefix', async () => {
    const name = 'partner.hooks-v2';
    const variable = secretEnvironmentName(name);
    expect(variable).toBe('BLUEBIRD_SECRET_PARTNER_HOOKS_V2');
    process.env[variable] = secret;
    process.env.UNPREFIXED_TEST_SECRET = secret;
    try {
      const ctx = await stepContext({ type: 'webhook_out', config: { url: `${sink.url}/hooks`, secretRef: name, payload: { a: 1 } } });
      await webhookOutExecutor.execute(ctx);
      expect(verify(sink.received[0], ctx.services.now())).toMatchObject({ ok: true });
      const bare = await stepContext({ type: 'webhook_out', config: { url: `${sink.url}/hooks`, secretRef: 'UNPREFIXED_TEST_SECRET', payload: {} } });
      await expect(webhookOutExecutor.execute(bare)).rejects.toMatchObject({ kind: 'SecretNotFound' });
    } finally {
      delete process.env[variable];
      delete process.env.UNPREFIXED_TEST_SECRET;
    }
  });
});
