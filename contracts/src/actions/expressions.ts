/**
 * Finding the `{{ }}` parts of a template string. Shared by the validator (which variables a step
 * uses), the engine (what to evaluate) and the designer (what to highlight), so all three agree.
 */

export interface TemplatePart {
  /** Index of the opening `{{`. */
  start: number;
  /** Index just after the closing `}}`. */
  end: number;
  /** The expression between the braces, trimmed. */
  expression: string;
}

const QUOTES = new Set(['"', "'", '`']);

/**
 * The `{{ expression }}` parts of `text`, in order. Braces and quotes inside an expression are
 * matched, so a JSONata object constructor such as `{{ {"a": {"b": 1}} }}` is one part. An
 * unclosed `{{` is literal text.
 */
export function templateParts(text: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let from = 0;
  for (;;) {
    const start = text.indexOf('{{', from);
    if (start < 0) return parts;
    const close = closingBraces(text, start + 2);
    if (close < 0) return parts;
    parts.push({ start, end: close + 2, expression: text.slice(start + 2, close).trim() });
    from = close + 2;
  }
}

/** Whether `text` holds at least one `{{ }}` expression. */
export function holdsExpression(text: string): boolean {
  return templateParts(text).length > 0;
}

/**
 * The expression when the whole of `text` (spaces aside) is one `{{ }}`: such a value yields the
 * expression's own value (a list, a number, an object) rather than text.
 */
export function wholeExpression(text: string): string | undefined {
  const parts = templateParts(text);
  if (parts.length !== 1) return undefined;
  const [only] = parts;
  return text.slice(0, only.start).trim() === '' && text.slice(only.end).trim() === '' ? only.expression : undefined;
}

/** Index of the `}}` that closes an expression starting at `from`, or -1. */
function closingBraces(text: string, from: number): number {
  let depth = 0;
  let quote: string | undefined;
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
    } else if (QUOTES.has(c)) {
      quote = c;
    } else if (c === '{') {
      depth++;
    } else if (c === '}') {
      if (depth === 0 && text[i + 1] === '}') return i;
      if (depth > 0) depth--;
    }
  }
  return -1;
}
