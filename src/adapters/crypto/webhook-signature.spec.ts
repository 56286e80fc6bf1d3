import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import {
  decodeWebhookSecret,
  generateWebhookSecret,
  isValidWebhookSecret,
  signedWebhookHeaders,
  signWebhook,
  verifyWebhook,
  WebhookSecretError,
  type VerifyWebhookInput,
  type WebhookFailureReason,
  type WebhookHeaders,
} from './webhook-signature';

const NOW = new Date('2026-05-04T10:00:00.000Z');
const NOW_S = NOW.getTime() / 1000;
const SECRET = generateWebhookSecret();
const OLD_SECRET = generateWebhookSecret();
const BODY = Buffer.from(JSON.stringify({ event: 'invoice.paid', amount: 4200, currency: 'EUR' }));

function delivery(body: Uint8Array = BODY, secret = SECRET, id = 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W', ts = NOW_S): VerifyWebhookInput {
  return { secrets: [secret], headers: signedWebhookHeaders(secret, id, ts, body), rawBody: body, now: NOW };
}
const reasonOf = (input: VerifyWebhookInput) => {
  const result = verifyWebhook(input);
  return result.ok ? 'ok' : result.reason;
};

describe('signWebhook', () => {
  it('matches the published Standard Webhooks / Svix example', () => {
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const body = Buffer.from('{"test": 2432232314}');
    expect(signWebhook(secret, 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, body)).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  it('signs the raw bytes: "id.timestamp." followed by the body, whatever the body holds', () => {
    const body = Buffer.from([0xff, 0xfe, 0x00, 0xc3, 0x28, 0x2e]); // not UTF-8
    const expected = createHmac('sha256', decodeWebhookSecret(SECRET)).update(Buffer.concat([Buffer.from('m1.1700000000.'), body])).digest('base64');
    expect(signWebhook(SECRET, 'm1', 1700000000, body)).toBe(`v1,${expected}`);
  });

  it('refuses ids and timestamps it could not send in a header', () => {
    expect(() => signWebhook(SECRET, 'has space', NOW_S, BODY)).toThrow(TypeError);
    expect(() => signWebhook(SECRET, '', NOW_S, BODY)).toThrow(TypeError);
    expect(() => signWebhook(SECRET, 'm', 1.5, BODY)).toThrow(TypeError);
    expect(() => signWebhook(SECRET, 'm', -1, BODY)).toThrow(TypeError);
    expect(() => signWebhook('not-a-secret', 'm', NOW_S, BODY)).toThrow(WebhookSecretError);
  });
});

describe('webhook secrets', () => {
  it('are whsec_ + base64 of 32 random bytes by default', () => {
    expect(SECRET).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(decodeWebhookSecret(SECRET)).toHaveLength(32);
    expect(generateWebhookSecret()).not.toBe(SECRET);
    expect(decodeWebhookSecret(generateWebhookSecret(64))).toHaveLength(64);
  });

  it.each([
    ['MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', /starts with "whsec_"/],
    ['whsec_', /padded base64/],
    ['whsec_not base64!', /padded base64/],
    ['whsec_' + Buffer.alloc(16).toString('base64'), /decodes to 24..64 bytes, this one to 16/],
    ['whsec_' + Buffer.alloc(65).toString('base64'), /this one to 65/],
  ])('rejects %j with a clear message', (secret, message) => {
    expect(() => decodeWebhookSecret(secret)).toThrow(message);
    expect(isValidWebhookSecret(secret)).toBe(false);
  });

  it('generates only lengths the verifier accepts', () => {
    expect(() => generateWebhookSecret(16)).toThrow(RangeError);
    expect(() => generateWebhookSecret(65)).toThrow(RangeError);
  });
});

describe('verifyWebhook by hand', () => {
  it('accepts a genuine delivery and reports the id, timestamp and which secret matched', () => {
    expect(verifyWebhook(delivery())).toEqual({ ok: true, webhookId: 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W', timestamp: NOW_S, secretIndex: 0 });
  });

  it('rotation: a delivery signed with the old secret verifies while it is listed, and fails once removed', () => {
    const signedWithOld = delivery(BODY, OLD_SECRET);
    expect(verifyWebhook({ ...signedWithOld, secrets: [SECRET, OLD_SECRET] })).toMatchObject({ ok: true, secretIndex: 1 });
    expect(verifyWebhook({ ...signedWithOld, secrets: [SECRET] })).toMatchObject({ ok: false, reason: 'signature-mismatch' });
  });

  it('accepts a header listing several signatures when any one matches, ignoring unknown versions', () => {
    const good = signWebhook(SECRET, 'm1', NOW_S, BODY);
    const other = signWebhook(OLD_SECRET, 'm1', NOW_S, BODY);
    const headers = { 'webhook-id': 'm1', 'webhook-timestamp': String(NOW_S), 'webhook-signature': `v1a,${'A'.repeat(86)}== ${other} ${good}` };
    expect(reasonOf({ secrets: [SECRET], headers, rawBody: BODY, now: NOW })).toBe('ok');
  });

  it('accepts the timestamp exactly 300 s away in either direction, and rejects 301 s', () => {
    expect(reasonOf(delivery(BODY, SECRET, 'm', NOW_S - 300))).toBe('ok');
    expect(reasonOf(delivery(BODY, SECRET, 'm', NOW_S + 300))).toBe('ok');
    expect(reasonOf(delivery(BODY, SECRET, 'm', NOW_S - 301))).toBe('timestamp-out-of-tolerance');
    expect(reasonOf(delivery(BODY, SECRET, 'm', NOW_S + 301))).toBe('timestamp-out-of-tolerance');
    expect(reasonOf({ ...delivery(BODY, SECRET, 'm', NOW_S - 1000), toleranceSeconds: 1000 })).toBe('ok');
  });

  it('rejects one changed byte, a wrong secret and re-serialised JSON', () => {
    const changed = Buffer.from(BODY);
    changed[10] ^= 0x01;
    expect(reasonOf({ ...delivery(), rawBody: changed })).toBe('signature-mismatch');
    expect(reasonOf({ ...delivery(), secrets: [OLD_SECRET] })).toBe('signature-mismatch');
    const reserialised = Buffer.from(JSON.stringify(JSON.parse(BODY.toString()), null, 2));
    expect(reasonOf({ ...delivery(), rawBody: reserialised })).toBe('signature-mismatch');
  });

  it.each(['webhook-id', 'webhook-timestamp', 'webhook-signature'] as const)('names the missing, empty or doubled %s header', (name) => {
    const headers = signedWebhookHeaders(SECRET, 'msg_1', NOW_S, BODY);
    const rest = { secrets: [SECRET], rawBody: BODY, now: NOW };
    const without: WebhookHeaders = { ...headers, [name]: undefined };
    expect(verifyWebhook({ ...rest, headers: without })).toMatchObject({ ok: false, reason: 'missing-header', header: name });
    expect(verifyWebhook({ ...rest, headers: { ...headers, [name]: '  ' } })).toMatchObject({ ok: false, reason: 'missing-header', header: name });
    expect(verifyWebhook({ ...rest, headers: { ...headers, [name]: [] } })).toMatchObject({ ok: false, reason: 'missing-header', header: name });
    const doubled = { ...headers, [name]: [headers[name], headers[name]] };
    expect(verifyWebhook({ ...rest, headers: doubled })).toMatchObject({ ok: false, reason: 'doubled-header', header: name });
    const twoSpellings = { ...headers, [name.toUpperCase()]: headers[name] };
    expect(verifyWebhook({ ...rest, headers: twoSpellings })).toMatchObject({ ok: false, reason: 'doubled-header', header: name });
    // A single-element array (req.headersDistinct) and another spelling of the name are fine.
    expect(reasonOf({ ...rest, headers: { ...headers, [name]: [headers[name]] } })).toBe('ok');
    expect(reasonOf({ ...rest, headers: { ...without, [name.toUpperCase()]: headers[name] } })).toBe('ok');
  });

  it('doubled headers that Node joined with ", " (req.headers) still fail with a typed reason', () => {
    const { headers, ...rest } = delivery();
    const join = (name: keyof typeof headers) => ({ ...headers, [name]: `${headers[name]}, ${headers[name]}` });
    expect(reasonOf({ ...rest, headers: join('webhook-id') })).toBe('bad-webhook-id');
    expect(reasonOf({ ...rest, headers: join('webhook-timestamp') })).toBe('bad-timestamp');
    expect(reasonOf({ ...rest, headers: join('webhook-signature') })).toBe('bad-signature-format');
  });

  it.each([
    ['1.7e9', 'bad-timestamp'],
    ['-1', 'bad-timestamp'],
    ['0017000000', 'bad-timestamp'],
    ['2026-05-04T10:00:00Z', 'bad-timestamp'],
    ['99999999999999999999', 'bad-timestamp'],
  ])('rejects timestamp %j', (timestamp, reason) => {
    const { headers, ...rest } = delivery();
    expect(reasonOf({ ...rest, headers: { ...headers, 'webhook-timestamp': timestamp } })).toBe(reason);
  });

  it.each([
    ['v1,' + Buffer.alloc(31).toString('base64'), 'wrong length (31 bytes)'],
    ['v1,' + Buffer.alloc(33).toString('base64'), 'wrong length (33 bytes)'],
    ['v1,' + Buffer.alloc(32).toString('hex'), 'hex instead of base64'],
    ['v1,' + Buffer.alloc(32).toString('base64url'), 'unpadded base64url'],
    ['v1,', 'empty'],
    ['g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=', 'no version'],
    ['v2,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=', 'only an unknown version'],
    ['v1,' + 'A'.repeat(43) + '= ' + 'x'.repeat(5000), 'oversized header'],
    [Array.from({ length: 17 }, () => 'v1,' + 'A'.repeat(43) + '=').join(' '), 'too many entries'],
  ])('rejects a signature header with %s as bad-signature-format', (signature) => {
    const { headers, ...rest } = delivery();
    expect(reasonOf({ ...rest, headers: { ...headers, 'webhook-signature': signature } })).toBe('bad-signature-format');
  });

  it('rejects webhook ids that are not visible ASCII or too long', () => {
    const { headers, ...rest } = delivery();
    for (const id of ['msg 1', 'msg\u00e9', 'x'.repeat(257)]) expect(reasonOf({ ...rest, headers: { ...headers, 'webhook-id': id } })).toBe('bad-webhook-id');
  });

  it('handles a 5 MB body and invalid UTF-8 as plain bytes', () => {
    const big = Buffer.alloc(5 * 1024 * 1024, 0x61);
    expect(reasonOf(delivery(big))).toBe('ok');
    const tampered = Buffer.from(big);
    tampered[tampered.length - 1] = 0x62;
    expect(reasonOf({ ...delivery(big), rawBody: tampered })).toBe('signature-mismatch');
    const invalidUtf8 = Buffer.from([0xc3, 0x28, 0xa0, 0xa1, 0xe2, 0x28, 0xa1, 0xf0, 0x90, 0x28, 0xbc]);
    expect(reasonOf(delivery(invalidUtf8))).toBe('ok');
    // Decoding would map both to U+FFFD; comparing bytes tells them apart.
    expect(reasonOf({ ...delivery(invalidUtf8), rawBody: Buffer.from(invalidUtf8.toString('utf8')) })).toBe('signature-mismatch');
  });

  it('reports configuration problems as their own reasons', () => {
    expect(reasonOf({ ...delivery(), secrets: [] })).toBe('no-active-secret');
    expect(reasonOf({ ...delivery(), secrets: [SECRET, 'whsec_?'] })).toBe('invalid-secret');
    expect(reasonOf({ ...delivery(), rawBody: undefined as unknown as Buffer })).toBe('missing-body');
    expect(reasonOf({ ...delivery(), now: new Date(NaN) })).toBe('timestamp-out-of-tolerance');
  });

  it('never echoes the secret or the expected signature in the detail', () => {
    const input = { ...delivery(), secrets: [OLD_SECRET] };
    const result = verifyWebhook(input);
    const expected = signWebhook(OLD_SECRET, 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W', NOW_S, BODY);
    expect(JSON.stringify(result)).not.toContain(OLD_SECRET.slice(6, 20));
    expect(JSON.stringify(result)).not.toContain(expected.slice(3, 20));
  });
});

describe('verifyWebhook fuzzed', () => {
  const idChars = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.:'.split(''));
  const webhookId = fc.string({ unit: idChars, minLength: 1, maxLength: 64 });
  const body = fc.uint8Array({ maxLength: 2048 });
  const secret = fc.uint8Array({ minLength: 24, maxLength: 64 }).map((bytes) => 'whsec_' + Buffer.from(bytes).toString('base64'));
  const skew = fc.integer({ min: -300, max: 300 });

  type Mutation = { name: string; apply: (input: VerifyWebhookInput) => VerifyWebhookInput; reasons: WebhookFailureReason[] };
  const withHeader = (input: VerifyWebhookInput, name: string, value: unknown): VerifyWebhookInput => ({
    ...input,
    headers: { ...input.headers, [name]: value } as WebhookHeaders,
  });
  const header = (input: VerifyWebhookInput, name: string) => input.headers[name] as string;
  const flipFirstByte = (whsec: string) => {
    const key = decodeWebhookSecret(whsec);
    key[0] ^= 0xff;
    return 'whsec_' + key.toString('base64');
  };
  const sameHeaderValue = (value: unknown, genuine: string) =>
    (typeof value === 'string' && value.trim() === genuine) ||
    (Array.isArray(value) && value.length === 1 && typeof value[0] === 'string' && value[0].trim() === genuine);
  const headerName = fc.constantFrom('webhook-id', 'webhook-timestamp', 'webhook-signature');
  const garbage = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.array(fc.string(), { maxLength: 3 }), fc.anything());

  const mutation: fc.Arbitrary<Mutation> = fc.oneof(
    fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })).map(([at, xor]): Mutation => ({
      name: 'one byte of the body changed',
      apply: (input) => {
        if (input.rawBody.length === 0) return { ...input, rawBody: Buffer.from([xor]) };
        const changed = Buffer.from(input.rawBody);
        changed[at % changed.length] ^= xor;
        return { ...input, rawBody: changed };
      },
      reasons: ['signature-mismatch'],
    })),
    secret.map((other): Mutation => ({
      name: 'wrong secret',
      apply: (input) => ({ ...input, secrets: [other === input.secrets[0] ? flipFirstByte(other) : other] }),
      reasons: ['signature-mismatch'],
    })),
    fc.tuple(fc.integer({ min: 301, max: 10_000_000 }), fc.boolean()).map(([off, future]): Mutation => ({
      name: 'timestamp too far off',
      apply: (input) => ({ ...input, now: new Date(Number(header(input, 'webhook-timestamp')) * 1000 + (future ? -off : off) * 1000) }),
      reasons: ['timestamp-out-of-tolerance'],
    })),
    fc.integer({ min: 0, max: 100 }).map((length): Mutation => ({
      name: 'signature of the wrong length',
      apply: (input) => withHeader(input, 'webhook-signature', `v1,${Buffer.alloc(length === 32 ? 33 : length, 7).toString('base64')}`),
      reasons: ['bad-signature-format'],
    })),
    headerName.map((name): Mutation => ({ name: `missing ${name}`, apply: (input) => withHeader(input, name, undefined), reasons: ['missing-header'] })),
    headerName.map((name): Mutation => ({
      name: `doubled ${name}`,
      apply: (input) => withHeader(input, name, [header(input, name), header(input, name)]),
      reasons: ['doubled-header'],
    })),
    fc.tuple(headerName, garbage).map(([name, value]): Mutation => ({
      name: `garbage ${name}`,
      // Garbage that happens to equal the genuine value (e.g. " a " for id "a") would rightly verify.
      apply: (input) => withHeader(input, name, sameHeaderValue(value, header(input, name)) ? header(input, name) + '\u0001' : value),
      reasons: ['missing-header', 'doubled-header', 'bad-webhook-id', 'bad-timestamp', 'timestamp-out-of-tolerance', 'bad-signature-format', 'signature-mismatch'],
    })),
    webhookId.map((otherId): Mutation => ({
      name: 'another webhook id',
      apply: (input) => (otherId === header(input, 'webhook-id') ? withHeader(input, 'webhook-id', otherId + 'x') : withHeader(input, 'webhook-id', otherId)),
      reasons: ['signature-mismatch'],
    })),
  );

  it('a genuine delivery verifies with any secret, id, body and timestamp inside the window', () => {
    fc.assert(
      fc.property(secret, webhookId, body, skew, (s, id, b, off) => {
        const input = { secrets: [s], headers: signedWebhookHeaders(s, id, NOW_S + off, b), rawBody: b, now: NOW };
        expect(verifyWebhook(input)).toEqual({ ok: true, webhookId: id, timestamp: NOW_S + off, secretIndex: 0 });
      }),
      { numRuns: 300 },
    );
  });

  it('any mutation fails with its typed reason and never throws', () => {
    fc.assert(
      fc.property(secret, webhookId, body, skew, mutation, (s, id, b, off, m) => {
        const genuine: VerifyWebhookInput = { secrets: [s], headers: signedWebhookHeaders(s, id, NOW_S + off, b), rawBody: b, now: NOW };
        const result = verifyWebhook(m.apply(genuine));
        expect(result.ok).toBe(false);
        if (!result.ok) expect(m.reasons).toContain(result.reason);
      }),
      { numRuns: 1000 },
    );
  });

  it('re-serialised JSON with the same data never verifies', () => {
    const json = fc.dictionary(fc.string({ maxLength: 8 }), fc.oneof(fc.integer(), fc.string(), fc.boolean()), { minKeys: 1 });
    fc.assert(
      fc.property(secret, json, fc.constantFrom(2, '\t', ' '), (s, data, indent) => {
        const sent = Buffer.from(JSON.stringify(data));
        const input = { secrets: [s], headers: signedWebhookHeaders(s, 'msg_1', NOW_S, sent), rawBody: sent, now: NOW };
        const reserialised = Buffer.from(JSON.stringify(JSON.parse(sent.toString()), null, indent));
        expect(verifyWebhook({ ...input, rawBody: reserialised })).toMatchObject({ ok: false, reason: 'signature-mismatch' });
      }),
    );
  });

  it('random header objects, bodies and clocks never throw and never verify', () => {
    const headers = fc.oneof(
      fc.dictionary(fc.oneof(headerName, fc.string()), fc.oneof(fc.constant(undefined), fc.string(), fc.array(fc.string(), { maxLength: 3 }))),
      fc.record({ 'webhook-id': fc.string(), 'webhook-timestamp': fc.string(), 'webhook-signature': fc.string() }),
      fc.record({
        'webhook-id': webhookId,
        'webhook-timestamp': skew.map((off) => String(NOW_S + off)),
        'webhook-signature': fc.array(fc.uint8Array({ minLength: 32, maxLength: 32 }).map((sig) => 'v1,' + Buffer.from(sig).toString('base64')), { maxLength: 3 }).map((a) => a.join(' ')),
      }),
      fc.anything(),
    );
    fc.assert(
      fc.property(secret, headers, body, (s, h, b) => {
        const result = verifyWebhook({ secrets: [s], headers: h as WebhookHeaders, rawBody: b, now: NOW });
        expect(result.ok).toBe(false);
      }),
      { numRuns: 1000 },
    );
  });
});
