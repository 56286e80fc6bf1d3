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

export function encodeEventMessage(event: RecordedEvent, prev: LogPosition): OutgoingMessage {
  const wire: WireEvent = { ...event, revision: event.revision.toString(), position: formatPosition(event.position) };
  return {
    routingKey: routingKeyOf(event.streamId, event.type),
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
