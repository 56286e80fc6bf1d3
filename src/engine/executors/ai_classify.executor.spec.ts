import { aiClassifyExecutor } from './ai_classify.executor';
import { stepContext, testServices } from './testing/step-context';
import { loadConfig } from '../../config';
import { StepFailure } from '../step-failure';

/** The local model (natural's naive Bayes), trained on the step's examples: no endpoint configured. */
const services = testServices({ config: { ...loadConfig({}), aiApiUrl: undefined } });

const SUPPORT_EXAMPLES = [
  { text: 'I was charged twice on my last invoice', label: 'billing' },
  { text: 'Please refund my payment, I want my money returned', label: 'billing' },
  { text: 'My credit card was billed the wrong amount', label: 'billing' },
  { text: 'How do I get my money back for the subscription?', label: 'billing' },
  { text: 'The app crashes when I click save', label: 'bug' },
  { text: 'Error 500 when loading the dashboard page', label: 'bug' },
  { text: 'The export button does nothing and the console shows an exception', label: 'bug' },
  { text: 'Login page freezes after I type my password', label: 'bug' },
];

async function classify(text: string, extra: Record<string, unknown> = {}) {
  const ctx = await stepContext({
    type: 'ai_classify',
    config: { text: '{{ input.ticket }}', labels: ['billing', 'bug'], examples: SUPPORT_EXAMPLES, ...extra },
    scope: { input: { ticket: text } },
    services,
  });
  const outcome = await aiClassifyExecutor.execute(ctx);
  return (outcome as { output: { label: string; confidence: number; scores: Record<string, number>; model: string } }).output;
}

describe('ai_classify executor (local naive Bayes)', () => {
  it('learns the labels from the examples: a refund request is billing', async () => {
    const result = await classify('I want my money back');
    expect(result.label).toBe('billing');
    expect(result.confidence).toBeGreaterThan(0.5);
    expect(result.model).toBe('local-bayes');
  });

  it('and a crash report is a bug, with scores that are a distribution over the labels', async () => {
    const result = await classify('The page crashes with an error every time I open the dashboard');
    expect(result.label).toBe('bug');
    expect(result.scores.bug).toBeGreaterThan(result.scores.billing);
    expect(result.scores.bug + result.scores.billing).toBeCloseTo(1, 5);
    expect(result.confidence).toBe(result.scores.bug);
  });

  it('answers differently for different texts with the same model (no canned answer)', async () => {
    const labels = await Promise.all(['refund the double charge on my card', 'save button crashes the app'].map((t) => classify(t)));
    expect(labels.map((r) => r.label)).toEqual(['billing', 'bug']);
  });

  it('gives the fallback label below minConfidence, keeping the scores', async () => {
    // No word the examples know: the model only has its priors (an even split).
    const result = await classify('Quarterly gardening newsletter', { minConfidence: 0.9, fallbackLabel: 'other' });
    expect(result.label).toBe('other');
    expect(result.scores).toEqual({ billing: 0.5, bug: 0.5 });
  });

  it('refuses examples for labels not listed, labels without examples and an empty text, for good', async () => {
    const failures = await Promise.all([
      classify('x y', { examples: [...SUPPORT_EXAMPLES, { text: 'where is my parcel', label: 'shipping' }] }).catch((e) => e),
      classify('x y', { labels: ['billing', 'bug', 'shipping'] }).catch((e) => e),
      classify('   ').catch((e) => e),
    ]);
    for (const failure of failures) {
      expect(failure).toBeInstanceOf(StepFailure);
      expect(failure.retryable).toBe(false);
    }
    expect(failures.map((f) => f.kind)).toEqual(['InvalidConfig', 'InvalidConfig', 'InvalidInput']);
    expect(failures[0].message).toContain('shipping');
  });
});
