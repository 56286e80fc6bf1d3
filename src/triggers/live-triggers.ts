import { sql, type Kysely } from 'kysely';
import type { TriggerDefinition, TriggerKind } from '@contracts';
import type { Database } from '../adapters/database/tables';

/**
 * Which triggers are live. A trigger's CONFIG comes from the latest published version (runs execute that version,
 * so what starts them must be what was published); its ON/OFF switch comes from the draft when the draft still has
 * it, because TriggerEnabled/TriggerDisabled are events that apply at once, without a publish (pause must not wait
 * for a release). Archived workflows have no live triggers.
 */
export interface PublishedTrigger {
  workflowId: string;
  workspaceId: string;
  version: number;
  trigger: TriggerDefinition;
  /** The switch as it applies now (draft over published). */
  enabled: boolean;
}

export async function publishedTriggers(
  db: Kysely<Database>,
  filter: { kind?: TriggerKind; workflowId?: string; triggerId?: string } = {},
): Promise<PublishedTrigger[]> {
  // Only the triggers arrays are read: a definition may hold 500 steps and this runs every scheduler poll.
  const rows = await db
    .selectFrom('workflow_version as v')
    .innerJoin('workflow_summary as s', 's.workflow_id', 'v.workflow_id')
    .leftJoin('workflow_definition as d', 'd.workflow_id', 'v.workflow_id')
    .distinctOn('v.workflow_id')
    .select([
      'v.workflow_id',
      's.workspace_id',
      's.status',
      'v.version',
      sql<TriggerDefinition[]>`v.definition->'triggers'`.as('published'),
      sql<TriggerDefinition[] | null>`d.definition->'triggers'`.as('draft'),
    ])
    .$if(filter.workflowId !== undefined, (q) => q.where('v.workflow_id', '=', filter.workflowId!))
    .orderBy('v.workflow_id')
    .orderBy('v.version', 'desc')
    .execute();
  const live: PublishedTrigger[] = [];
  for (const row of rows) {
    if (row.status === 'archived') continue;
    const published = parseJson(row.published) ?? [];
    const draft = parseJson(row.draft) ?? [];
    for (const trigger of published) {
      if (filter.kind && trigger.kind !== filter.kind) continue;
      if (filter.triggerId && trigger.id !== filter.triggerId) continue;
      const inDraft = draft.find((t) => t.id === trigger.id);
      live.push({ workflowId: row.workflow_id, workspaceId: row.workspace_id, version: row.version, trigger, enabled: inDraft ? inDraft.enabled : trigger.enabled });
    }
  }
  return live;
}

/**
 * The event triggers live now, read again only when the workflow read models they come from have
 * moved on (their projection checkpoints: one small lookup): every ended run asks, and the full
 * read goes through every workflow's versions.
 */
export class LiveEventTriggers {
  /** `checkedAt`: when the marker was last read (the triggers are those live at that moment). */
  private cached?: { marker: string; triggers: PublishedTrigger[]; checkedAt: number };
  /** The check under way, if any (`checkedAt`: when it began). */
  private pending?: { checkedAt: number; triggers: Promise<PublishedTrigger[]> };

  constructor(private readonly db: Kysely<Database>) {}

  /**
   * The triggers live at some moment after `after` (the time the event to match was recorded): a
   * list checked since then serves without a lookup, so a stream of events costs one marker read
   * per a few of them rather than one each. Without `after`, the list as of now.
   */
  async list(after?: string): Promise<PublishedTrigger[]> {
    const since = after === undefined ? Number.POSITIVE_INFINITY : Date.parse(after) + COMMIT_AND_CLOCK_MARGIN_MS;
    if (this.cached && this.cached.checkedAt > since) return this.cached.triggers;
    // Events handled side by side share a check that began late enough for each of them.
    if (this.pending && this.pending.checkedAt > since) return this.pending.triggers;
    const checkedAt = Date.now();
    const triggers = this.check(checkedAt);
    this.pending = { checkedAt, triggers };
    try {
      return await triggers;
    } finally {
      if (this.pending?.triggers === triggers) this.pending = undefined;
    }
  }

  private async check(checkedAt: number): Promise<PublishedTrigger[]> {
    // The marker is read first: a change landing during the full read makes the next call read again.
    const marker = await this.workflowModelsMarker();
    const triggers = this.cached?.marker === marker ? this.cached.triggers : await publishedTriggers(this.db, { kind: 'event' });
    if (!this.cached || this.cached.checkedAt < checkedAt) this.cached = { marker, triggers, checkedAt };
    return triggers;
  }

  private async workflowModelsMarker(): Promise<string> {
    const rows = await this.db
      .selectFrom('projection_checkpoint')
      .select(['projection', 'transaction_id', 'global_position'])
      .where('projection', 'in', WORKFLOW_MODELS)
      .where('category', '=', 'workflow')
      .orderBy('projection')
      .execute();
    return rows.map((r) => `${r.projection}@${r.transaction_id}/${r.global_position}`).join(',');
  }
}

/**
 * An event's recorded time is its transaction's start, read off the database server's clock: a
 * list checked this long after it is taken to be checked after the event committed.
 */
const COMMIT_AND_CLOCK_MARGIN_MS = 25;

/** The projections whose tables publishedTriggers reads. */
const WORKFLOW_MODELS = ['workflow_definition', 'workflow_summary'];

// pg returns jsonb parsed; PGlite too, but a driver returning text must not break the scheduler.
function parseJson(value: unknown): TriggerDefinition[] | undefined {
  if (value === null || value === undefined) return undefined;
  const parsed = typeof value === 'string' ? (JSON.parse(value) as unknown) : value;
  return Array.isArray(parsed) ? (parsed as TriggerDefinition[]) : undefined;
}

/** The key a (workflow, trigger) pair is known by in tick and delivery ids: trigger ids are unique per workflow only. */
export const triggerKey = (workflowId: string, triggerId: string): string => `${workflowId}/${triggerId}`;
