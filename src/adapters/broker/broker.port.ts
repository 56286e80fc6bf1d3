/**
 * The broker port. Domain events travel on the topic exchange `bluebird.events` with routing key
 * `<category>.<EventType>`; each consumer has its own durable queue. Delivery is at-least-once:
 * a handler that resolves acks, one that throws hands the message back (and after the delivery
 * limit it goes to the dead-letter queue), so every consumer must dedupe.
 */
export const DEFAULT_BROKER_NAMESPACE = 'bluebird';

/**
 * Names on the broker, under a namespace (default `bluebird`): the exchange `bluebird.events`,
 * queues `bluebird.<queue>`. Separate namespaces let test runs share one RabbitMQ.
 */
export const brokerNames = (namespace = DEFAULT_BROKER_NAMESPACE) => ({
  eventsExchange: `${namespace}.events`,
  deadLetterExchange: `${namespace}.dead-letter`,
  deadLetterQueue: `${namespace}.dead-letter`,
  queue: (name: string) => `${namespace}.${name}`,
});

export interface OutgoingMessage {
  routingKey: string;
  /** Unique id (the event id); lets consumers and the broker spot duplicates. */
  messageId: string;
  type: string;
  body: Buffer;
  headers: Record<string, string>;
}

export interface IncomingMessage {
  routingKey: string;
  messageId: string;
  type: string;
  body: Buffer;
  headers: Record<string, string>;
  redelivered: boolean;
}

export interface QueueSpec {
  /** Without the namespace, e.g. `projection.workflow_summary`. */
  name: string;
  /** Topic patterns bound to the events exchange, e.g. `workflow.#`. */
  bindings: readonly string[];
  /** Unacknowledged messages in flight per consumer. */
  prefetch?: number;
  /** Deliveries before a message is dead-lettered. */
  deliveryLimit?: number;
  /** Only one consumer at a time receives (ordered projections); others stand by. */
  singleActiveConsumer?: boolean;
}

export type MessageHandler = (message: IncomingMessage) => Promise<void>;
/** Handles the messages that arrived together, in delivery order; resolving acks them all, throwing hands them all back. */
export type BatchHandler = (messages: IncomingMessage[]) => Promise<void>;

export interface Consumer {
  cancel(): Promise<void>;
}

export interface Broker {
  readonly kind: 'rabbitmq' | 'in-process';
  connect(): Promise<void>;
  /** Resolves once the broker has confirmed every message (publisher confirms). */
  publish(messages: readonly OutgoingMessage[]): Promise<void>;
  /**
   * One message at a time, in delivery order, on a queue with a single active consumer; up to
   * `prefetch` at once, in no particular order, on a work queue (competing consumers).
   */
  consume(queue: QueueSpec, handler: MessageHandler): Promise<Consumer>;
  /**
   * Ordered consumption in batches: every message already delivered and waiting (up to
   * `prefetch`) is handed over at once, so a projector writes one transaction per batch.
   */
  consumeBatches(queue: QueueSpec, handler: BatchHandler): Promise<Consumer>;
  /** Deletes queues no consumer uses any more, with what they hold; a queue not there is fine. */
  deleteQueues(names: readonly string[]): Promise<void>;
  isConnected(): boolean;
  close(): Promise<void>;
}
