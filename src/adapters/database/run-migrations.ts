import type { Migrator } from 'kysely';

/** PostgreSQL's invalid_schema_name and undefined_table: what a schema or table dropped under a catalog query raises. */
const VANISHED = new Set(['3F000', '42P01']);
/** Enough to outlast a stretch of drops on a loaded machine (ten were not, once: every try met a drop). */
const ATTEMPTS = 30;

/**
 * Runs a kysely Migrator to the latest migration. kysely's introspection (it looks for its own
 * bookkeeping table) reads every schema of the database and calls has_schema_privilege on each:
 * a schema dropped by another session during that query fails it with "schema ... does not exist"
 * or "relation ... does not exist" (tests and benches drop their schemas while others migrate).
 * Nothing has been applied then, and each migration runs in its own transaction, so those errors
 * are retried a few times; a migration that itself names a missing table still fails, at the end.
 */
export async function migrateToLatest(migrator: Migrator): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const { error } = await migrator.migrateToLatest();
    if (!error) return;
    if (!VANISHED.has((error as { code?: string }).code ?? '') || attempt >= ATTEMPTS) throw error;
    await new Promise((resolve) => setTimeout(resolve, Math.min(20 * attempt, 250)));
  }
}
