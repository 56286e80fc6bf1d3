import 'reflect-metadata';
import { loadConfig } from './config';
import { openInfrastructure } from './infrastructure';
import { createApp } from './bootstrap';
import { runUntilSignal } from './runtime/run-until-signal';

/**
 * The worker process: the forwarder today (the engine and the scheduler join it later). Run as
 * many replicas as you like; one forwarder leads, the others stand by. Serves health and metrics.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const infra = await openInfrastructure(config, { processName: 'worker' });
  const app = await createApp(infra, { api: false, forwarder: true, projections: false, engine: true });
  await app.listen(config.port);
  console.log(`BlueBirdHub worker on port ${config.port} (health and metrics)`);
  runUntilSignal(app, infra);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
