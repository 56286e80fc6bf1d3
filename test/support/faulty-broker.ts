import type { Broker, OutgoingMessage } from '../../src/adapters/broker/broker.port';

/**
 * A real broker with a fault put into its publishing: everything goes to `inner`, and a test
 * overrides `publish` to duplicate, delay or fail what the forwarder sends.
 */
export class FaultyPublishBroker implements Broker {
  readonly kind: Broker['kind'];
  constructor(protected readonly inner: Broker) {
    this.kind = inner.kind;
  }
  connect = () => this.inner.connect();
  consume: Broker['consume'] = (queue, handler) => this.inner.consume(queue, handler);
  consumeBatches: Broker['consumeBatches'] = (queue, handler) => this.inner.consumeBatches(queue, handler);
  deleteQueues: Broker['deleteQueues'] = (names) => this.inner.deleteQueues(names);
  isConnected = () => this.inner.isConnected();
  close = () => this.inner.close();
  publish(messages: readonly OutgoingMessage[]): Promise<void> {
    return this.inner.publish(messages);
  }
}
