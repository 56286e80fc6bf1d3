import 'reflect-metadata';
import { ALL_ROLES, loadConfig } from './config';
import { openInfrastructure } from './infrastructure';
import { createApp } from './bootstrap';
import { runUntilSignal } from './runtime/run-until-signal';

/**
 * The API process. Without flags it is the all-in-one process (API + forwarder + projections),
 * the embedded default of `npm start`; `--api-only` serves just the API (`npm run start:api`).
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const apiOnly = process.argv.includes('--api-only');
  const infra = await openInfrastructure(config, { processName: apiOnly ? 'api' : 'all' });
  const app = await createApp(infra, apiOnly ? { api: true, forwarder: false, projections: false, engine: false } : ALL_ROLES);
  await app.listen(config.port);
  console.log(
    `BlueBirdHub Workflows listening on http://localhost:${config.port} (${apiOnly ? 'API only' : 'all-in-one'}; ` +
      `events: ${infra.store.kind}, read models: ${infra.database.kind}, broker: ${infra.broker.kind})`,
  );
  runUntilSignal(app, infra);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
