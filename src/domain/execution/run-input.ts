import type { VariableDefinition } from '@contracts';

export interface InputIssue {
  variable: string;
  message: string;
}

/** Bytes of JSON a run's input may hold. */
export const MAX_INPUT_BYTES = 256 * 1024;

/**
 * Checks a run's input against the workflow's declared variables (SPEC B4, "input that breaks the
 * workflow's variable types" is a 4xx): required variables without a default must be given, and
 * every declared variable given must have its type. Undeclared keys pass through (they are
 * readable as `input.<key>`).
 */
export function checkRunInput(variables: readonly VariableDefinition[], input: unknown): InputIssue[] {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) return [{ variable: '', message: 'input must be a JSON object' }];
  const values = input as Record<string, unknown>;
  const issues: InputIssue[] = [];
  if (Buffer.byteLength(JSON.stringify(values)) > MAX_INPUT_BYTES) issues.push({ variable: '', message: `input is larger than ${MAX_INPUT_BYTES} bytes` });
  for (const variable of variables) {
    const value = values[variable.name];
    if (value === undefined || value === null) {
      if (variable.required && variable.default === undefined) issues.push({ variable: variable.name, message: `${variable.name} is required` });
      continue;
    }
    if (!hasType(value, variable.type)) issues.push({ variable: variable.name, message: `${variable.name} must be ${article(variable.type)}` });
  }
  return issues;
}

function hasType(value: unknown, type: VariableDefinition['type']): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'array':
      return Array.isArray(value);
    case 'object':
      return typeof value === 'object' && !Array.isArray(value);
    case 'date':
      return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}/.test(value) && !Number.isNaN(Date.parse(value));
    default:
      return false;
  }
}

const article = (type: string) => (type === 'array' || type === 'object' ? `an ${type}` : type === 'date' ? 'an ISO 8601 date' : `a ${type}`);
