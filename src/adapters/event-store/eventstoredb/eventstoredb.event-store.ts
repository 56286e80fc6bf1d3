import { createHash } from 'node:crypto';
import {
  ANY,
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  InvalidArgumentError,
  NO_STREAM,
  START,
  STREAM_EXISTS,
  StreamNotFoundError,
  UnknownError,
  UnsupportedError,
  WrongExpectedVersionError,
  jsonEvent,
  type AllStreamResolvedEvent,
  type AppendExpectedRevision,
  type JSONType,
  type Position,
  type ReadPosition,
} from '@eventstore/db-client';
// Internals of the client, used only to send a filtered read of $all (see filteredReadAll below).
// @eventstore/db-client 6.2.1 is the last release of that package, so they no longer move.
import { Empty } from '@eventstore/db-client/generated/shared_pb';
import { StreamsClient } from '@eventstore/db-client/generated/streams_grpc_pb';
import { ReadReq, type ReadResp } from '@eventstore/db-client/generated/streams_pb';
import { ReadStream } from '@eventstore/db-client/dist/streams/utils/ReadStream';
import { convertGrpcEvent } from '@eventstore/db-client/dist/utils/convertGrpcEvent';
import type { EventEnvelope, EventMetadata, LogPosition, RecordedEvent } from '@contracts';
import { categoryOf, comparePositions, isUuid, START_POSITION } from '@contracts';
import {
  WrongExpectedVersion,
  type AppendOptions,
  type AppendResult,
  type EventStore,
  type ExpectedRevision,
  type ReadAllOptions,
  type ReadStreamOptions,
  type SubscribeOptions,
} from '../event-store.port';
import { pollingSubscription } from '../polling-subscription';
import type { AppendObserver } from '../append-observer';

const DEFAULT_READ_ALL_LIMIT = 500;

/** The fields of an ESDB recorded event this adapter reads (JSON and binary events alike). */
interface EsdbRecordedEvent {
  streamId: string;
  id: string;
  revision: bigint;
  type: string;
  created: Date;
  data: unknown;
  metadata: unknown;
  position?: Position;
}

type ReadArgs = Parameters<StreamsClient['read']>;
type GrpcReadStream = ReturnType<StreamsClient['read']>;

/** Protected members of the client that its own `readAll` uses; we reach them the same way. */
interface ClientInternals {
  GRPCStreamCreator(
    client: typeof StreamsClient,
    debugName: string,
    creator: (client: StreamsClient) => GrpcReadStream,
  ): () => Promise<GrpcReadStream>;
  callArguments(baseOptions: object, callOptions: { deadline: number }): [NonNullable<ReadArgs[1]>, NonNullable<ReadArgs[2]>];
}

/**
 * Event store on EventStoreDB (gRPC client 6.x). Streams and expected revisions map one to one.
 *
 * - Positions: `transactionId` is the commit position and `globalPosition` the prepare position.
 *   Since ESDB 20 every event is written self-committed, so both parts are the event's own log
 *   position and they order exactly as `$all` does. An append reads its last event back (one
 *   extra read) because the position in ESDB's append answer is not reliably that event's.
 * - Idempotency is ESDB's own, by event id: a retry with the same ids and the same expected
 *   revision stores nothing and returns the original revision. With expectedRevision 'any' ESDB
 *   only promises best effort (it looks the first id up in a cache of recent writes). ESDB does not
 *   keep event ids unique across streams, so this adapter never raises DuplicateEventId.
 * - Event ids must be UUIDs for ESDB; an id that is not one is mapped to a name-based UUID (the
 *   same id always gives the same UUID, so retries stay idempotent) and the original id stays in
 *   the metadata we store.
 */
export class EventStoreDbEventStore implements EventStore {
  readonly kind = 'eventstoredb' as const;
  private readonly client: EventStoreDBClient;
  private readonly listeners = new Set<() => void>();
  /** Cleared when the server refuses a filtered read of $all (servers older than 21.10). */
  private serverSideFilter = true;

  constructor(
    connectionString: string,
    private readonly observer?: AppendObserver,
  ) {
    this.client = EventStoreDBClient.connectionString(connectionString);
  }

  /** The client connects lazily: one read proves the server answers and $all is readable. */
  async init(): Promise<void> {
    for await (const resolved of this.client.readAll({ maxCount: 1, fromPosition: START, direction: FORWARDS })) {
      void resolved;
    }
  }

