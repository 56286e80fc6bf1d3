// Child process for the durability test: opens PGlite in a data directory with the BUILT adapter,
// appends one event, prints "ACK <position>" and then waits to be killed (never closes cleanly).
const { randomUUID } = require('node:crypto');
const root = require('node:path').join(__dirname, '../../dist');
const { openDatabase } = require(`${root}/src/adapters/database/database.js`);
const { PostgresEventStore } = require(`${root}/src/adapters/event-store/postgres/postgres.event-store.js`);

(async () => {
  const [dir, streamId] = process.argv.slice(2);
  const handle = await openDatabase({ dataDir: dir });
  const store = new PostgresEventStore(handle);
  await store.init();
  const result = await store.appendToStream(streamId, [
    {
      type: 'Durable',
      data: {},
      metadata: {
        eventId: randomUUID(),
        correlationId: randomUUID(),
        causationId: randomUUID(),
        actor: { kind: 'system', id: 'crash-test' },
        workspaceId: 'test',
        occurredAt: new Date().toISOString(),
        schemaVersion: 1,
      },
    },
  ]);
  process.stdout.write(`ACK ${result.position.transactionId}.${result.position.globalPosition}\n`);
  setInterval(() => undefined, 1000);
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
