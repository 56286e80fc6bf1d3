import type { Kysely } from 'kysely';
import type { WorkflowDefinition } from '@contracts';
import type { Database } from '../adapters/database/tables';
import { sharedJsonb } from '../commands/handle-command';

export interface PublishedVersion {
  workflowId: string;
  workspaceId: string;
  version: number;
  definition: WorkflowDefinition;
}

/**
 * The published version a run is pinned to: the one asked for, or the latest. Undefined when the
 * workflow does not exist, is archived, or has no such version (nothing to run).
 */
export async function findPublishedVersion(db: Kysely<Database>, workflowId: string, version?: number): Promise<PublishedVersion | undefined> {
  const row = await db
    .selectFrom('workflow_version as v')
    .innerJoin('workflow_summary as s', 's.workflow_id', 'v.workflow_id')
    .select(['v.workflow_id', 's.workspace_id', 's.status', 'v.version', 'v.definition'])
    .where('v.workflow_id', '=', workflowId)
    .$if(version !== undefined, (q) => q.where('v.version', '=', version!))
    .orderBy('v.version', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!row || row.status === 'archived') return undefined;
  // Shared by the runs that start from it (callers keep versions in memory): frozen, and folded without a copy.
  return { workflowId: row.workflow_id, workspaceId: row.workspace_id, version: row.version, definition: sharedJsonb(row.definition) };
}
