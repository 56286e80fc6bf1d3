import { createHash } from 'node:crypto';
import type { Command, EventEnvelope, LogPosition } from '@contracts';
import { WrongExpectedVersion, type EventStore } from '../adapters/event-store/event-store.port';
import type { DecidedEvent, Decider } from '../domain/decider';

export const SCHEMA_VERSION = 1;
const CONFLICT_RETRIES = 3;

export interface CommandOptions {
  /** From `If-Match`: the revision the client last saw. A different current revision is a 412. */
  expectedRevision?: bigint;
}

export interface CommandResult {
  /** Stream revision after the command; -1n when the stream is still empty. */
  revision: bigint;
  /** Position of the last event appended; absent when the command decided nothing. */
  position?: LogPosition;
  events: EventEnvelope[];
}

/** The client's `If-Match` revision is not the stream's: nothing was appended. */
export class PreconditionFailed extends Error {
  constructor(
    readonly streamId: string,
    readonly currentRevision: bigint,
  ) {
    super(`The resource changed: it is now at revision ${currentRevision}`);
    this.name = 'PreconditionFailed';
  }
}

/** Concurrent writers kept winning; the client may retry. */
export class ConcurrencyConflict extends Error {
  constructor(readonly streamId: string) {
    super(`Too many concurrent changes to ${streamId}; retry`);
    this.name = 'ConcurrencyConflict';
  }
}

/**
 * The one load-decide-append function every command goes through: read the stream, fold it,
 * decide, append with the revision read. Without If-Match a conflicting writer makes it re-read
 * and decide again (the decision may change); with If-Match the client must look again (412).
 * Event ids derive from the command id, so a retried command appends nothing twice.
 */
export async function handleCommand<C extends Command, E extends DecidedEvent, S>(
  store: EventStore,
  decider: Decider<C, E, S>,
  streamId: string,
  command: C,
  options: CommandOptions = {},
): Promise<CommandResult> {
  for (let attempt = 0; attempt < CONFLICT_RETRIES; attempt++) {
    const history = await store.readStream(streamId);
    const current = history.length > 0 ? history[history.length - 1].revision : -1n;
    if (options.expectedRevision !== undefined && options.expectedRevision !== current) {
      throw new PreconditionFailed(streamId, current);
    }
    // A command already handled (a retry with the same command id) answers what it did then,
    // instead of deciding again on a stream that may have moved on.
    const earlier = history.filter((e) => e.metadata.causationId === command.metadata.commandId);
    if (earlier.length > 0) {
      const last = earlier[earlier.length - 1];
      return { revision: last.revision, position: last.position, events: earlier };
    }
    const state = history.reduce((s, e) => decider.evolve(s, e as unknown as E), decider.initialState());
    const decided = decider.decide(command, state);
    if (decided.length === 0) return { revision: current, events: [] };
    const events = decided.map((event, index) => stamp(command, event, index));
    try {
      const result = await store.appendToStream(streamId, events, {
        expectedRevision: current === -1n ? 'no_stream' : current,
      });
      return { revision: result.nextRevision, position: result.position, events };
    } catch (error) {
      if (!(error instanceof WrongExpectedVersion)) throw error;
      if (options.expectedRevision !== undefined) throw new PreconditionFailed(streamId, error.actual);
    }
  }
  throw new ConcurrencyConflict(streamId);
}

function stamp(command: Command, event: DecidedEvent, index: number): EventEnvelope {
  const { commandId, ...metadata } = command.metadata;
  return {
    type: event.type,
    data: event.data,
    metadata: { ...metadata, causationId: commandId, eventId: deterministicId(commandId, index), schemaVersion: SCHEMA_VERSION },
  };
}

/** A UUID (version 5 layout) from the command id and the event's index in the decision. */
export function deterministicId(commandId: string, index: number): string {
  const hash = createHash('sha1').update(`${commandId}/${index}`).digest();
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
