import 'reflect-metadata';
import { loadConfig } from '../config';
import { openInfrastructure } from '../infrastructure';
import { allProjectors, findProjector } from '../../projections';
import { ProjectionRunner } from '../../projections/runner';

/**
 * `npm run projections:rebuild -- <name>`: empties one read model and replays the whole log into
 * it, printing progress. Uses the same configuration as the app (DATABASE_URL, EVENTSTORE_URL...).
 * Live projectors keep running meanwhile: they wait on the checkpoint row and then catch up.
 */
async function main(): Promise<void> {
  const name = process.argv[2];
  const projector = name ? findProjector(name) : undefined;
  if (!projector) {
    console.error(`usage: npm run projections:rebuild -- <name>\nread models: ${allProjectors.map((p) => p.name).join(', ')}`);
    process.exit(2);
  }
  const config = loadConfig();
  // The rebuild reads the store, not the broker: no broker connection is needed.
  const infra = await openInfrastructure({ ...config, amqpUrl: undefined }, { processName: 'rebuild' });
  try {
    const runner = new ProjectionRunner(infra.database.db, infra.store, infra.broker, allProjectors, infra.metrics);
    let lastPrinted = 0;
    const applied = await runner.rebuild(projector, (p) => {
      if (p.applied - lastPrinted < 10_000 && p.applied !== 0) return;
      lastPrinted = p.applied;
      const of = p.total >= 0 ? `/${p.total} events in the log` : ' events';
      console.log(`${p.projection}: ${p.applied}${of} applied, ${p.eventsPerSecond} events/s`);
    });
    console.log(`${projector.name}: rebuilt from ${applied} events`);
  } finally {
    await infra.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
