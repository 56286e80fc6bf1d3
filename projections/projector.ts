import type { Transaction } from 'kysely';
import type { RecordedEvent } from '@contracts';
import type { Database } from '../src/adapters/database/tables';

/**
 * A projector owns its tables and builds them from events of its categories. `apply` must depend
 * on the event alone (times come from the event's metadata, never from the clock), so that a
 * rebuild from the log gives the same rows as the live table.
 */
export interface Projector {
  /** Also the name of its queue (`bluebird.projection.<name>`) and of its checkpoint. */
  readonly name: string;
  readonly categories: readonly string[];
  /** Emptied before a rebuild. */
  readonly tables: readonly (keyof Database & string)[];
  apply(trx: Transaction<Database>, event: RecordedEvent): Promise<void>;
}

export const projectionQueueName = (projector: Pick<Projector, 'name'>): string => `bluebird.projection.${projector.name}`;
