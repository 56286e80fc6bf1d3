import type { Command, EventEnvelope } from '@contracts';

/** An event as a decider returns it; the command handler adds ids and metadata. */
export interface DecidedEvent<TType extends string = string, TData = unknown> {
  type: TType;
  data: TData;
}

/** The decided form of a union of event envelopes (contracts define events; deciders return these). */
export type DecidedOf<E> = E extends EventEnvelope<infer T, infer D> ? DecidedEvent<T, D> : never;

/**
 * A pure decider (after emmett and Jérémie Chassaing): state is a fold of past events, and
 * `decide` turns a command and the state into new events or a DomainError. No I/O, no clock,
 * no random ids: whatever it needs comes in the command.
 */
export interface Decider<C extends Command, E extends DecidedEvent, S> {
  initialState: () => S;
  evolve: (state: S, event: E) => S;
  decide: (command: C, state: S) => E[];
  /**
   * The events decided for one write (a command and its follow-ups), recorded as fewer where one
   * event can stand for several: folding the answer must give the state folding them all gives.
   * Optional; events are what a stream's cost is counted in (each is appended, forwarded, projected).
   */
  compact?: (events: readonly EventEnvelope[]) => EventEnvelope[];
}

export type DomainErrorKind = 'not_found' | 'conflict' | 'rule_violated';

/** A broken business rule. `code` is stable: clients and tests match on it. */
export class DomainError extends Error {
  constructor(
    readonly kind: DomainErrorKind,
    readonly code: string,
    message: string,
    /** Extra detail for the client (e.g. the validation issues that block a publish). */
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export function assertNever(value: never): never {
  throw new Error(`Unhandled case: ${JSON.stringify(value)}`);
}
