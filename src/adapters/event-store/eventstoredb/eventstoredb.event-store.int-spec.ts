import { eventStoreContract } from '../event-store.contract';
import { EventStoreDbEventStore } from './eventstoredb.event-store';

/** Runs the shared event-store contract against a real EventStoreDB, when one is configured. */
const url = process.env.EVENTSTORE_URL;

if (url) {
  eventStoreContract(
    'EventStoreDB',
    async () => {
      const store = new EventStoreDbEventStore(url);
      await store.init();
      return { store, close: () => store.close() };
    },
    // ESDB settles concurrent appends itself (expected revision checked by the server).
    { concurrency: true },
  );
} else {
  console.log('EventStoreDB contract suite skipped: set EVENTSTORE_URL (e.g. esdb://localhost:2113?tls=false) to run it');
  describe('EventStoreDB event store contract', () => {
    it.skip('needs EVENTSTORE_URL', () => undefined);
  });
}
