import type { BatchHandler, Broker, Consumer, IncomingMessage, MessageHandler, OutgoingMessage, QueueSpec } from './broker.port';
import { topicMatches } from './topic-pattern';

interface LocalQueue {
  spec: QueueSpec;
  pending: { message: OutgoingMessage; deliveries: number }[];
  handler?: MessageHandler;
  /** Set instead of `handler` by consumeBatches: everything pending (up to prefetch) at once. */
  batchHandler?: BatchHandler;
  draining: boolean;
  /** Deliveries in flight (work queues only). */
  inFlight: number;
}

const DEFAULT_DELIVERY_LIMIT = 5;
const REDELIVERY_DELAY_MS = 50;

/**
 * The embedded mode's broker: same semantics as the RabbitMQ adapter inside one process (topic
 * routing, per-queue ordering, redelivery on failure, a delivery limit), nothing durable: the
 * forwarder's checkpoint and the projectors' catch-up from the store cover a restart.
 */
export class InProcessBroker implements Broker {
  readonly kind = 'in-process' as const;
  private readonly queues = new Map<string, LocalQueue>();
  readonly deadLetters: OutgoingMessage[] = [];
  private closed = false;

  async connect(): Promise<void> {
    this.closed = false;
  }

  async publish(messages: readonly OutgoingMessage[]): Promise<void> {
    if (this.closed) throw new Error('broker closed');
    for (const message of messages) {
      for (const queue of this.queues.values()) {
        if (queue.spec.bindings.some((b) => topicMatches(b, message.routingKey))) {
          queue.pending.push({ message, deliveries: 0 });
          this.drain(queue);
        }
      }
    }
  }

  async consumeBatches(spec: QueueSpec, handler: BatchHandler): Promise<Consumer> {
    const queue = this.declare(spec);
    queue.batchHandler = handler;
    this.drain(queue);
    return {
      cancel: async () => {
        if (queue.batchHandler === handler) queue.batchHandler = undefined;
      },
    };
  }

  async consume(spec: QueueSpec, handler: MessageHandler): Promise<Consumer> {
    const queue = this.declare(spec);
    queue.handler = handler;
    this.drain(queue);
    return {
      cancel: async () => {
        if (queue.handler === handler) queue.handler = undefined;
      },
    };
  }

  /** Declaring without consuming keeps messages for a consumer that comes later (as RabbitMQ does). */
  declare(spec: QueueSpec): LocalQueue {
    let queue = this.queues.get(spec.name);
    if (!queue) {
      queue = { spec, pending: [], draining: false, inFlight: 0 };
      this.queues.set(spec.name, queue);
    }
    return queue;
  }

  async deleteQueues(names: readonly string[]): Promise<void> {
    for (const name of names) this.queues.delete(name);
  }

  isConnected(): boolean {
    return !this.closed;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const queue of this.queues.values()) {
      queue.handler = undefined;
      queue.batchHandler = undefined;
    }
  }

  /**
   * One message at a time per queue, in order; a failure retries the same message first. A work
   * queue (prefetch over 1, no single active consumer: competing consumers on RabbitMQ) delivers
   * up to `prefetch` messages at once instead, in no particular order, as RabbitMQ would.
   */
  private drain(queue: LocalQueue): void {
    if ((queue.spec.prefetch ?? 1) > 1 && !queue.spec.singleActiveConsumer) return this.drainConcurrently(queue);
    if (queue.draining) return;
    queue.draining = true;
    setImmediate(async () => {
      try {
        for (;;) {
          const deliver = this.orderedHandlerOf(queue);
          if (!deliver || queue.pending.length === 0 || this.closed) break;
          const batch = queue.pending.slice(0, queue.batchHandler ? (queue.spec.prefetch ?? 1) : 1);
          for (const entry of batch) entry.deliveries++;
          try {
            await deliver(batch.map((entry) => ({ ...entry.message, redelivered: entry.deliveries > 1 })));
            queue.pending.splice(0, batch.length);
          } catch {
            if (batch[0].deliveries >= (queue.spec.deliveryLimit ?? DEFAULT_DELIVERY_LIMIT)) {
              queue.pending.shift();
              this.deadLetters.push(batch[0].message);
            } else {
              await new Promise((r) => setTimeout(r, REDELIVERY_DELAY_MS));
            }
          }
        }
      } finally {
        queue.draining = false;
        if (this.orderedHandlerOf(queue) && queue.pending.length > 0 && !this.closed) this.drain(queue);
      }
    });
  }

  private orderedHandlerOf(queue: LocalQueue): BatchHandler | undefined {
    if (queue.batchHandler) return queue.batchHandler;
    const handler = queue.handler;
    return handler ? (messages) => handler(messages[0]) : undefined;
  }

  private drainConcurrently(queue: LocalQueue): void {
    const limit = queue.spec.prefetch ?? 1;
    while (queue.handler && queue.pending.length > 0 && queue.inFlight < limit && !this.closed) {
      const entry = queue.pending.shift()!;
      const handler = queue.handler;
      entry.deliveries++;
      queue.inFlight++;
      const incoming: IncomingMessage = { ...entry.message, redelivered: entry.deliveries > 1 };
      setImmediate(() => {
        handler(incoming)
          .catch(async () => {
            if (entry.deliveries >= (queue.spec.deliveryLimit ?? DEFAULT_DELIVERY_LIMIT)) {
              this.deadLetters.push(entry.message);
              return;
            }
            await new Promise((r) => setTimeout(r, REDELIVERY_DELAY_MS));
            queue.pending.push(entry);
          })
          .finally(() => {
            queue.inFlight--;
            this.drainConcurrently(queue);
          });
      });
    }
  }
}
