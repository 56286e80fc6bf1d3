import * as amqp from 'amqplib';
import type { Socket } from 'node:net';
import {
  brokerNames,
  type BatchHandler,
  type Broker,
  type Consumer,
  type IncomingMessage,
  type MessageHandler,
  type OutgoingMessage,
  type QueueSpec,
} from './broker.port';

const DEFAULT_PREFETCH = 100;
const DEFAULT_DELIVERY_LIMIT = 5;
const MAX_RECONNECT_DELAY_MS = 5_000;

interface Subscription {
  spec: QueueSpec;
  /** Ordered queues get batches; work queues one message per call. */
  handler: { kind: 'one'; handle: MessageHandler } | { kind: 'batch'; handle: BatchHandler };
  channel?: amqp.Channel;
  consumerTag?: string;
  cancelled: boolean;
}

export interface RabbitMqOptions {
  /** Prefix of every exchange and queue name (default `bluebird`). */
  namespace?: string;
  /** Shown in the management UI and `rabbitmqctl list_connections`. */
  connectionName?: string;
  log?: (message: string) => void;
}

/**
 * RabbitMQ through amqplib. Publishes with confirms (a whole batch in flight, then one wait),
 * consumes with manual acks and a prefetch window, declares quorum queues with a delivery limit
 * and a dead-letter exchange (RabbitMQ 3.10 only honours `x-delivery-limit` on quorum queues).
 * A lost connection is re-opened with backoff and the whole topology and every consumer re-declared.
 */
export class RabbitMqBroker implements Broker {
  readonly kind = 'rabbitmq' as const;
  /** The consumers' connection. */
  private connection?: amqp.ChannelModel;
  /** Publishing has a connection of its own (see open). */
  private publishing?: amqp.ChannelModel;
  private publisher?: amqp.ConfirmChannel;
  private readonly lostPairs = new WeakSet<amqp.ChannelModel>();
  private readonly subscriptions = new Set<Subscription>();
  private connecting?: Promise<void>;
  private closed = false;
  private reconnectDelay = 200;
  private readonly names: ReturnType<typeof brokerNames>;

  constructor(
    private readonly url: string,
    private readonly options: RabbitMqOptions = {},
  ) {
    this.names = brokerNames(options.namespace);
  }

  async connect(): Promise<void> {
    this.closed = false;
    await this.ensureConnected();
  }

  isConnected(): boolean {
    return !!this.publisher && !this.closed;
  }

  async publish(messages: readonly OutgoingMessage[]): Promise<void> {
    if (messages.length === 0) return;
    await this.ensureConnected();
    const channel = this.publisher;
    if (!channel) throw new Error('RabbitMQ publisher channel is not open');
    const confirmations = messages.map(
      (m) =>
        new Promise<void>((resolve, reject) => {
          const ok = channel.publish(this.names.eventsExchange, m.routingKey, m.body, {
            messageId: m.messageId,
            type: m.type,
            headers: m.headers,
            contentType: 'application/json',
            persistent: true,
          }, (err) => (err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve()));
          void ok; // back-pressure is bounded by the caller's batch size
        }),
    );
    // A channel that dies mid-batch never calls back: race the confirms against its closing.
    let onClose: (() => void) | undefined;
    try {
      await Promise.race([
        Promise.all(confirmations),
        new Promise<never>((_, reject) => {
          onClose = () => reject(new Error('publisher channel closed'));
          channel.once('close', onClose);
        }),
      ]);
    } finally {
      if (onClose) channel.removeListener('close', onClose);
    }
  }

  async consume(spec: QueueSpec, handler: MessageHandler): Promise<Consumer> {
    if (spec.singleActiveConsumer) {
      return this.subscribe({ spec, handler: { kind: 'batch', handle: async (messages: IncomingMessage[]) => { for (const m of messages) await handler(m); } }, cancelled: false });
    }
    return this.subscribe({ spec, handler: { kind: 'one', handle: handler }, cancelled: false });
  }

  async consumeBatches(spec: QueueSpec, handler: BatchHandler): Promise<Consumer> {
    return this.subscribe({ spec, handler: { kind: 'batch', handle: handler }, cancelled: false });
  }

  private async subscribe(subscription: Subscription): Promise<Consumer> {
    this.subscriptions.add(subscription);
    await this.ensureConnected();
    if (this.connection && !subscription.channel) await this.startConsumer(this.connection, subscription);
    return {
      cancel: async () => {
        subscription.cancelled = true;
        this.subscriptions.delete(subscription);
        await subscription.channel?.close().catch(() => undefined);
      },
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const s of this.subscriptions) s.cancelled = true;
    this.subscriptions.clear();
    const connections = [this.connection, this.publishing];
    this.connection = this.publishing = undefined;
    this.publisher = undefined;
    await Promise.all(connections.map((c) => c?.close().catch(() => undefined)));
  }