  async appendToStream(
    streamId: string,
    events: readonly EventEnvelope[],
    options: AppendOptions = {},
  ): Promise<AppendResult> {
    if (events.length === 0) throw new Error('appendToStream needs at least one event');
    const expected = options.expectedRevision ?? 'any';
    const started = process.hrtime.bigint();
    const proposed = events.map((event) =>
      jsonEvent({
        id: toEsdbEventId(event.metadata.eventId),
        type: event.type,
        data: event.data as JSONType,
        metadata: event.metadata as unknown as JSONType,
      }),
    );
    let result;
    try {
      result = await this.client.appendToStream(streamId, proposed, { expectedRevision: toEsdbExpected(expected) });
    } catch (error) {
      if (error instanceof WrongExpectedVersionError) {
        const actual = error.actualVersion === NO_STREAM ? -1n : error.actualVersion;
        throw new WrongExpectedVersion(streamId, expected, actual);
      }
      throw error;
    }
    // The position in ESDB's answer is not always the last event's own: for a batch it is
    // documented as "not technically correct", and an idempotent retry may come back without one.
    // Reading the event back gives the position `$all` reports, the same on every retry.
    const position =
      (await this.positionOf(streamId, result.nextExpectedRevision)) ??
      (result.position ? toLogPosition(result.position) : START_POSITION);
    this.observer?.appended(events.length, Number(process.hrtime.bigint() - started) / 1e9);
    this.notify();
    return { nextRevision: result.nextExpectedRevision, position };
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    if (options.limit !== undefined && options.limit <= 0) return [];
    const backwards = options.direction === 'backwards';
    const events: RecordedEvent[] = [];
    try {
      const read = this.client.readStream(streamId, {
        fromRevision: options.from ?? (backwards ? END : START),
        direction: backwards ? BACKWARDS : FORWARDS,
        maxCount: options.limit ?? Number.MAX_SAFE_INTEGER,
      });
      for await (const resolved of read) {
        if (resolved.event) events.push(toRecorded(resolved.event as EsdbRecordedEvent));
      }
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw error;
    }
    return events;
  }

  /**
   * `$all` forwards, strictly after `options.after`. The server filters on the stream name (our
   * categories' `<category>-` prefixes, or every stream not starting with `$`); ESDB takes a single
   * filter per read, so `$`-typed events in user streams (tombstones, links) are dropped here. When
   * a page shrinks because of that, we read on from where the page ended rather than return early
   * with an empty page that a caller would mistake for the end of the log.
   */
  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const limit = options.limit ?? DEFAULT_READ_ALL_LIMIT;
    if (limit <= 0) return [];
    const categories = options.categories?.length ? options.categories : undefined;
    // START_POSITION means "before everything": the log's first record sits at 0/0 in ESDB.
    let cursor = options.after && comparePositions(options.after, START_POSITION) > 0 ? options.after : undefined;
    const events: RecordedEvent[] = [];
    for (;;) {
      // A read from a position includes the event at that position: ask for one more.
      const wanted = limit - events.length + (cursor ? 1 : 0);
      const page = await this.readAllPage(cursor, wanted, categories);
      let lastSeen: LogPosition | undefined;
      for (const resolved of page) {
        const event = resolved.event as EsdbRecordedEvent | undefined;
        if (!event?.position) continue;
        const position = toLogPosition(event.position);
        if (cursor && comparePositions(position, cursor) <= 0) continue;
        lastSeen = position;
        if (events.length < limit && isOurs(event, categories)) events.push(toRecorded(event));
      }
      if (events.length >= limit || page.length < wanted || !lastSeen) return events;
      cursor = lastSeen;
    }
  }

  subscribeToAll(options: SubscribeOptions = {}): AsyncIterable<RecordedEvent> {
    return pollingSubscription((o) => this.readAll(o), options, (listener) => this.onAppended(listener));
  }

  /**
   * Always -1 (unknown). ESDB keeps no event count: `$all` positions are byte offsets in the log,
   * not ordinals, and counting means reading the whole log. Callers show progress without a total.
   */
  async estimateCount(): Promise<number> {
    return -1;
  }

  onAppended(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.listeners.clear();
    await this.client.dispose();
  }

  private notify(): void {
    for (const listener of this.listeners) {
      try {
        listener();
      } catch {
        // A listener is only a nudge for local readers; the append itself succeeded.
      }
    }
  }

  /** Undefined when the server sends no position on stream reads (before 22.6). */
  private async positionOf(streamId: string, revision: bigint): Promise<LogPosition | undefined> {
    const [event] = await this.readStream(streamId, { from: revision, direction: 'backwards', limit: 1 });
    // toRecorded hands out START_POSITION itself when the server sent no position.
    return event && event.revision === revision && event.position !== START_POSITION ? event.position : undefined;
  }

  private async readAllPage(
    cursor: LogPosition | undefined,
    count: number,
    categories: readonly string[] | undefined,
  ): Promise<AllStreamResolvedEvent[]> {
    const fromPosition: ReadPosition = cursor ? { commit: cursor.transactionId, prepare: cursor.globalPosition } : START;
    if (this.serverSideFilter) {
      try {
        return await collect(this.filteredReadAll(fromPosition, count, categories));
      } catch (error) {
        if (!refusesFilteredRead(error)) throw error;
        this.serverSideFilter = false;
      }
    }
    return collect(this.client.readAll({ fromPosition, maxCount: count, direction: FORWARDS }));
  }

  /**
   * The client's `readAll` (6.2.1) always sends "no filter", although the server has accepted a
   * filter on non-subscription reads of $all since 21.10. This builds the same request as the
   * client's `readAll`, plus the filter, and sends it through the client's own channel.
   */
  private filteredReadAll(
    fromPosition: ReadPosition,
    count: number,
    categories: readonly string[] | undefined,
  ): AsyncIterable<AllStreamResolvedEvent> {
    const internals = this.client as unknown as Partial<ClientInternals>;
    if (typeof internals.GRPCStreamCreator !== 'function' || typeof internals.callArguments !== 'function') {
      throw new UnsupportedError('filtered read of $all through client internals', 'client 6.2');
    }
    const all = new ReadReq.Options.AllOptions();
    if (fromPosition === START) all.setStart(new Empty());
    else if (fromPosition === END) all.setEnd(new Empty());
    else {
      const position = new ReadReq.Options.Position();
      position.setCommitPosition(fromPosition.commit.toString(10));
      position.setPreparePosition(fromPosition.prepare.toString(10));
      all.setPosition(position);
    }
    const streamName = new ReadReq.Options.FilterOptions.Expression();
    if (categories) streamName.setPrefixList(categories.map((category) => `${category}-`));
    else streamName.setRegex('^[^$]');
    const filter = new ReadReq.Options.FilterOptions();
    filter.setStreamIdentifier(streamName);
    filter.setCount(new Empty());
    filter.setCheckpointintervalmultiplier(1);

    const uuidOption = new ReadReq.Options.UUIDOption();
    uuidOption.setString(new Empty());
    const options = new ReadReq.Options();
    options.setAll(all);
    options.setResolveLinks(false);
    options.setCount(count.toString(10));
    options.setUuidOption(uuidOption);
    options.setFilter(filter);
    options.setReadDirection(ReadReq.Options.ReadDirection.FORWARDS);
    const request = new ReadReq();
    request.setOptions(options);

    const callArguments = internals.callArguments({}, { deadline: Infinity });
    const createStream = internals.GRPCStreamCreator(StreamsClient, 'readAll', (grpc) => grpc.read(request, ...callArguments));
    return new ReadStream<AllStreamResolvedEvent>(
      createStream,
      convertGrpcEvent as unknown as (event: ReadResp.ReadEvent) => AllStreamResolvedEvent,
      {},
    );
  }
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

