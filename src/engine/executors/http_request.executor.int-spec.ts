import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { loadConfig } from '../../config';
import { StepFailure } from '../step-failure';
import { MAX_RESPONSE_BYTES, httpRequestExecutor } from './http_request.executor';
import { sendJson, startHttpSink, type HttpSink } from './testing/http-sink';
import { stepContext } from './testing/step-context';

type Output = { status: number; headers: Record<string, string>; body: unknown; durationMs: number; [mapped: string]: unknown };

describe('http_request executor against a real HTTP server', () => {
  let sink: HttpSink;

  beforeAll(async () => {
    sink = await startHttpSink(async (request, res) => {
      const [, route, arg] = request.path.split('/');
      switch (route) {
        case 'customers':
          res.setHeader('set-cookie', ['a=1', 'b=2']);
          return sendJson(res, 200, { items: [{ id: 'c-42', name: 'Ada' }, { id: 'c-43', name: 'Grace' }] }, { 'x-total': '2' });
        case 'echo':
          return sendJson(res, 201, { method: request.method, query: request.query, contentType: request.headers['content-type'] ?? null, body: request.body });
        case 'text':
          res.writeHead(200, { 'content-type': 'text/plain' });
          return void res.end('plain hello');
        case 'not-json':
          res.writeHead(200, { 'content-type': 'application/json' });
          return void res.end('<html>proxy error</html>');
        case 'status':
          return sendJson(res, Number(arg), { error: `status ${arg}` });
        case 'slow': {
          const answerLate = setTimeout(() => sendJson(res, 200, { late: true }), 3000);
          res.on('close', () => clearTimeout(answerLate));
          return;
        }
        case 'moved': {
          // /moved/<status>/<where>: a redirect (to another origin when <where> is "away").
          const target = request.path.split('/')[3] === 'away' ? `http://localhost:${sink.port}/echo?from=away` : '/echo?from=moved';
          res.writeHead(Number(arg), { location: target });
          return void res.end('see elsewhere');
        }
        case 'loop':
          res.writeHead(302, { location: '/loop' });
          return void res.end();
        case 'gzip':
          res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
          return void res.end(gzipSync(JSON.stringify({ zipped: true })));
        case 'bomb':
          res.writeHead(200, { 'content-type': 'text/plain', 'content-encoding': 'gzip' });
          return void res.end(gzipSync(Buffer.alloc(MAX_RESPONSE_BYTES + 1024, 'x')));
        case 'big':
          res.writeHead(200, { 'content-type': 'text/plain' });
          return void res.end(Buffer.alloc(MAX_RESPONSE_BYTES + 1024, 'x'));
        default:
          return sendJson(res, 404, { error: 'no route' });
      }
    });
  });
  afterAll(() => sink.close());
  beforeEach(() => sink.received.splice(0));

  const run = async (config: Record<string, unknown>, options: { scope?: object; signal?: AbortSignal; attempt?: number } = {}) => {
    const ctx = await stepContext({
      type: 'http_request',
      config,
      scope: options.scope,
      signal: options.signal,
      attempt: options.attempt,
      services: { config: loadConfig({ ...process.env, PORT: String(sink.port) }) },
    });
    const outcome = await httpRequestExecutor.execute(ctx);
    return { ctx, output: (outcome as { output: Output }).output };
  };
  const failureOf = async (config: Record<string, unknown>, options?: Parameters<typeof run>[1]): Promise<StepFailure> => {
    const error = await run(config, options).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(StepFailure);
    return error as StepFailure;
  };

  it('GETs JSON with query parameters and maps fields of the response', async () => {
    const { ctx, output } = await run(
      {
        method: 'GET',
        url: `${sink.url}/customers`,
        query: { region: '{{ input.region }}', tag: ['a', 'b'] },
        responseMapping: { customerId: 'body.items[0].id', total: '$number(headers."x-total")', ok: 'response.status = 200', region: 'input.region' },
      },
      { scope: { input: { region: 'eu' } } },
    );
    expect(output).toMatchObject({
      status: 200,
      body: { items: [{ id: 'c-42', name: 'Ada' }, { id: 'c-43', name: 'Grace' }] },
      customerId: 'c-42',
      total: 2,
      ok: true,
      region: 'eu',
    });
    expect(output.headers).toMatchObject({ 'content-type': 'application/json', 'x-total': '2', 'set-cookie': 'a=1, b=2' });
    expect(Number.isInteger(output.durationMs) && output.durationMs >= 0).toBe(true);
    expect(sink.received[0]).toMatchObject({ method: 'GET', query: { region: 'eu', tag: ['a', 'b'] } });
    expect(sink.received[0].headers['idempotency-key']).toBe(ctx.idempotencyKey);
  });

  it('POSTs a JSON body built from templates, and defaults to GET with no method', async () => {
    const { output } = await run(
      { method: 'POST', url: `${sink.url}/echo`, body: { name: '{{ input.name }}', items: '{{ input.items }}', note: 'for {{ input.name }}' } },
      { scope: { input: { name: 'Ada', items: [1, 2] } } },
    );
    expect(output.status).toBe(201);
    expect(output.body).toMatchObject({ method: 'POST', contentType: 'application/json' });
    expect(JSON.parse((output.body as { body: string }).body)).toEqual({ name: 'Ada', items: [1, 2], note: 'for Ada' });

    const plain = await run({ url: `${sink.url}/echo` });
    expect(plain.output.body).toMatchObject({ method: 'GET', body: '' });
  });

  it("resolves a path against the app's own address and sends the seed's `data` as the body", async () => {
    const { output } = await run(
      { url: '/echo', method: 'POST', data: '{{ customer_data }}' },
      { scope: { customer_data: { email: 'ada@example.com' }, vars: { customer_data: { email: 'ada@example.com' } } } },
    );
    expect(JSON.parse((output.body as { body: string }).body)).toEqual({ email: 'ada@example.com' });
  });

  it('sends a form body, repeating fields given as lists', async () => {
    const { output } = await run({ method: 'POST', url: `${sink.url}/echo`, bodyType: 'form', body: { name: 'Ada L', tags: ['a', 'b'], age: 36 } });
    expect(output.body).toMatchObject({ contentType: 'application/x-www-form-urlencoded', body: 'name=Ada+L&tags=a&tags=b&age=36' });
  });

  it('sends a text body, and lets a given Content-Type win', async () => {
    const { output } = await run({ method: 'PUT', url: `${sink.url}/echo`, bodyType: 'text', body: 'hello {{ input.who }}', headers: { 'Content-Type': 'text/csv' } }, { scope: { input: { who: 'you' } } });
    expect(output.body).toMatchObject({ method: 'PUT', contentType: 'text/csv', body: 'hello you' });
  });

  it('sends rendered headers, and the same Idempotency-Key on every attempt of the step', async () => {
    const first = await run({ url: `${sink.url}/echo`, headers: { Authorization: 'Bearer {{ vars.token }}', 'X-Attempt': 'one' } }, { scope: { vars: { token: 't0k' } } });
    const second = await run({ url: `${sink.url}/echo` }, { attempt: 2 });
    expect(sink.received[0].headers).toMatchObject({ authorization: 'Bearer t0k', 'x-attempt': 'one' });
    expect(sink.received[0].headers['idempotency-key']).toBe(first.ctx.idempotencyKey);
    expect(sink.received[1].headers['idempotency-key']).toBe(first.ctx.idempotencyKey);
    expect(second.ctx.attempt).toBe(2);
  });

  it('reads bodies as the responseType says', async () => {
    expect((await run({ url: `${sink.url}/text` })).output.body).toBe('plain hello');
    expect((await run({ url: `${sink.url}/customers`, responseType: 'text' })).output.body).toMatch(/^\{"items":/);
    // auto trusts the content type, but keeps a mislabelled answer as text rather than failing on it
    expect((await run({ url: `${sink.url}/not-json` })).output.body).toBe('<html>proxy error</html>');
    const failure = await failureOf({ url: `${sink.url}/not-json`, responseType: 'json' });
    expect(failure.kind).toBe('InvalidResponse');
    expect((await run({ method: 'HEAD', url: `${sink.url}/customers` })).output.body).toBeNull();
  });

  it.each([
    [404, 'HttpClientError', false],
    [400, 'HttpClientError', false],
    [408, 'HttpClientError', true],
    [429, 'HttpClientError', true],
    [500, 'HttpServerError', true],
    [503, 'HttpServerError', true],
  ])('fails on %i as %s (retryable %s)', async (status, kind, retryable) => {
    const failure = await failureOf({ url: `${sink.url}/status/${status}` });
    expect(failure).toMatchObject({ kind, retryable });
    expect(failure.message).toContain(`answered ${status}`);
    expect(failure.message).toContain(`status ${status}`);
    expect(failure.details).toMatchObject({ status, body: { error: `status ${status}` } });
  });

  it('fails only on the statuses failOnStatus lists', async () => {
    const notFound = await run({ url: `${sink.url}/status/404`, failOnStatus: ['5xx'], responseMapping: { error: 'body.error' } });
    expect(notFound.output).toMatchObject({ status: 404, error: 'status 404' });
    expect((await run({ url: `${sink.url}/status/500`, failOnStatus: ['404'] })).output.status).toBe(500);
    expect((await failureOf({ url: `${sink.url}/customers`, failOnStatus: ['200'] })).kind).toBe('HttpStatusError');
  });

  it('aborts at timeoutMs with a Timeout failure', async () => {
    const started = Date.now();
    const failure = await failureOf({ url: `${sink.url}/slow`, timeoutMs: 200 });
    expect(failure).toMatchObject({ kind: 'Timeout', retryable: true });
    expect(failure.message).toMatch(/within 200 ms/);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("aborts when the step's own signal fires (step timeout, worker shutdown)", async () => {
    const started = Date.now();
    const failure = await failureOf({ url: `${sink.url}/slow` }, { signal: AbortSignal.timeout(150) });
    expect(failure.kind).toBe('Timeout');
    expect(failure.message).toMatch(/stopped/);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('reports a refused connection as a retryable NetworkError', async () => {
    const closed = await startHttpSink(() => undefined);
    await closed.close();
    const failure = await failureOf({ url: `${closed.url}/anything` });
    expect(failure).toMatchObject({ kind: 'NetworkError', retryable: true });
    expect(failure.message).toMatch(/ECONNREFUSED/);
  });

  it('refuses a response larger than the limit, also when it only grows that large decompressed', async () => {
    const failure = await failureOf({ url: `${sink.url}/big` });
    expect(failure).toMatchObject({ kind: 'ResponseTooLarge', retryable: false });
    expect(await failureOf({ url: `${sink.url}/bomb` })).toMatchObject({ kind: 'ResponseTooLarge', retryable: false });
  });

  it('follows redirects: 307 and 308 keep the method and body, 301, 302 and 303 go on as a GET; credentials stay behind on another origin', async () => {
    const post = (status: number) => run({ method: 'POST', url: `${sink.url}/moved/${status}`, body: { n: 1 }, headers: { Authorization: 'Bearer secret-1' } });
    for (const status of [307, 308]) {
      expect((await post(status)).output.body).toMatchObject({ method: 'POST', query: { from: 'moved' }, body: '{"n":1}' });
    }
    for (const status of [301, 302, 303]) {
      const { output } = await post(status);
      expect(output).toMatchObject({ status: 201, body: { method: 'GET', query: { from: 'moved' }, contentType: null } });
    }
    const sameOrigin = sink.received.filter((r) => r.query.from === 'moved');
    expect(sameOrigin.every((r) => r.headers.authorization === 'Bearer secret-1')).toBe(true);
    sink.received.splice(0);
    await run({ url: `${sink.url}/moved/302/away`, headers: { Authorization: 'Bearer secret-1' } });
    const away = sink.received.find((r) => r.query.from === 'away')!;
    expect(away.headers.authorization).toBeUndefined();
    expect(away.headers['idempotency-key']).toEqual(expect.any(String));
  });

  it('stops after 20 redirects with a NetworkError that does not retry', async () => {
    expect(await failureOf({ url: `${sink.url}/loop` })).toMatchObject({ kind: 'NetworkError', retryable: false, message: expect.stringMatching(/more than 20 times/) });
    expect(sink.received.filter((r) => r.path === '/loop')).toHaveLength(21);
  });

  it('decodes a gzip-encoded answer', async () => {
    expect((await run({ url: `${sink.url}/gzip` })).output.body).toEqual({ zipped: true });
  });

  it.each([
    ['a body on a GET', { method: 'GET', url: 'http://127.0.0.1:1/x', body: { a: 1 } }],
    ['a URL that is not http(s)', { url: 'ftp://example.com/file' }],
    ['a URL that is not a URL', { url: 'http://' }],
    ['a header value with a line break', { url: 'http://127.0.0.1:1/x', headers: { 'X-Bad': 'a\r\nb' } }],
    ['a form body that is not an object', { method: 'POST', url: 'http://127.0.0.1:1/x', bodyType: 'form', body: 'a=1' }],
    ['a mapping onto status', { url: 'SINK/customers', responseMapping: { status: 'body' } }],
  ])('rejects %s as InvalidConfig before calling anyone', async (_name, config) => {
    const resolved = { ...config, url: config.url.replace('SINK', sink.url) };
    const failure = await failureOf(resolved);
    expect(failure).toMatchObject({ kind: 'InvalidConfig', retryable: false });
  });

  it('sends a request once more on a fresh connection when the server closes the kept-alive one as it goes out, and only then', async () => {
    // The server answers a connection's first request and drops the connection at its second (as a
    // server does whose idle timeout ends as the request arrives), or drops every request (`always`).
    let requests = 0;
    let connections = 0;
    const perSocket = new WeakMap<object, number>();
    const server = createServer((req, res) => {
      requests++;
      const nth = (perSocket.get(req.socket) ?? 0) + 1;
      perSocket.set(req.socket, nth);
      if (nth === 2 || req.url === '/always') return void req.socket.destroy();
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
    server.on('connection', () => connections++);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      expect((await run({ method: 'POST', url: `${base}/first`, body: { n: 1 } })).output.status).toBe(200);
      expect((await run({ method: 'POST', url: `${base}/second`, body: { n: 2 } })).output.status).toBe(200);
      expect([requests, connections]).toEqual([3, 2]);
      // A connection the server drops at once is not a stale one: the failure stands, after one more send at most.
      requests = 0;
      expect(await failureOf({ method: 'POST', url: `${base}/always` })).toMatchObject({ kind: 'NetworkError', retryable: true });
      expect(requests).toBeLessThanOrEqual(2);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('surfaces a failing response mapping as ExpressionError naming the field', async () => {
    const failure = await failureOf({ url: `${sink.url}/customers`, responseMapping: { id: 'body.items[' } });
    expect(failure.kind).toBe('ExpressionError');
    expect(failure.message).toMatch(/^responseMapping id: /);
  });
});
