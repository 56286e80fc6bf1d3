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
  /** First owner's e-mail and password (created on first start); unset: admin@localhost with a printed random password. */
  adminEmail?: string;
  adminPassword?: string;
  /** JWT signing secret; unset: generated once and kept in the database. */
  jwtSecret?: string;
  /** Key (any passphrase) webhook trigger secrets are sealed with at rest; unset: stored as they are. */
  webhookSecretsKey?: string;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  /** Requests per minute per user (or address) and route. */
  rateLimitPerMinute: number;
  /** Login attempts per minute per address and e-mail. */
  loginRateLimitPerMinute: number;
  /** Root of the file_operation sandbox; paths that leave it are refused. */
  storageDir: string;
  /** SMTP server for send_email; unset: nodemailer's JSON transport into the outbox (GET /api/outbox). */
  smtpUrl?: string;
  /** Sender address of send_email when a step names none. */
  mailFrom: string;
  /** OpenAI-compatible endpoint for ai_classify / ai_analyze; unset: the local model (natural). */
  aiApiUrl?: string;
  aiApiKey?: string;
  aiModel: string;
  /** Concurrent step attempts per worker process. */
  engineConcurrency: number;
}

/**
 * A whole-number setting: unset (or empty) gives the default; anything else must be an integer in
 * range, or the process stops at start with the variable named (a NaN prefetch or port failed
 * later, somewhere far from the typo).
 */
function integerSetting(env: NodeJS.ProcessEnv, name: string, fallback: number, min = 1, max = Number.MAX_SAFE_INTEGER): number {
  const text = env[name]?.trim();
  if (!text) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) throw new Error(`${name} must be a whole number from ${min} to ${max}, not "${env[name]}"`);
  return value;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  return {
    port: integerSetting(env, 'PORT', 3000, 0, 65535),
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir: env.DATABASE_URL ? undefined : resolve(env.DATA_DIR ?? 'data'),
    databaseSchema: env.DATABASE_SCHEMA || undefined,
    amqpUrl: env.AMQP_URL || undefined,
    brokerNamespace: env.BROKER_NAMESPACE || 'bluebird',
    eventStoreUrl: env.EVENTSTORE_URL || undefined,
    designerDir: resolve(env.DESIGNER_DIR ?? 'dist/designer/browser'),
    bodyLimit: env.BODY_LIMIT ?? '1mb',
    logLevel: env.LOG_LEVEL ?? (env.NODE_ENV === 'test' ? 'warn' : 'info'),
    adminEmail: env.BLUEBIRD_ADMIN_EMAIL || undefined,
    adminPassword: env.BLUEBIRD_ADMIN_PASSWORD || undefined,
    jwtSecret: env.JWT_SECRET || undefined,
    webhookSecretsKey: env.WEBHOOK_SECRETS_KEY || undefined,
    accessTokenTtlSeconds: integerSetting(env, 'ACCESS_TOKEN_TTL_SECONDS', 900),
    refreshTokenTtlSeconds: integerSetting(env, 'REFRESH_TOKEN_TTL_SECONDS', 7 * 24 * 3600),
    rateLimitPerMinute: integerSetting(env, 'RATE_LIMIT_PER_MINUTE', 600),
    loginRateLimitPerMinute: integerSetting(env, 'LOGIN_RATE_LIMIT_PER_MINUTE', 5),
    storageDir: resolve(env.STORAGE_DIR ?? 'storage'),
    smtpUrl: env.SMTP_URL || undefined,
    mailFrom: env.MAIL_FROM ?? 'BlueBirdHub <workflows@localhost>',
    aiApiUrl: env.AI_API_URL || undefined,
    aiApiKey: env.AI_API_KEY || undefined,
    aiModel: env.AI_MODEL ?? 'gpt-4o-mini',
    // Steps mostly wait on I/O (an HTTP call, a report's append): at 32 in flight, a step queue
    // that backed up at 150 runs/s waited for free slots in RabbitMQ; 128 gave 0.7x the p99 there.
    engineConcurrency: integerSetting(env, 'ENGINE_CONCURRENCY', 128, 1, 65535),
  };
}

/** Which parts a process runs. The embedded default runs them all in one process. */
export interface ProcessRoles {
  api: boolean;
  forwarder: boolean;
  projections: boolean;
  /** Runs step attempts (competing on the steps queue), durable timers and child-run bookkeeping. */
  engine: boolean;
}

export const ALL_ROLES: ProcessRoles = { api: true, forwarder: true, projections: true, engine: true };
