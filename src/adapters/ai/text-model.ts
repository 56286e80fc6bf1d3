/**
 * The text model the AI steps use (SPEC B3: ai_classify, ai_analyze). Two implementations behind
 * this port: the local one (natural, in process, the default) and an OpenAI-compatible endpoint
 * (when AI_API_URL is set). Neither ever answers without looking at the text.
 */

export interface LabelledExample {
  text: string;
  label: string;
}

export interface ClassifyRequest {
  text: string;
  labels: readonly string[];
  examples: readonly LabelledExample[];
}

export interface Classification {
  label: string;
  /** Probability of `label`, 0..1. */
  confidence: number;
  /** Probability of every label; they add up to 1. */
  scores: Record<string, number>;
  model: string;
}

/** The analyses of the ai_analyze action's schema. */
export const ANALYSES = ['sentiment', 'key_phrases', 'summary'] as const;
export type Analysis = (typeof ANALYSES)[number];

export interface AnalyzeRequest {
  text: string;
  analyses: readonly Analysis[];
  maxKeyPhrases: number;
  summarySentences: number;
}

export type SentimentLabel = 'positive' | 'neutral' | 'negative';

export interface TextAnalysis {
  sentiment?: { label: SentimentLabel; score: number };
  keyPhrases?: string[];
  summary?: string;
  model: string;
}

export interface TextModel {
  /** What steps record as `model`. */
  readonly name: string;
  classify(request: ClassifyRequest, signal?: AbortSignal): Promise<Classification>;
  analyze(request: AnalyzeRequest, signal?: AbortSignal): Promise<TextAnalysis>;
}

/** Below this absolute score a text is neutral (scores are -1..1). */
export const NEUTRAL_BAND = 0.05;

export function sentimentLabel(score: number): SentimentLabel {
  return score > NEUTRAL_BAND ? 'positive' : score < -NEUTRAL_BAND ? 'negative' : 'neutral';
}
