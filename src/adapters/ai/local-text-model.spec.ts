import { BayesClassifier } from 'natural/lib/natural/classifiers';
import { LocalTextModel } from './local-text-model';

describe('LocalTextModel', () => {
  it('keeps a probability distribution where natural\'s multiplied likelihoods underflow to 0', async () => {
    // Thousands of distinct words per label, the billing ones all in the text: the product of their
    // likelihoods is far below the smallest double.
    const billingWords = Array.from({ length: 3000 }, (_, i) => `invoice${letters(i)}`);
    const bugWords = Array.from({ length: 3000 }, (_, i) => `crash${letters(i)}`);
    const examples = [
      ...chunks(billingWords, 10).map((words) => ({ text: `refund invoice ${words.join(' ')}`, label: 'billing' })),
      ...chunks(bugWords, 10).map((words) => ({ text: `crash error ${words.join(' ')}`, label: 'bug' })),
    ];
    const text = `refund invoice ${billingWords.join(' ')}`;

    const natural = new BayesClassifier();
    for (const e of examples) natural.addDocument(e.text, e.label);
    natural.train();
    expect(natural.getClassifications(text).map((c) => c.value)).toEqual([0, 0]);

    const result = await new LocalTextModel().classify({ text, labels: ['billing', 'bug'], examples });
    expect(result.label).toBe('billing');
    expect(result.confidence).toBeGreaterThan(0.99);
    expect(result.scores.billing + result.scores.bug).toBeCloseTo(1, 6);
  });

  it('gives the scores natural gives, normalised, when they do not underflow', async () => {
    const examples = [
      { text: 'refund my invoice', label: 'billing' },
      { text: 'card charged twice', label: 'billing' },
      { text: 'app crashes on save', label: 'bug' },
    ];
    const natural = new BayesClassifier();
    for (const e of examples) natural.addDocument(e.text, e.label);
    natural.train();
    const raw = natural.getClassifications('my card was charged and the app crashes');
    const sum = raw.reduce((s, c) => s + c.value, 0);
    const result = await new LocalTextModel().classify({ text: 'my card was charged and the app crashes', labels: ['billing', 'bug'], examples });
    for (const c of raw) expect(result.scores[c.label]).toBeCloseTo(c.value / sum, 5);
  });

  it('splits sentences on line breaks and keeps abbreviations inside a sentence', () => {
    expect(new LocalTextModel().splitSentences('Dear Mr. Smith, thanks.\n- first item\n- second item\n\nBye!')).toEqual([
      'Dear Mr. Smith, thanks.',
      '- first item',
      '- second item',
      'Bye!',
    ]);
  });
});

function chunks<T>(items: T[], size: number): T[][] {
  return Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, i * size + size));
}

/** 0 -> 'aaa', 1 -> 'aab', ...: distinct words the tokenizer keeps whole. */
function letters(n: number): string {
  return [2, 1, 0].map((p) => String.fromCharCode(97 + (Math.floor(n / 26 ** p) % 26))).join('');
}
