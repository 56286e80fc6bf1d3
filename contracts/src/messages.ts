/**
 * Message envelopes shared by the backend, the projections and the designer.
 * Commands are imperative ("RenameWorkflow"), events past tense ("WorkflowRenamed").
 * Deciders are pure: every id and every timestamp they need arrives in the metadata.
 */

/** Who asked for a change. `system` is the engine, the scheduler and other internal callers. */
export interface Actor {
  kind: 'user' | 'system' | 'anonymous';
  id: string;
  name?: string;
}

export interface MessageMetadata {
  /** Groups every message caused, directly or not, by one request. */
  correlationId: string;
  /** The message (command or event) that caused this one. */
  causationId: string;
  actor: Actor;
  workspaceId: string;
  /** ISO-8601 instant at which the message was created. */
  occurredAt: string;
}

export interface EventMetadata extends MessageMetadata {
  /** Unique id of the event; appends are idempotent by this id. */
  eventId: string;
  /** Schemas only grow; a breaking change is a new event type plus an upcaster. */
  schemaVersion: number;
}

export interface Command<TType extends string = string, TData = unknown> {
  type: TType;
  data: TData;
  metadata: MessageMetadata & { commandId: string };
}

/** An event as a decider produces it, before the store has given it a place. */
export interface EventEnvelope<TType extends string = string, TData = unknown> {
  type: TType;
  data: TData;
  metadata: EventMetadata;
}

/**
 * A position in the global log. Readers order by (transactionId, globalPosition) so that an
 * event committed late is never skipped (see DESIGN.md section 6); both parts travel together.
 */
export interface LogPosition {
  transactionId: bigint;
  globalPosition: bigint;
}

/** An event as the store returns it. */
export interface RecordedEvent<TType extends string = string, TData = unknown> extends EventEnvelope<TType, TData> {
  streamId: string;
  /** 0-based, gapless revision inside the stream. */
  revision: bigint;
  position: LogPosition;
  recordedAt: string;
}

export const START_POSITION: LogPosition = Object.freeze({ transactionId: 0n, globalPosition: 0n });

export function comparePositions(a: LogPosition, b: LogPosition): number {
  if (a.transactionId !== b.transactionId) return a.transactionId < b.transactionId ? -1 : 1;
  if (a.globalPosition !== b.globalPosition) return a.globalPosition < b.globalPosition ? -1 : 1;
  return 0;
}

/** Text form used in HTTP (`?minPosition=`), broker headers and logs: `<transactionId>.<globalPosition>`. */
export function formatPosition(p: LogPosition): string {
  return `${p.transactionId}.${p.globalPosition}`;
}

export function parsePosition(text: string): LogPosition | undefined {
  const match = /^(\d{1,20})\.(\d{1,20})$/.exec(text);
  if (!match) return undefined;
  return { transactionId: BigInt(match[1]), globalPosition: BigInt(match[2]) };
}
