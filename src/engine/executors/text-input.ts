import { StepFailure } from '../step-failure';

/**
 * The text an AI step works on, after its template was rendered: a template that is one `{{ }}`
 * may yield a number or an object (written as JSON). Nothing to read fails for good: a model
 * would only answer its priors.
 */
export function textOf(value: unknown, field: string): string {
  const text = typeof value === 'string' ? value : value === null || value === undefined ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
  if (!/[\p{L}\p{N}]/u.test(text)) throw new StepFailure('InvalidInput', `The ${field} to read is empty`, { retryable: false });
  return text;
}
