import type { AppConfig } from './config';
import { openDatabase, withMigrationLock, type DatabaseHandle } from './adapters/database/database';
import type { EventStore } from './adapters/event-store/event-store.port';
import { PostgresEventStore } from './adapters/event-store/postgres/postgres.event-store';
import { EventStoreDbEventStore } from './adapters/event-store/eventstoredb/eventstoredb.event-store';
import type { Broker } from './adapters/broker/broker.port';
import { InProcessBroker } from './adapters/broker/in-process.broker';
import { RabbitMqBroker } from './adapters/broker/rabbitmq.broker';
import { Metrics } from './adapters/metrics/metrics';
import { migrateReadModels } from '../projections/migrations';
import { ReadModelChanges } from '../projections/read-model-changes';

/** The adapters one process needs, opened and migrated. Shared by every entry point and the CLI. */
export interface Infrastructure {
  config: AppConfig;
  database: DatabaseHandle;
  store: EventStore;
  broker: Broker;
  metrics: Metrics;
  /** Projections applied in this process, for what caches read models here (see ReadModelChanges). */
  readModels: ReadModelChanges;
  close(): Promise<void>;
}

export async function openInfrastructure(config: AppConfig, options: { processName?: string } = {}): Promise<Infrastructure> {
  const metrics = new Metrics();
  const database = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir, schema: config.databaseSchema });
  const store: EventStore = config.eventStoreUrl
    ? new EventStoreDbEventStore(config.eventStoreUrl)
    : new PostgresEventStore(database, metrics);
  const broker: Broker = config.amqpUrl
    ? new RabbitMqBroker(config.amqpUrl, {
        namespace: config.brokerNamespace,
        connectionName: `bluebird-${options.processName ?? 'app'}-${process.pid}`,
        log: (m) => console.warn(m),
      })
    : new InProcessBroker();
  try {
    await withMigrationLock(database, async () => {
      await store.init();
      await migrateReadModels(database.db, database.schema);
    });
    await broker.connect();
  } catch (error) {
    await broker.close().catch(() => undefined);
    await store.close().catch(() => undefined);
    await database.close().catch(() => undefined);
    throw error;
  }
  return {
    config,
    database,
    store,
    broker,
    metrics,
    readModels: new ReadModelChanges(),
    async close() {
      await broker.close().catch(() => undefined);
      await store.close().catch(() => undefined);
      await database.close();
    },
  };
}
