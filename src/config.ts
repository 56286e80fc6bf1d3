import { resolve } from 'node:path';

/** Everything the processes read from the environment, in one place (README: Configuration). */
export interface AppConfig {
  port: number;
  /** PostgreSQL for events (unless EventStoreDB), read models and checkpoints; unset = PGlite. */
  databaseUrl?: string;
  /** PGlite data directory when DATABASE_URL is unset. */
  dataDir?: string;
  /** Postgres schema to use (tests isolate themselves in one); unset = the default search_path. */
  databaseSchema?: string;
  /** RabbitMQ; unset = the in-process broker. */
  amqpUrl?: string;
  /** Prefix of RabbitMQ exchange and queue names (separate test runs or environments on one broker). */
  brokerNamespace: string;
  /** EventStoreDB; unset = events in PostgreSQL/PGlite. */
  eventStoreUrl?: string;
  /** Where the built designer is served from. */
  designerDir: string;
  /** Largest accepted JSON body. */
  bodyLimit: string;
  logLevel: string;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  return {
    port: Number(env.PORT ?? 3000),
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir: env.DATABASE_URL ? undefined : resolve(env.DATA_DIR ?? 'data'),
    databaseSchema: env.DATABASE_SCHEMA || undefined,
    amqpUrl: env.AMQP_URL || undefined,
    brokerNamespace: env.BROKER_NAMESPACE || 'bluebird',
    eventStoreUrl: env.EVENTSTORE_URL || undefined,
    designerDir: resolve(env.DESIGNER_DIR ?? 'dist/designer/browser'),
    bodyLimit: env.BODY_LIMIT ?? '1mb',
    logLevel: env.LOG_LEVEL ?? (env.NODE_ENV === 'test' ? 'warn' : 'info'),
  };
}

/** Which parts a process runs. The embedded default runs them all in one process. */
export interface ProcessRoles {
  api: boolean;
  forwarder: boolean;
  projections: boolean;
}

export const ALL_ROLES: ProcessRoles = { api: true, forwarder: true, projections: true };
