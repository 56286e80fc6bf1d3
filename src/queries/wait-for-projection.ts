import type { Kysely } from 'kysely';
import type { LogPosition } from '@contracts';
import type { Database } from '../adapters/database/tables';
import { projectionHasReached } from '../../projections/runner';

const POLL_MS = 20;

/**
 * Read-your-writes for clients that pass `?minPosition=` (the `position` a command returned):
 * waits until the projection has applied that position, or until the timeout. Returns whether
 * it got there; the caller answers with what the read model holds either way.
 */
export async function waitForProjection(
  db: Kysely<Database>,
  projection: string,
  category: string,
  position: LogPosition,
  timeoutMs = 5000,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await projectionHasReached(db, projection, category, position)) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}