  private ensureConnected(): Promise<void> {
    if (this.connection && this.publisher) return Promise.resolve();
    if (this.closed) return Promise.reject(new Error('broker closed'));
    this.connecting ??= this.open().finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  /**
   * Opens two connections: one for the consumers, one for publishing. RabbitMQ advises it (flow
   * control that throttles a publishing connection would also hold back its consumers' acks), and
   * latency needs it: Nagle's algorithm holds a small write while an earlier one awaits its TCP
   * ACK, and the server delays ACKing a bare ack frame, which it does not answer, by up to 40 ms.
   * On a shared connection a publish that followed a consumer's ack waited for that (at 20 runs/s
   * a run's p50 was 27 ms that way, 16 ms apart). Alone, a publish follows publishes, which the server answers
   * with confirms within milliseconds. Nagle stays on: it packs acks into few packets (with it off,
   * RabbitMQ spent a third more CPU per run at 150 runs/s). Either connection lost takes the other.
   */
  private async open(): Promise<void> {
    const name = this.options.connectionName ?? `bluebird-${process.pid}`;
    const connectAs = async (connectionName: string) => {
      const c = await amqp.connect(this.url, { clientProperties: { connection_name: connectionName } });
      c.on('error', () => undefined); // 'close' follows and handles it
      c.on('close', () => this.onConnectionLost(connection));
      coalesceFrameWrites(c);
      return c;
    };
    const connection: amqp.ChannelModel = await connectAs(name);
    let publishing: amqp.ChannelModel | undefined;
    try {
      publishing = await connectAs(`${name}-publishing`);
      const publisher = await publishing.createConfirmChannel();
      publisher.on('error', () => undefined);
      await this.declareTopology(publisher);
      this.connection = connection;
      this.publishing = publishing;
      this.publisher = publisher;
      this.reconnectDelay = 200;
      for (const subscription of this.subscriptions) await this.startConsumer(connection, subscription);
    } catch (error) {
      await Promise.all([connection, publishing].map((c) => c?.close().catch(() => undefined)));
      throw error;
    }
  }

  /** `connection` names the pair (the consumers' one): its second close, or a stale pair's, changes nothing. */
  private onConnectionLost(connection: amqp.ChannelModel): void {
    if (this.lostPairs.has(connection) || (this.connection !== connection && this.connection !== undefined)) return;
    this.lostPairs.add(connection);
    const publishing = this.publishing;
    this.connection = this.publishing = undefined;
    this.publisher = undefined;
    for (const s of this.subscriptions) s.channel = undefined;
    connection.close().catch(() => undefined);
    publishing?.close().catch(() => undefined);
    if (this.closed) return;
    this.options.log?.('RabbitMQ connection lost; reconnecting');
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    const delay = this.reconnectDelay;
    this.reconnectDelay = Math.min(this.reconnectDelay * 2, MAX_RECONNECT_DELAY_MS);
    setTimeout(() => {
      if (this.closed || this.connection) return;
      this.ensureConnected().then(
        () => this.options.log?.('RabbitMQ reconnected'),
        () => this.scheduleReconnect(),
      );
    }, delay).unref();
  }

  private async startConsumer(connection: amqp.ChannelModel, subscription: Subscription): Promise<void> {
    const { spec } = subscription;
    const channel = await connection.createChannel();
    channel.on('error', () => undefined);
    await this.declareQueue(channel, spec);
    await channel.prefetch(spec.prefetch ?? DEFAULT_PREFETCH);
    subscription.channel = channel;
    const queue = this.names.queue(spec.name);
    const { handler } = subscription;
    if (handler.kind === 'one') {
      // A work queue: every delivery is handled at once (prefetch bounds how many are in flight).
      const { consumerTag } = await channel.consume(queue, (raw) => {
        if (!raw) return; // cancelled by the server; the connection handler re-subscribes
        void this.deliver(channel, subscription, [raw], (messages: IncomingMessage[]) => handler.handle(messages[0]));
      });
      subscription.consumerTag = consumerTag;
      return;
    }
    // An ordered queue: deliveries wait in arrival order; each turn hands over all that are waiting.
    const waiting: amqp.ConsumeMessage[] = [];
    let pumping = false;
    const pump = async () => {
      if (pumping) return;
      pumping = true;
      try {
        while (waiting.length > 0) {
          const batch = waiting.splice(0, waiting.length);
          await this.deliver(channel, subscription, batch, handler.handle);
        }
      } finally {
        pumping = false;
      }
    };
    const { consumerTag } = await channel.consume(queue, (raw) => {
      if (!raw) return;
      waiting.push(raw);
      void pump();
    });
    subscription.consumerTag = consumerTag;
  }

  private async deliver(channel: amqp.Channel, subscription: Subscription, raws: amqp.ConsumeMessage[], handle: BatchHandler): Promise<void> {
    if (subscription.cancelled || subscription.channel !== channel) return; // the server requeues them
    const messages: IncomingMessage[] = raws.map((raw) => ({
      routingKey: raw.fields.routingKey,
      messageId: String(raw.properties.messageId ?? ''),
      type: String(raw.properties.type ?? ''),
      body: raw.content,
      headers: stringHeaders(raw.properties.headers),
      redelivered: raw.fields.redelivered,
    }));
    // An ordered batch holds every delivery of its channel not yet settled, in order: one frame
    // settles them all ("up to this tag"). Work-queue deliveries finish in any order: one each.
    const whole = subscription.handler.kind === 'batch' && raws.length > 1;
    try {
      await handle(messages);
      if (whole) channel.ack(raws[raws.length - 1], true);
      else for (const raw of raws) channel.ack(raw);
    } catch {
      try {
        if (whole) channel.nack(raws[raws.length - 1], true, true);
        else for (const raw of raws) channel.nack(raw, false, true);
      } catch {
        /* channel already gone: the server requeues unacked messages */
      }
    }
  }

  private async declareTopology(channel: amqp.Channel): Promise<void> {
    const { eventsExchange, deadLetterExchange, deadLetterQueue } = this.names;
    await channel.assertExchange(eventsExchange, 'topic', { durable: true });
    await channel.assertExchange(deadLetterExchange, 'fanout', { durable: true });
    await channel.assertQueue(deadLetterQueue, { durable: true });
    await channel.bindQueue(deadLetterQueue, deadLetterExchange, '');
  }

  private async declareQueue(channel: amqp.Channel, spec: QueueSpec): Promise<void> {
    await this.declareTopology(channel);
    const queue = this.names.queue(spec.name);
    await channel.assertQueue(queue, {
      durable: true,
      arguments: {
        'x-queue-type': 'quorum',
        'x-delivery-limit': spec.deliveryLimit ?? DEFAULT_DELIVERY_LIMIT,
        'x-dead-letter-exchange': this.names.deadLetterExchange,
        'x-single-active-consumer': spec.singleActiveConsumer ?? false,
      },
    });
    for (const pattern of spec.bindings) await channel.bindQueue(queue, this.names.eventsExchange, pattern);
  }

  async deleteQueues(names: readonly string[]): Promise<void> {
    if (names.length === 0) return;
    await this.ensureConnected();
    const channel = await this.connection!.createChannel();
    channel.on('error', () => undefined);
    try {
      for (const name of names) await channel.deleteQueue(this.names.queue(name));
    } finally {
      await channel.close().catch(() => undefined);
    }
  }

  /** Deletes the namespace's exchanges and the given queues (tests clean up after themselves). */
  async deleteTopology(queueNames: readonly string[]): Promise<void> {
    const connection = await amqp.connect(this.url);
    try {
      const channel = await connection.createChannel();
      for (const name of queueNames) await channel.deleteQueue(this.names.queue(name));
      await channel.deleteQueue(this.names.deadLetterQueue);
      await channel.deleteExchange(this.names.eventsExchange);
      await channel.deleteExchange(this.names.deadLetterExchange);
    } finally {
      await connection.close().catch(() => undefined);
    }
  }
}

function stringHeaders(headers: Record<string, unknown> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) {
    if (v === undefined || v === null) continue;
    out[k] = Buffer.isBuffer(v) ? v.toString() : String(v);
  }
  return out;
}

/**
 * amqplib hands the socket one write per frame set: a batch of 500 publishes, or the acks of a
 * batch, costs 500 system calls, and on loopback each one also runs the receiving side's network
 * stack. Corking the socket while its multiplexer drains the channels' buffers sends everything
 * ready in one writev. Reaches into amqplib 0.10's Connection (`muxer`, `stream`); a version
 * without them keeps its own behaviour.
 */
function coalesceFrameWrites(model: amqp.ChannelModel): void {
  const connection = (model as unknown as { connection?: { muxer?: { _readIncoming?: () => void }; stream?: Socket } }).connection;
  const muxer = connection?.muxer;
  const socket = connection?.stream;
  const drain = muxer?._readIncoming;
  if (!muxer || !drain || typeof socket?.cork !== 'function' || typeof socket.uncork !== 'function') return;
  muxer._readIncoming = function (this: unknown) {
    socket.cork();
    try {
      drain.call(this);
    } finally {
      socket.uncork();
    }
  };
}
