import type { LogPosition, RecordedEvent } from '@contracts';
import { categoryOf, formatPosition, parsePosition, routingKeyOf } from '@contracts';
import type { IncomingMessage, OutgoingMessage } from './broker.port';

/**
 * How a recorded event travels on the broker. Besides the event, a message carries `prev`: the
 * position of the previous event of the same category in the log. A consumer whose checkpoint is
 * not `prev` knows it missed something (or got it out of order) and catches up from the store.
 */
export interface EventMessage {
  event: RecordedEvent;
  prev: LogPosition;
}

interface WireEvent extends Omit<RecordedEvent, 'revision' | 'position'> {
  revision: string;
  position: string;
}

/**
 * Routing-key suffix of a StepScheduled whose outcome follows it in the same batch read from the log:
 * the engine's pure steps run in the append that schedules them. Bindings of `execution.#` (the
 * projections) still get it; the steps work queue, bound to `execution.StepScheduled` only, does not
 * (the engine would read the run, find the attempt finished and drop it).
 */
const SETTLED_SUFFIX = '.settled';

const OUTCOMES = new Set(['StepSucceeded', 'StepFailed', 'StepTimedOut']);

/** The StepScheduled events of `events` (in log order) whose attempt has its outcome later in `events`. */
export function settledSchedules(events: readonly RecordedEvent[]): Set<RecordedEvent> {
  const settled = new Set<RecordedEvent>();
  const open = new Map<string, RecordedEvent>();
  for (const event of events) {
    const scheduledId = (event.data as { scheduledId?: unknown } | null)?.scheduledId;
    if (typeof scheduledId !== 'string') continue;
    const key = `${event.streamId}/${scheduledId}`;
    if (event.type === 'StepScheduled') open.set(key, event);
    else if (OUTCOMES.has(event.type) && open.has(key)) settled.add(open.get(key)!);
  }
  return settled;
}

export function encodeEventMessage(event: RecordedEvent, prev: LogPosition, settled = false): OutgoingMessage {
  const wire: WireEvent = { ...event, revision: event.revision.toString(), position: formatPosition(event.position) };
  return {
    routingKey: routingKeyOf(event.streamId, event.type) + (settled ? SETTLED_SUFFIX : ''),
    messageId: event.metadata.eventId,
    type: event.type,
    body: Buffer.from(JSON.stringify(wire)),
    headers: {
      position: formatPosition(event.position),
      prev: formatPosition(prev),
      category: categoryOf(event.streamId),
      streamId: event.streamId,
      correlationId: event.metadata.correlationId,
    },
  };
}

export function decodeEventMessage(message: IncomingMessage): EventMessage {
  const wire = JSON.parse(message.body.toString('utf8')) as WireEvent;
  const position = parsePosition(wire.position);
  const prev = parsePosition(message.headers.prev ?? '');
  if (!position || !prev) throw new Error(`malformed event message ${message.messageId}`);
  return { event: { ...wire, revision: BigInt(wire.revision), position }, prev };
}
