import { HttpException } from '@nestjs/common';
import { problem } from './problem';

/** ETags are the stream revision in quotes: `"3"`. */
export const etagOf = (revision: number | bigint): string => `"${revision}"`;

/**
 * `If-Match` as an expected revision: absent or `*` = no precondition; `"3"`, `W/"3"` or `3`
 * = revision 3. Anything else is a 400, not a silent unconditional write.
 */
export function expectedRevisionFrom(ifMatch: string | undefined): bigint | undefined {
  if (ifMatch === undefined || ifMatch.trim() === '*' || ifMatch.trim() === '') return undefined;
  const match = /^\s*(?:(?:W\/)?"(\d{1,18})"|(\d{1,18}))\s*$/.exec(ifMatch);
  if (!match) throw new HttpException(problem(400, 'invalid-if-match', 'Invalid If-Match', 'If-Match must be an ETag like "3"'), 400);
  return BigInt(match[1] ?? match[2]);
}
