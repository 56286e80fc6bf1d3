import { randomBytes } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { ALL_ROLES, loadConfig, type AppConfig, type ProcessRoles } from '../../src/config';
import { openInfrastructure, type Infrastructure } from '../../src/infrastructure';
import { createApp } from '../../src/bootstrap';
import { dropSchema } from '../../src/adapters/database/database';
import { RabbitMqBroker } from '../../src/adapters/broker/rabbitmq.broker';
import { allProjectors, projectionQueueName } from '../../projections';
import { TEST_AMQP_URL, TEST_DATABASE_URL, uniqueSchema } from './test-database';

/**
 * A test's own configuration: real PostgreSQL in a schema of its own and real RabbitMQ under a
 * namespace of its own when the URLs are set; PGlite in memory and the in-process broker otherwise.
 */
export function testConfig(overrides: Partial<AppConfig> = {}, options: { rabbit?: boolean } = {}): AppConfig {
  const useRabbit = options.rabbit ?? !!TEST_AMQP_URL;
  return {
    ...loadConfig({ NODE_ENV: 'test' }),
    databaseUrl: TEST_DATABASE_URL,
    dataDir: undefined,
    databaseSchema: TEST_DATABASE_URL ? uniqueSchema() : undefined,
    amqpUrl: useRabbit ? TEST_AMQP_URL : undefined,
    brokerNamespace: `bbtest_${randomBytes(4).toString('hex')}`,
    ...overrides,
  };
}

/** Removes what a test left on the servers: its schema and its broker namespace. */
export async function cleanUpServers(config: AppConfig): Promise<void> {
  if (config.databaseUrl && config.databaseSchema) await dropSchema(config.databaseUrl, config.databaseSchema);
  if (config.amqpUrl) {
    const broker = new RabbitMqBroker(config.amqpUrl, { namespace: config.brokerNamespace });
    await broker.deleteTopology(allProjectors.map(projectionQueueName)).catch(() => undefined);
  }
}

export interface TestApp {
  app: INestApplication;
  infra: Infrastructure;
  config: AppConfig;
  close(): Promise<void>;
}

export async function startTestApp(config: AppConfig = testConfig(), roles: ProcessRoles = ALL_ROLES): Promise<TestApp> {
  const infra = await openInfrastructure(config, { processName: 'test' });
  const app = await createApp(infra, roles);
  await app.init();
  return {
    app,
    infra,
    config,
    async close() {
      await app.close();
      await infra.close();
      await cleanUpServers(config);
    },
  };
}
