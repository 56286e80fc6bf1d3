import type { ColumnType } from 'kysely';

/** One active webhook secret; `addedAt` orders them (newest first) for rotation. */
export interface StoredWebhookSecret {
  secret: string;
  fingerprint: string;
  addedAt: string;
}

/** Migration 0008. Owned by src/triggers (routes and ingress), not by a projector: secrets are in no event. */
export interface WebhookEndpointTable {
  hook_id: string;
  workflow_id: string;
  trigger_id: string;
  secrets: ColumnType<StoredWebhookSecret[], string, string>;
  created_at: ColumnType<Date, string, string>;
  updated_at: ColumnType<Date, string, string>;
}

/** Migration 0008: the last tick each cron schedule has fired (or skipped). */
export interface TriggerCheckpointTable {
  workflow_id: string;
  trigger_id: string;
  last_tick: ColumnType<Date, string, string>;
  updated_at: ColumnType<Date, string, string>;
}