const GRPC_INVALID_ARGUMENT = 3;
const GRPC_UNIMPLEMENTED = 12;

/** An old server answers a filter on a plain read as an invalid combination of options. */
function refusesFilteredRead(error: unknown): boolean {
  if (error instanceof UnsupportedError || error instanceof InvalidArgumentError) return true;
  const code = (error as { code?: unknown } | null)?.code;
  return error instanceof UnknownError && (code === GRPC_INVALID_ARGUMENT || code === GRPC_UNIMPLEMENTED);
}

function toEsdbExpected(expected: ExpectedRevision): AppendExpectedRevision {
  if (expected === 'any') return ANY;
  if (expected === 'no_stream') return NO_STREAM;
  if (expected === 'stream_exists') return STREAM_EXISTS;
  return expected < 0n ? NO_STREAM : expected;
}

function toLogPosition(position: Position): LogPosition {
  return { transactionId: position.commit, globalPosition: position.prepare };
}

function isOurs(event: EsdbRecordedEvent, categories: readonly string[] | undefined): boolean {
  if (event.streamId.startsWith('$') || event.type.startsWith('$')) return false;
  return !categories || categories.includes(categoryOf(event.streamId));
}

function toRecorded(event: EsdbRecordedEvent): RecordedEvent {
  const stored = event.metadata !== null && typeof event.metadata === 'object' && !(event.metadata instanceof Uint8Array)
    ? (event.metadata as Partial<EventMetadata>)
    : {};
  const metadata = (typeof stored.eventId === 'string' ? stored : { ...stored, eventId: event.id }) as EventMetadata;
  return {
    type: event.type,
    data: event.data,
    metadata,
    streamId: event.streamId,
    revision: event.revision,
    // Servers before 22.6 send no position on stream reads; $all reads always carry one.
    position: event.position ? toLogPosition(event.position) : START_POSITION,
    recordedAt: event.created.toISOString(),
  };
}


/** ESDB event ids are UUIDs; any other id becomes a stable name-based (version 5 style) UUID. */
function toEsdbEventId(eventId: string): string {
  if (isUuid(eventId)) return eventId.toLowerCase();
  const bytes = createHash('sha1').update(`bluebird-event:${eventId}`).digest().subarray(0, 16);
  bytes[6] = (bytes[6] & 0x0f) | 0x50;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
