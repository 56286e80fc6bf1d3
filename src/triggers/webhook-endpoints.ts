import { createHash, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../adapters/database/tables';
import { isUuid } from '../adapters/crypto/deterministic-uuid';
import { MAX_ACTIVE_WEBHOOK_SECRETS, generateWebhookSecret } from '../adapters/crypto/webhook-signature';
import { DomainError } from '../domain/decider';
import type { StoredWebhookSecret } from './trigger.tables';
import { ExpiringCache } from '../queries/expiring-cache';
import { isSealed, type SecretBox } from '../adapters/crypto/secret-box';

/**
 * Where webhook secrets live: the `webhook_endpoint` table, one row per webhook trigger, written by the trigger
 * routes. Why not in the event log: an HMAC key must be stored recoverable, and the log is read by history, activity,
 * time travel, exports and every projector; the events (WebhookSecretRotated/Retired) carry only a fingerprint.
 * Consequence: rebuilding read models from the log does not touch this table (it is not a read model).
 * With WEBHOOK_SECRETS_KEY set, the secrets are stored sealed (SecretBox, AES-256-GCM); rows written
 * before stay readable and are sealed when next written.
 *
 * The hook id (the URL's `/api/hooks/<hookId>`) is the trigger id when that is a UUID (what the trigger route
 * generates) and not taken, otherwise a fresh UUID: trigger ids are unique per workflow only, the URL must be unique.
 */

export interface WebhookEndpoint {
  hookId: string;
  workflowId: string;
  triggerId: string;
  /** Newest first. */
  secrets: StoredWebhookSecret[];
}

export const fingerprintOf = (secret: string): string => createHash('sha256').update(secret).digest('hex').slice(0, 12);

/** Endpoints change rarely and ingress is hot: a second of staleness after a rotate/retire is the price. */
const CACHE_MS = 1000;

export class WebhookEndpoints {
  private readonly cache = new ExpiringCache<WebhookEndpoint | undefined>(CACHE_MS);

  constructor(
    private readonly db: Kysely<Database>,
    private readonly box?: SecretBox,
  ) {}

  /** A new endpoint with one fresh secret (or, for a trigger id seen before, the old row with a fresh secret). */
  async create(workflowId: string, triggerId: string, secret = newWebhookSecret()): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
    const now = new Date().toISOString();
    const existing = await this.forTrigger(workflowId, triggerId);
    if (existing) {
      await this.db.updateTable('webhook_endpoint').set({ secrets: this.stored([secret]), updated_at: now }).where('hook_id', '=', existing.hookId).execute();
      this.cache.delete(existing.hookId);
      return { endpoint: { ...existing, secrets: [secret] }, secret: secret.secret };
    }
    for (const hookId of [isUuid(triggerId) ? triggerId.toLowerCase() : randomUUID(), randomUUID()]) {
      const inserted = await this.db
        .insertInto('webhook_endpoint')
        .values({ hook_id: hookId, workflow_id: workflowId, trigger_id: triggerId, secrets: this.stored([secret]), created_at: now, updated_at: now })
        .onConflict((oc) => oc.doNothing())
        .returning('hook_id')
        .executeTakeFirst();
      if (inserted) return { endpoint: { hookId, workflowId, triggerId, secrets: [secret] }, secret: secret.secret };
      // Taken: by this trigger (a concurrent create) or by another workflow's trigger with the same UUID.
      const raced = await this.forTrigger(workflowId, triggerId);
      if (raced) return this.create(workflowId, triggerId, secret);
    }
    throw new Error('could not allocate a webhook hook id');
  }

  /** Adds a new secret beside the current one (rotation); the old keeps working until retired. */
  async rotate(workflowId: string, triggerId: string, secret = newWebhookSecret()): Promise<{ endpoint: WebhookEndpoint; secret: string } | undefined> {
    return this.db.transaction().execute(async (trx) => {
      const row = await trx.selectFrom('webhook_endpoint').selectAll().where('workflow_id', '=', workflowId).where('trigger_id', '=', triggerId).forUpdate().executeTakeFirst();
      if (!row) return undefined;
      const secrets = this.parseSecrets(row.secrets);
      if (secrets.length >= MAX_ACTIVE_WEBHOOK_SECRETS) {
        throw new DomainError('conflict', 'too-many-secrets', `A webhook trigger has at most ${MAX_ACTIVE_WEBHOOK_SECRETS} active secrets; retire one first`);
      }
      const next = [secret, ...secrets];
      await trx.updateTable('webhook_endpoint').set({ secrets: this.stored(next), updated_at: new Date().toISOString() }).where('hook_id', '=', row.hook_id).execute();
      this.cache.delete(row.hook_id);
      return { endpoint: { hookId: row.hook_id, workflowId, triggerId, secrets: next }, secret: secret.secret };
    });
  }

  /** Removes one secret by fingerprint; the last one cannot go (the trigger would refuse every sender). */
  async retire(workflowId: string, triggerId: string, fingerprint: string): Promise<WebhookEndpoint | undefined> {
    return this.db.transaction().execute(async (trx) => {
      const row = await trx.selectFrom('webhook_endpoint').selectAll().where('workflow_id', '=', workflowId).where('trigger_id', '=', triggerId).forUpdate().executeTakeFirst();
      if (!row) return undefined;
      const secrets = this.parseSecrets(row.secrets);
      if (!secrets.some((s) => s.fingerprint === fingerprint)) throw new DomainError('not_found', 'secret-not-found', `No active secret ${fingerprint}`);
      if (secrets.length === 1) throw new DomainError('conflict', 'last-secret', 'The only active secret cannot be retired; rotate first');
      const next = secrets.filter((s) => s.fingerprint !== fingerprint);
      await trx.updateTable('webhook_endpoint').set({ secrets: this.stored(next), updated_at: new Date().toISOString() }).where('hook_id', '=', row.hook_id).execute();
      this.cache.delete(row.hook_id);
      return { hookId: row.hook_id, workflowId, triggerId, secrets: next };
    });
  }

  async forTrigger(workflowId: string, triggerId: string): Promise<WebhookEndpoint | undefined> {
    const row = await this.db.selectFrom('webhook_endpoint').selectAll().where('workflow_id', '=', workflowId).where('trigger_id', '=', triggerId).executeTakeFirst();
    return row ? this.toEndpoint(row) : undefined;
  }

  async forWorkflow(workflowId: string): Promise<WebhookEndpoint[]> {
    const rows = await this.db.selectFrom('webhook_endpoint').selectAll().where('workflow_id', '=', workflowId).execute();
    return rows.map((row) => this.toEndpoint(row));
  }

  /** The endpoint behind a hook URL (cached briefly); undefined for an unknown id. */
  async byHookId(hookId: string): Promise<WebhookEndpoint | undefined> {
    if (!isUuid(hookId)) return undefined;
    const id = hookId.toLowerCase();
    return this.cache.get(id, async () => {
      const row = await this.db.selectFrom('webhook_endpoint').selectAll().where('hook_id', '=', id).executeTakeFirst();
      return row ? this.toEndpoint(row) : undefined;
    });
  }

  /** The secrets column as written: sealed when a key is set (a value already sealed stays as it is). */
  private stored(secrets: readonly StoredWebhookSecret[]): string {
    const seal = (secret: string) => (this.box && !isSealed(secret) ? this.box.seal(secret) : secret);
    return JSON.stringify(secrets.map((s) => ({ ...s, secret: seal(s.secret) })));
  }

  /**
   * The secrets, opened. One sealed under another key (or with no key set) stays sealed: it
   * verifies nothing, and is written back unchanged rather than lost.
   */
  private parseSecrets(value: unknown): StoredWebhookSecret[] {
    // SecretBox.open gives a plain (older) value back as it is.
    const open = (secret: string) => {
      if (!this.box) return secret;
      try {
        return this.box.open(secret);
      } catch {
        return secret;
      }
    };
    return parseSecrets(value).map((s) => ({ ...s, secret: open(s.secret) }));
  }

  private toEndpoint(row: { hook_id: string; workflow_id: string; trigger_id: string; secrets: unknown }): WebhookEndpoint {
    return { hookId: row.hook_id, workflowId: row.workflow_id, triggerId: row.trigger_id, secrets: this.parseSecrets(row.secrets) };
  }
}

export function newWebhookSecret(): StoredWebhookSecret {
  const secret = generateWebhookSecret();
  return { secret, fingerprint: fingerprintOf(secret), addedAt: new Date().toISOString() };
}

function parseSecrets(value: unknown): StoredWebhookSecret[] {
  const parsed = typeof value === 'string' ? (JSON.parse(value) as unknown) : value;
  return Array.isArray(parsed) ? (parsed as StoredWebhookSecret[]) : [];
}

