import { StepFailure } from '../../engine/step-failure';
import {
  sentimentLabel,
  type AnalyzeRequest,
  type Classification,
  type ClassifyRequest,
  type TextAnalysis,
  type TextModel,
} from './text-model';

export interface OpenAiOptions {
  /** e.g. `https://api.openai.com/v1` or a local server's `/v1`; `/chat/completions` is appended. */
  baseUrl: string;
  apiKey?: string;
  model: string;
}

/** Examples sent with a classification: enough to show each label, bounded so the prompt stays small. */
const MAX_PROMPT_EXAMPLES = 200;
const ERROR_BODY_CHARS = 300;

/**
 * Any server speaking OpenAI's chat completions protocol (OpenAI, Azure's compatible endpoint,
 * Ollama, vLLM, llama.cpp server...). The model is asked for a JSON object and its answer is
 * checked: a label it was not given or a malformed answer fails the attempt (retryable, a model
 * may answer better next time); 4xx other than 429 fail for good.
 */
export class OpenAiCompatibleTextModel implements TextModel {
  constructor(private readonly options: OpenAiOptions) {}

  get name(): string {
    return this.options.model;
  }

  async classify(request: ClassifyRequest, signal?: AbortSignal): Promise<Classification> {
    const answer = await this.complete(
      'You classify texts into exactly one of the given labels, learning from the labelled examples. ' +
        'Answer with a JSON object only: {"label": "<one of the labels>", "confidence": <0..1>, "scores": {"<label>": <probability>, ...}}.',
      { labels: request.labels, examples: request.examples.slice(0, MAX_PROMPT_EXAMPLES), text: request.text },
      signal,
    );
    const label = request.labels.find((l) => l.toLowerCase() === String(answer.label ?? '').trim().toLowerCase());
    if (!label) throw invalid(`answered label ${JSON.stringify(answer.label)}, which is not one of ${request.labels.join(', ')}`);
    const given = isRecord(answer.scores) ? answer.scores : {};
    const scores: Record<string, number> = {};
    for (const l of request.labels) scores[l] = probability(given[l] ?? given[l.toLowerCase()]) ?? 0;
    const confidence = probability(answer.confidence) ?? scores[label];
    const sum = Object.values(scores).reduce((s, v) => s + v, 0);
    if (sum > 0) {
      for (const l of request.labels) scores[l] = scores[l] / sum;
    } else {
      // No distribution given: the confidence for the label, the rest shared by the others.
      for (const l of request.labels) scores[l] = l === label ? confidence : (1 - confidence) / (request.labels.length - 1);
    }
    return { label, confidence, scores, model: this.options.model };
  }

  async analyze(request: AnalyzeRequest, signal?: AbortSignal): Promise<TextAnalysis> {
    const wanted: string[] = [];
    if (request.analyses.includes('sentiment')) wanted.push('"sentiment": {"label": "positive" | "neutral" | "negative", "score": <-1..1>}');
    if (request.analyses.includes('key_phrases')) wanted.push(`"keyPhrases": [at most ${request.maxKeyPhrases} phrases copied from the text, most important first]`);
    if (request.analyses.includes('summary')) wanted.push(`"summary": "<at most ${request.summarySentences} sentences>"`);
    const answer = await this.complete(`You analyse texts. Answer with a JSON object only: {${wanted.join(', ')}}.`, { text: request.text }, signal);
    const result: TextAnalysis = { model: this.options.model };
    if (request.analyses.includes('sentiment')) {
      const sentiment = isRecord(answer.sentiment) ? answer.sentiment : {};
      const score = typeof sentiment.score === 'number' && Number.isFinite(sentiment.score) ? Math.max(-1, Math.min(1, sentiment.score)) : undefined;
      if (score === undefined) throw invalid('gave no sentiment score');
      const label = ['positive', 'neutral', 'negative'].includes(sentiment.label as string) ? (sentiment.label as 'positive') : sentimentLabel(score);
      result.sentiment = { label, score };
    }
    if (request.analyses.includes('key_phrases')) {
      if (!Array.isArray(answer.keyPhrases)) throw invalid('gave no keyPhrases list');
      result.keyPhrases = answer.keyPhrases.filter((p): p is string => typeof p === 'string' && p.trim() !== '').slice(0, request.maxKeyPhrases);
    }
    if (request.analyses.includes('summary')) {
      if (typeof answer.summary !== 'string') throw invalid('gave no summary');
      result.summary = answer.summary;
    }
    return result;
  }

  private async complete(system: string, user: unknown, signal?: AbortSignal): Promise<Record<string, unknown>> {
    const url = `${this.options.baseUrl.replace(/\/+$/, '')}/chat/completions`;
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json',
          ...(this.options.apiKey ? { authorization: `Bearer ${this.options.apiKey}` } : {}),
        },
        body: JSON.stringify({
          model: this.options.model,
          temperature: 0,
          response_format: { type: 'json_object' },
          messages: [
            { role: 'system', content: system },
            { role: 'user', content: JSON.stringify(user) },
          ],
        }),
        signal,
      });
    } catch (error) {
      if (signal?.aborted) throw error;
      throw new StepFailure('AiUnavailable', `Cannot reach the AI endpoint ${url}: ${messageOf(error)}`);
    }
    const text = await response.text();
    if (!response.ok) {
      const detail = `The AI endpoint answered ${response.status}: ${text.slice(0, ERROR_BODY_CHARS)}`;
      const retryable = response.status === 429 || response.status === 408 || response.status >= 500;
      throw new StepFailure(retryable ? 'AiUnavailable' : 'AiRequestRejected', detail, { retryable, details: { status: response.status } });
    }
    let content: unknown;
    try {
      content = (JSON.parse(text) as { choices?: { message?: { content?: unknown } }[] }).choices?.[0]?.message?.content;
    } catch {
      throw invalid(`answered something that is not JSON: ${text.slice(0, ERROR_BODY_CHARS)}`);
    }
    if (typeof content !== 'string') throw invalid('answered without a message');
    const parsed = parseJsonObject(content);
    if (!parsed) throw invalid(`answered a message that is not a JSON object: ${content.slice(0, ERROR_BODY_CHARS)}`);
    return parsed;
  }
}

/** The JSON object in a model's message, also when wrapped in a ``` fence or a sentence. */
export function parseJsonObject(content: string): Record<string, unknown> | undefined {
  const attempts = [content.trim(), content.replace(/^[\s\S]*?```(?:json)?\s*/i, '').replace(/```[\s\S]*$/, '').trim()];
  const first = content.indexOf('{');
  const last = content.lastIndexOf('}');
  if (first >= 0 && last > first) attempts.push(content.slice(first, last + 1));
  for (const attempt of attempts) {
    try {
      const value = JSON.parse(attempt) as unknown;
      if (isRecord(value)) return value;
    } catch {
      // try the next reading
    }
  }
  return undefined;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const probability = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? Math.max(0, Math.min(1, value)) : undefined);
const invalid = (what: string) => new StepFailure('AiResponseInvalid', `The AI model ${what}`);
const messageOf = (error: unknown) => (error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : String(error));
