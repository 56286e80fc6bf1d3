import { randomBytes } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import type { App } from 'supertest/types';
import { ALL_ROLES, loadConfig, type AppConfig, type ProcessRoles } from '../../src/config';
import { openInfrastructure, type Infrastructure } from '../../src/infrastructure';
import { createApp } from '../../src/bootstrap';
import { TEST_AMQP_URL, TEST_DATABASE_URL, uniqueSchema } from './test-database';
import { cleanUpServers } from './servers';

export { cleanUpServers };

/** The first owner every test app starts with. */
export const TEST_OWNER = { email: 'owner@test.local', password: 'owner-password-1' };

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
    adminEmail: TEST_OWNER.email,
    adminPassword: TEST_OWNER.password,
    ...overrides,
  };
}

/**
 * The configuration of a test that starts the app as separate processes, and the environment to
 * give them: real PostgreSQL and RabbitMQ, in a schema and broker namespace of its own.
 */
export function processTestSetup(prefix: string, extraEnv: NodeJS.ProcessEnv = {}): { config: AppConfig; env: NodeJS.ProcessEnv } {
  const config = testConfig({ databaseSchema: uniqueSchema(prefix), brokerNamespace: `bb${prefix}_${randomBytes(4).toString('hex')}` }, { rabbit: true });
  const env = {
    DATABASE_URL: config.databaseUrl,
    DATABASE_SCHEMA: config.databaseSchema,
    AMQP_URL: config.amqpUrl,
    BROKER_NAMESPACE: config.brokerNamespace,
    BLUEBIRD_ADMIN_EMAIL: TEST_OWNER.email,
    BLUEBIRD_ADMIN_PASSWORD: TEST_OWNER.password,
    ...extraEnv,
  };
  return { config, env };
}

export interface TestApp {
  app: INestApplication;
  infra: Infrastructure;
  config: AppConfig;
  /** Signs in and returns the access token. */
  login(email?: string, password?: string): Promise<string>;
  close(): Promise<void>;
}

/** supertest with a bearer token on every request. */
export function as(http: App, token: string) {
  const withToken = (test: request.Test) => test.set('Authorization', `Bearer ${token}`);
  return {
    get: (url: string) => withToken(request(http).get(url)),
    post: (url: string) => withToken(request(http).post(url)),
    put: (url: string) => withToken(request(http).put(url)),
    patch: (url: string) => withToken(request(http).patch(url)),
    delete: (url: string) => withToken(request(http).delete(url)),
  };
}

export async function startTestApp(config: AppConfig = testConfig(), roles: ProcessRoles = ALL_ROLES): Promise<TestApp> {
  const infra = await openInfrastructure(config, { processName: 'test' });
  const app = await createApp(infra, roles);
  await app.init();
  return {
    app,
    infra,
    config,
    async login(email = TEST_OWNER.email, password = TEST_OWNER.password) {
      const res = await request(app.getHttpServer()).post('/api/auth/login').send({ email, password });
      if (res.status !== 200) throw new Error(`login of ${email} failed: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body.accessToken as string;
    },
    async close() {
      await app.close();
      await infra.close();
      await cleanUpServers(config);
    },
  };
}
