import { decodeCursor, encodeCursor, type ListCursor } from './workflow.queries';

const cursor: ListCursor = { createdAt: '2026-11-28T10:00:00.000Z', id: '7f1c1c5e-5f1a-4c43-9a58-2d0c7f3f9b10' };
const encodeRaw = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('list cursors', () => {
  it('given a cursor, when encoded and decoded, then it comes back unchanged', () => {
    expect(decodeCursor(encodeCursor(cursor))).toEqual(cursor);
  });

  it('given a cursor, when encoded, then the text is URL-safe (no +, / or =)', () => {
    const upper = { createdAt: '2026-01-01T23:59:59.999Z', id: 'FFFFFFFF-FFFF-4FFF-BFFF-FFFFFFFFFFFF' };
    const text = encodeCursor(upper);
    expect(text).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(text)).toEqual(upper);
  });

  it('given text that is not a cursor, when decoded, then it is undefined', () => {
    for (const garbage of ['', 'not-a-cursor', '!!!', '%%%', Buffer.from('not json').toString('base64url')]) {
      expect([garbage, decodeCursor(garbage)]).toEqual([garbage, undefined]);
    }
  });

  it('given JSON of the wrong shape, when decoded, then it is undefined', () => {
    for (const shape of [
      null,
      42,
      'x',
      {},
      { createdAt: cursor.createdAt, id: cursor.id },
      [],
      [cursor.createdAt],
      [cursor.id, cursor.createdAt],
      [Date.parse(cursor.createdAt), cursor.id],
      [cursor.createdAt, 7],
      [cursor.createdAt, null],
    ]) {
      expect([shape, decodeCursor(encodeRaw(shape))]).toEqual([shape, undefined]);
    }
  });

  it('given a cursor whose date is not a date, when decoded, then it is undefined', () => {
    for (const createdAt of ['yesterday', '', '2026-13-01T00:00:00Z', 'not a date']) {
      expect([createdAt, decodeCursor(encodeRaw([createdAt, cursor.id]))]).toEqual([createdAt, undefined]);
    }
  });

  it('given a cursor whose id is not a uuid, when decoded, then it is undefined', () => {
    for (const id of ['', '42', 'workflow-1', `${cursor.id}0`, cursor.id.slice(1), "7f1c1c5e-5f1a-4c43-9a58-2d0c7f3f9b1'", 'g'.repeat(36)]) {
      expect([id, decodeCursor(encodeRaw([cursor.createdAt, id]))]).toEqual([id, undefined]);
    }
  });

  // BUG: the id check is /^[0-9a-f-]{36}$/i, which any 36 hex digits or dashes pass; PostgreSQL's
  // `::uuid` cast in ListWorkflowsHandler then fails ("invalid input syntax for type uuid"), so a
  // forged cursor gives a 500 instead of the controller's 400 `invalid-cursor`.
  it('given a 36-character id of dashes or hex digits without the uuid layout, when decoded, then it is undefined', () => {
    expect(decodeCursor(encodeRaw([cursor.createdAt, '-'.repeat(36)]))).toBeUndefined();
    expect(decodeCursor(encodeRaw([cursor.createdAt, 'a'.repeat(36)]))).toBeUndefined();
  });

  // BUG: the date check is Date.parse, which accepts what PostgreSQL's `::timestamptz` refuses
  // ('1', 'March 7', '2026-02-30T00:00:00Z' rolled over to 2 March); the query then fails with a
  // 500 instead of a 400 `invalid-cursor`. Cursors this API writes are ISO instants (toISOString).
  it('given a date Date.parse accepts but PostgreSQL refuses, when decoded, then it is undefined', () => {
    for (const createdAt of ['1', 'March 7', '2026-02-30T00:00:00Z']) {
      expect([createdAt, decodeCursor(encodeRaw([createdAt, cursor.id]))]).toEqual([createdAt, undefined]);
    }
  });
});
