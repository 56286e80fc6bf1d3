import { sql, type Kysely } from 'kysely';
import type { TriggerDefinition } from '@contracts';
import type { Database } from '../adapters/database/tables';
import { nextFires } from '../triggers/cron-schedule';
import { publishedTriggers } from '../triggers/live-triggers';
import { parseCronConfig } from '../triggers/trigger-config';
import type { WebhookEndpoint } from '../triggers/webhook-endpoints';
import { decodeCursor, encodeCursor } from './workflow.queries';

/** One trigger as the management routes show it: its definition, whether it is live, and how it has fired. */
export interface TriggerStatusDto extends TriggerDefinition {
  /** In the draft (editable); false for a trigger only the published version still has. */
  inDraft: boolean;
  /** The latest published version that holds it, or null: only published triggers fire. */
  publishedVersion: number | null;
  /** published, enabled and the workflow active: it fires now. */
  live: boolean;
  status: 'live' | 'disabled' | 'unpublished' | 'archived';
  fires: number;
  lastFiredAt: string | null;
  /** cron: the next 3 fire instants of the published schedule (of the draft's when unpublished). */
  nextFires?: string[];
  /** webhook: where to send, and which secrets are active (fingerprints only; a secret is shown once). */
  webhook?: { url: string; secrets: { fingerprint: string; addedAt: string }[] };
  /** When the draft has edited a published trigger: the name and config it still fires with until the next publish. */
  publishedAs?: { name: string; config: Record<string, unknown> };
}

export async function listTriggers(db: Kysely<Database>, workflowId: string, endpoints: WebhookEndpoint[], now = new Date()): Promise<TriggerStatusDto[]> {
  const [draftRow, summary, published, fired] = await Promise.all([
    db.selectFrom('workflow_definition').select(sql<TriggerDefinition[]>`definition->'triggers'`.as('triggers')).where('workflow_id', '=', workflowId).executeTakeFirst(),
    db.selectFrom('workflow_summary').select('status').where('workflow_id', '=', workflowId).executeTakeFirst(),
    publishedTriggers(db, { workflowId }),
    db
      .selectFrom('execution')
      .select(['trigger_id', (eb) => eb.fn.countAll<string>().as('n'), (eb) => eb.fn.max('started_at').as('last')])
      .where('workflow_id', '=', workflowId)
      .where('trigger_id', 'is not', null)
      .groupBy('trigger_id')
      .execute(),
  ]);
  const draft = asArray(draftRow?.triggers);
  const archived = summary?.status === 'archived';
  const all = [...draft.map((t) => ({ t, inDraft: true })), ...published.filter((p) => !draft.some((d) => d.id === p.trigger.id)).map((p) => ({ t: p.trigger, inDraft: false }))];
  return all.map(({ t, inDraft }) => {
    const pub = published.find((p) => p.trigger.id === t.id);
    const stats = fired.find((f) => f.trigger_id === t.id);
    const enabled = pub ? pub.enabled : t.enabled;
    const status = archived ? 'archived' : !pub ? 'unpublished' : enabled ? 'live' : 'disabled';
    const dto: TriggerStatusDto = {
      ...t,
      enabled,
      inDraft,
      publishedVersion: pub?.version ?? null,
      live: status === 'live',
      status,
      fires: Number(stats?.n ?? 0),
      lastFiredAt: stats?.last ? new Date(stats.last as unknown as string).toISOString() : null,
    };
    // Both sides come from jsonb, so equal configs serialize alike.
    if (inDraft && pub && (pub.trigger.name !== t.name || JSON.stringify(pub.trigger.config) !== JSON.stringify(t.config))) {
      dto.publishedAs = { name: pub.trigger.name, config: pub.trigger.config };
    }
    if (t.kind === 'cron') {
      const parsed = parseCronConfig((pub?.trigger ?? t).config);
      if (parsed.ok) dto.nextFires = nextFires(parsed.config.expression, parsed.config.zone, now, 3).map((d) => d.toISOString());
    }
    if (t.kind === 'webhook') {
      const endpoint = endpoints.find((e) => e.triggerId === t.id);
      dto.webhook = endpoint
        ? { url: `/api/hooks/${endpoint.hookId}`, secrets: endpoint.secrets.map((s) => ({ fingerprint: s.fingerprint, addedAt: s.addedAt })) }
        : { url: '', secrets: [] };
    }
    return dto;
  });
}

export interface TriggerFireDto {
  executionId: string;
  status: string;
  version: number;
  startedAt: string;
  finishedAt: string | null;
}

/** Fire history of one trigger: the runs it started, newest first, paged like every list. */
export async function triggerHistory(
  db: Kysely<Database>,
  workflowId: string,
  triggerId: string,
  page: { limit: number; cursor?: string },
): Promise<{ items: TriggerFireDto[]; nextCursor?: string } | undefined> {
  const cursor = page.cursor ? decodeCursor(page.cursor) : undefined;
  if (page.cursor && !cursor) return undefined;
  const rows = await db
    .selectFrom('execution')
    .select(['execution_id', 'status', 'version', 'started_at', 'finished_at'])
    .where('workflow_id', '=', workflowId)
    .where('trigger_id', '=', triggerId)
    .$if(cursor !== undefined, (q) =>
      q.where((eb) => eb.or([eb('started_at', '<', new Date(cursor!.createdAt)), eb.and([eb('started_at', '=', new Date(cursor!.createdAt)), eb('execution_id', '<', cursor!.id)])])),
    )
    .orderBy('started_at', 'desc')
    .orderBy('execution_id', 'desc')
    .limit(page.limit + 1)
    .execute();
  const items = rows.slice(0, page.limit).map((r) => ({
    executionId: r.execution_id,
    status: r.status,
    version: r.version,
    startedAt: new Date(r.started_at as unknown as string).toISOString(),
    finishedAt: r.finished_at ? new Date(r.finished_at as unknown as string).toISOString() : null,
  }));
  const last = items[items.length - 1];
  return rows.length > page.limit && last ? { items, nextCursor: encodeCursor({ createdAt: last.startedAt, id: last.executionId }) } : { items };
}

function asArray(value: unknown): TriggerDefinition[] {
  const parsed = typeof value === 'string' ? (JSON.parse(value) as unknown) : value;
  return Array.isArray(parsed) ? (parsed as TriggerDefinition[]) : [];
}
