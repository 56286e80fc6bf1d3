import { HttpException } from '@nestjs/common';
import { etagOf, expectedRevisionFrom } from './etag';

/** when If-Match is `header`, then the request fails with a 400 problem. */
function thenRejects(header: string): void {
  let caught: unknown;
  try {
    expectedRevisionFrom(header);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(HttpException);
  const exception = caught as HttpException;
  expect([header, exception.getStatus()]).toEqual([header, 400]);
  expect(exception.getResponse()).toMatchObject({ status: 400 });
}

describe('If-Match as an expected revision', () => {
  it('given the ETag the API sent, when it comes back in If-Match, then it is the same revision', () => {
    expect(etagOf(3n)).toBe('"3"');
    expect(expectedRevisionFrom(etagOf(3n))).toBe(3n);
    expect(expectedRevisionFrom(etagOf(0))).toBe(0n);
  });

  it('given a strong, weak or bare revision, when parsed, then it is that revision', () => {
    expect(expectedRevisionFrom('"3"')).toBe(3n);
    expect(expectedRevisionFrom('W/"3"')).toBe(3n);
    expect(expectedRevisionFrom('3')).toBe(3n);
    expect(expectedRevisionFrom(' "42" ')).toBe(42n);
    expect(expectedRevisionFrom('"999999999999999999"')).toBe(999_999_999_999_999_999n);
  });

  it('given no header or `*`, when parsed, then there is no precondition', () => {
    expect(expectedRevisionFrom(undefined)).toBeUndefined();
    expect(expectedRevisionFrom('*')).toBeUndefined();
    expect(expectedRevisionFrom(' * ')).toBeUndefined();
  });

  it('given something that is not a revision, when parsed, then it is a 400 rather than an unconditional write', () => {
    thenRejects('yesterday');
    thenRejects('"-1"');
    thenRejects('-1');
    thenRejects('"3.5"');
    thenRejects('"abc"');
    thenRejects('"3", "4"');
    thenRejects('W/');
  });

  it('given a revision of more than 18 digits, when parsed, then it is a 400 (not a bigint past the store range)', () => {
    thenRejects('"1234567890123456789"');
    thenRejects(`"3${'0'.repeat(30)}"`);
    thenRejects('9'.repeat(19));
  });

  // BUG: the regex makes each quote optional on its own (`"?(\d{1,18})"?`), so a malformed ETag
  // with one quote is read as a revision instead of being refused as the doc comment promises
  // ("Anything else is a 400"). Remove `.failing` once the quotes must come in pairs.
  it('given an ETag with an unbalanced quote, when parsed, then it is a 400', () => {
    thenRejects('"3');
  });
});
