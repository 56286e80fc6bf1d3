import { textModelFor, type LabelledExample } from '../../adapters/ai';
import type { StepExecutor } from '../executor';
import { StepFailure } from '../step-failure';
import { textOf } from './text-input';

/**
 * ai_classify: puts the step's text into one of its labels, with the local naive Bayes model
 * trained on the step's examples, or with the configured OpenAI-compatible endpoint. Below
 * `minConfidence` the answer is `fallbackLabel` (the scores stay the model's).
 */
export const aiClassifyExecutor: StepExecutor<'ai_classify'> = {
  type: 'ai_classify',
  async execute(ctx) {
    const text = textOf(ctx.config.text, 'text');
    const labels = ctx.config.labels as string[];
    const examples = ctx.config.examples as LabelledExample[];
    const unknown = [...new Set(examples.map((e) => e.label).filter((l) => !labels.includes(l)))];
    if (unknown.length > 0) throw new StepFailure('InvalidConfig', `Examples use labels that are not in the list: ${unknown.join(', ')}`, { retryable: false });
    const untaught = labels.filter((l) => !examples.some((e) => e.label === l));
    if (untaught.length > 0) throw new StepFailure('InvalidConfig', `Give every label at least one example; none for: ${untaught.join(', ')}`, { retryable: false });

    const result = await textModelFor(ctx.services.config).classify({ text, labels, examples }, ctx.signal);
    const minConfidence = typeof ctx.config.minConfidence === 'number' ? ctx.config.minConfidence : 0;
    const fallbackLabel = ctx.config.fallbackLabel as string | undefined;
    if (fallbackLabel !== undefined && result.confidence < minConfidence) return { output: { ...result, label: fallbackLabel } };
    return { output: result };
  },
};
