import { ANALYSES, textModelFor, type Analysis } from '../../adapters/ai';
import type { StepExecutor } from '../executor';
import { StepFailure } from '../step-failure';
import { textOf } from './text-input';

/**
 * ai_analyze: sentiment, key phrases and/or an extractive summary of the step's text, with the
 * local model (natural) or the configured OpenAI-compatible endpoint. The output has one field per
 * analysis asked for, plus `model`.
 */
export const aiAnalyzeExecutor: StepExecutor<'ai_analyze'> = {
  type: 'ai_analyze',
  async execute(ctx) {
    const text = textOf(ctx.config.text, 'text');
    const analyses = ctx.config.analyses as Analysis[];
    const unknown = analyses.filter((a) => !(ANALYSES as readonly string[]).includes(a));
    if (analyses.length === 0 || unknown.length > 0) {
      throw new StepFailure('InvalidConfig', `analyses must name some of ${ANALYSES.join(', ')}`, { retryable: false });
    }
    const output = await textModelFor(ctx.services.config).analyze(
      {
        text,
        analyses,
        maxKeyPhrases: typeof ctx.config.maxKeyPhrases === 'number' ? ctx.config.maxKeyPhrases : 10,
        summarySentences: typeof ctx.config.summarySentences === 'number' ? ctx.config.summarySentences : 3,
      },
      ctx.signal,
    );
    return { output };
  },
};
