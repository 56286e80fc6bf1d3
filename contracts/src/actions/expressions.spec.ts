import { holdsExpression, templateParts, wholeExpression } from './expressions';

describe('templateParts', () => {
  it('finds each {{ }} with its position, trimmed', () => {
    expect(templateParts('Hi {{ name }}, order {{order.id}}')).toEqual([
      { start: 3, end: 13, expression: 'name' },
      { start: 21, end: 33, expression: 'order.id' },
    ]);
  });

  it('matches braces and quotes inside an expression', () => {
    expect(templateParts('{{ {"a": {"b": 1}} }}').map((p) => p.expression)).toEqual(['{"a": {"b": 1}}']);
    expect(templateParts('{{ "}}" & name }} rest').map((p) => p.expression)).toEqual(['"}}" & name']);
  });

  it('treats an unclosed {{ and single braces as text', () => {
    expect(templateParts('{{ name')).toEqual([]);
    expect(templateParts('{ name }')).toEqual([]);
    expect(holdsExpression('plain text')).toBe(false);
    expect(holdsExpression('a {{b}}')).toBe(true);
  });

  it('knows a value that is one expression and nothing else', () => {
    expect(wholeExpression('  {{ input.items }} ')).toBe('input.items');
    expect(wholeExpression('{{ a }} and {{ b }}')).toBeUndefined();
    expect(wholeExpression('Dear {{ name }}')).toBeUndefined();
  });
});
