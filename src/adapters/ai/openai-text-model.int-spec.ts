import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { aiClassifyExecutor } from '../../engine/executors/ai_classify.executor';
import { aiAnalyzeExecutor } from '../../engine/executors/ai_analyze.executor';
import { stepContext, testServices } from '../../engine/executors/testing/step-context';
import { loadConfig } from '../../config';
import { StepFailure } from '../../engine/step-failure';
import { OpenAiCompatibleTextModel, parseJsonObject } from './openai-text-model';

/**
 * The OpenAI-compatible path against a local server speaking the chat completions protocol (no
 * real endpoint exists here). The server answers from what it is sent, so a wrong request shows.
 */
interface Received {
  path: string;
  authorization?: string;
  body: { model: string; messages: { role: string; content: string }[]; response_format?: unknown; temperature?: number };
}

let server: Server;
let baseUrl: string;
const received: Received[] = [];
/** What the next answer is, by test: a JSON message built from the request, or a raw HTTP reply. */
let reply: (request: Received) => { status?: number; content?: string; raw?: string } = () => ({ content: '{}' });

beforeAll(async () => {
  server = createServer(async (req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const request: Received = { path: req.url ?? '', authorization: req.headers.authorization, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) };
    received.push(request);
    const answer = reply(request);
    res.writeHead(answer.status ?? 200, { 'content-type': 'application/json' });
    res.end(answer.raw ?? JSON.stringify({ id: 'cmpl-1', object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: answer.content } }] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});
afterAll(async () => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => (received.length = 0));

/** A tiny "model": the label whose examples share most words with the text. */
function overlapClassifier(request: Received): { content: string } {
  const { labels, examples, text } = JSON.parse(request.body.messages[1].content) as { labels: string[]; examples: { text: string; label: string }[]; text: string };
  const words = new Set(text.toLowerCase().split(/\W+/));
  const score = (label: string) => examples.filter((e) => e.label === label).flatMap((e) => e.text.toLowerCase().split(/\W+/)).filter((w) => words.has(w)).length;
  const best = labels.reduce((a, b) => (score(b) > score(a) ? b : a));
  return { content: '```json\n' + JSON.stringify({ label: best.toUpperCase(), confidence: 0.8, scores: Object.fromEntries(labels.map((l) => [l, l === best ? 0.8 : 0.2 / (labels.length - 1)])) }) + '\n```' };
}

const remoteConfig = () => ({ ...loadConfig({}), aiApiUrl: `${baseUrl}/`, aiApiKey: 'sk-test', aiModel: 'test-model-1' });

describe('OpenAI-compatible text model', () => {
  it('ai_classify goes to the endpoint when AI_API_URL is set, and keeps only a label it was given', async () => {
    reply = overlapClassifier;
    const ctx = await stepContext({
      type: 'ai_classify',
      config: {
        text: 'my invoice shows a double charge',
        labels: ['billing', 'bug'],
        examples: [
          { text: 'wrong invoice amount', label: 'billing' },
          { text: 'double charge on card', label: 'billing' },
          { text: 'app crashes', label: 'bug' },
        ],
      },
      services: testServices({ config: remoteConfig() }),
    });
    const { output } = (await aiClassifyExecutor.execute(ctx)) as { output: Record<string, unknown> };
    expect(output).toEqual({ label: 'billing', confidence: 0.8, scores: { billing: 0.8, bug: 0.2 }, model: 'test-model-1' });

    expect(received).toHaveLength(1);
    const [request] = received;
    expect(request.path).toBe('/v1/chat/completions');
    expect(request.authorization).toBe('Bearer sk-test');
    expect(request.body).toMatchObject({ model: 'test-model-1', temperature: 0, response_format: { type: 'json_object' } });
    expect(request.body.messages.map((m) => m.role)).toEqual(['system', 'user']);
    expect(JSON.parse(request.body.messages[1].content).text).toBe('my invoice shows a double charge');
  });

  it('ai_analyze asks only for the analyses wanted and checks the answer', async () => {
    reply = (request) => {
      const { text } = JSON.parse(request.body.messages[1].content) as { text: string };
      expect(request.body.messages[0].content).toContain('keyPhrases');
      expect(request.body.messages[0].content).not.toContain('summary');
      return { content: JSON.stringify({ sentiment: { label: 'negative', score: -3 }, keyPhrases: text.split(' ').slice(0, 5) }) };
    };
    const ctx = await stepContext({
      type: 'ai_analyze',
      config: { text: 'slow support and broken exports again', analyses: ['sentiment', 'key_phrases'], maxKeyPhrases: 2 },
      services: testServices({ config: remoteConfig() }),
    });
    const { output } = (await aiAnalyzeExecutor.execute(ctx)) as { output: Record<string, unknown> };
    // The score is clamped to -1..1 and the list to maxKeyPhrases.
    expect(output).toEqual({ sentiment: { label: 'negative', score: -1 }, keyPhrases: ['slow', 'support'], model: 'test-model-1' });
  });

  it('fails retryably on 5xx and 429, for good on other 4xx, and on answers it cannot use', async () => {
    const model = new OpenAiCompatibleTextModel({ baseUrl, model: 'm' });
    const request = { text: 'hello', labels: ['a', 'b'], examples: [{ text: 'x', label: 'a' }, { text: 'y', label: 'b' }] };
    const failureFor = async (answer: ReturnType<typeof reply>) => {
      reply = () => answer;
      return (await model.classify(request).catch((e: unknown) => e)) as StepFailure;
    };

    const overloaded = await failureFor({ status: 503, raw: '{"error":"overloaded"}' });
    expect([overloaded.kind, overloaded.retryable]).toEqual(['AiUnavailable', true]);
    const limited = await failureFor({ status: 429, raw: '{}' });
    expect([limited.kind, limited.retryable]).toEqual(['AiUnavailable', true]);
    const rejected = await failureFor({ status: 401, raw: '{"error":"bad key"}' });
    expect([rejected.kind, rejected.retryable]).toEqual(['AiRequestRejected', false]);
    expect(rejected.message).toContain('bad key');
    const stranger = await failureFor({ content: '{"label":"c","confidence":1}' });
    expect([stranger.kind, stranger.message]).toEqual(['AiResponseInvalid', expect.stringContaining('"c"')]);
    const prose = await failureFor({ content: 'I think it is a.' });
    expect(prose.kind).toBe('AiResponseInvalid');
    const garbage = await failureFor({ raw: '<html>' });
    expect(garbage.kind).toBe('AiResponseInvalid');

    const unreachable = (await new OpenAiCompatibleTextModel({ baseUrl: 'http://127.0.0.1:1', model: 'm' }).classify(request).catch((e: unknown) => e)) as StepFailure;
    expect([unreachable.kind, unreachable.retryable]).toEqual(['AiUnavailable', true]);
  });

  it('reads a JSON object out of fences and sentences', () => {
    expect(parseJsonObject('{"a":1}')).toEqual({ a: 1 });
    expect(parseJsonObject('```json\n{"a":2}\n```')).toEqual({ a: 2 });
    expect(parseJsonObject('Sure! Here it is: {"a":3} Hope it helps.')).toEqual({ a: 3 });
    expect(parseJsonObject('[1,2]')).toBeUndefined();
  });
});
