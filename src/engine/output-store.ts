import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../adapters/database/tables';

/**
 * Large step outputs are kept by reference (SPEC B4): an output whose JSON is over the limit is
 * stored once in `step_output_blob` under its SHA-256, and the event carries `{ $ref, sizeBytes }`.
 * Keeps the event log and every fold of an execution small however big an HTTP response is.
 */
export const OUTPUT_INLINE_LIMIT_BYTES = 64 * 1024;

export interface OutputRef {
  $ref: string;
  sizeBytes: number;
}

export function isOutputRef(value: unknown): value is OutputRef {
  return typeof value === 'object' && value !== null && typeof (value as OutputRef).$ref === 'string' && (value as { $ref: string }).$ref.startsWith('blob:');
}

export class OutputStore {
  private readonly cache = new Map<string, unknown>();

  constructor(private readonly db: Kysely<Database>) {}

  /** The output as it goes into the event: itself, or a reference once stored. */
  async keep(output: unknown): Promise<unknown> {
    const json = JSON.stringify(output ?? null);
    const sizeBytes = Buffer.byteLength(json);
    if (sizeBytes <= OUTPUT_INLINE_LIMIT_BYTES) return output ?? null;
    const ref = `blob:${createHash('sha256').update(json).digest('hex')}`;
    await this.db.insertInto('step_output_blob').values({ ref, content: json, size_bytes: sizeBytes }).onConflict((oc) => oc.column('ref').doNothing()).execute();
    return { $ref: ref, sizeBytes } satisfies OutputRef;
  }

  /** The output a reference stands for (anything else is returned as is). */
  async resolve(value: unknown): Promise<unknown> {
    if (!isOutputRef(value)) return value;
    if (this.cache.has(value.$ref)) return this.cache.get(value.$ref);
    const row = await this.db.selectFrom('step_output_blob').select('content').where('ref', '=', value.$ref).executeTakeFirst();
    if (!row) throw new Error(`Stored output ${value.$ref} is missing`);
    if (this.cache.size > 100) this.cache.clear();
    this.cache.set(value.$ref, row.content);
    return row.content;
  }
}
