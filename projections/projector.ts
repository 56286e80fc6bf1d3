import type { Transaction } from 'kysely';
import type { RecordedEvent } from '@contracts';
import type { Database } from '../src/adapters/database/tables';

/**
 * A projector owns its tables and builds them from events of its categories. `apply` must depend
 * on the event alone (times come from the event's metadata, never from the clock), so that a
 * rebuild from the log gives the same rows as the live table.
 */
export interface Projector {
  /** Also the name of its checkpoint and, unless `queue` says otherwise, of its queue. */
  readonly name: string;
  /**
   * Projectors naming the same queue share it (`bluebird.projection.<queue>`): each delivery
   * reaches all of them at once and they apply it in one transaction, each from its own
   * checkpoint. For read models of one busy category (the execution's), where a queue each
   * tripled the broker's deliveries per event. Default: a queue of its own, named after it.
   */
  readonly queue?: string;
  readonly categories: readonly string[];
  /** Emptied before a rebuild. */
  readonly tables: readonly (keyof Database & string)[];
  /**
   * Applies events of its categories, in log order, inside the caller's transaction: one event
   * for a live message, a page of up to 2000 in a catch-up or rebuild (fold them, write once).
   */
  apply(trx: Transaction<Database>, events: readonly RecordedEvent[]): Promise<void>;
}

/** The queue's name under the broker namespace (the broker adds `bluebird.`). */
export const projectionQueueName = (projector: Pick<Projector, 'name' | 'queue'>): string => `projection.${projector.queue ?? projector.name}`;
