import 'reflect-metadata';
import { loadConfig } from './config';
import { openInfrastructure } from './infrastructure';
import { createApp } from './bootstrap';
import { runUntilSignal } from './runtime/run-until-signal';

/** The projection process: builds every read model from the broker (catching up from the store at start). */
async function main(): Promise<void> {
  const config = loadConfig();
  const infra = await openInfrastructure(config, { processName: 'projections' });
  const app = await createApp(infra, { api: false, forwarder: false, projections: true, engine: false });
  await app.listen(config.port);
  console.log(`BlueBirdHub projections on port ${config.port} (health and metrics)`);
  runUntilSignal(app, infra);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
