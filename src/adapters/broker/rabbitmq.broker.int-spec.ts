import { randomBytes, randomUUID } from 'node:crypto';
import { TEST_AMQP_URL, describeIf } from '../../../test/support/test-database';
import type { IncomingMessage, OutgoingMessage } from './broker.port';
import { RabbitMqBroker } from './rabbitmq.broker';

const message = (sentAt: number): OutgoingMessage => ({
  routingKey: 'ping.Sent',
  messageId: randomUUID(),
  type: 'Sent',
  body: Buffer.from(JSON.stringify({ sentAt })),
  headers: {},
});

describeIf(TEST_AMQP_URL, 'RabbitMQ broker test needs AMQP_URL (or TEST_AMQP_URL)')('RabbitMqBroker latency', () => {
  const namespace = `bbtest_${randomBytes(4).toString('hex')}`;
  const broker = new RabbitMqBroker(TEST_AMQP_URL!, { namespace });

  afterAll(async () => {
    await broker.close();
    await new RabbitMqBroker(TEST_AMQP_URL!, { namespace }).deleteTopology(['ping']);
  });

  // Each round trip is what a run does between its steps: a consumer acks a delivery, then a
  // publish follows. On one connection Nagle's algorithm held the publish until the server ACKed
  // the ack's packet (which it delays, having nothing to answer): a round took about 40 ms. On a
  // publishing connection of its own it takes what a quorum queue's commit takes (2 to 5 ms here).
  it('delivers a publish that follows an ack without waiting for the delayed ACK', async () => {
    await broker.connect();
    const latencies: number[] = [];
    const rounds = 25;
    const seen = new Set<string>();
    const publishes: Promise<void>[] = [];
    let finish!: () => void;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    // A publish refused on the way (the broker reconnects; the forwarder would send it again) is
    // sent again: this test measures latency, the fault tests cover losing a connection.
    const publish = () => {
      const published = broker.publish([message(Date.now())]);
      publishes.push(published);
      published.catch(() => setTimeout(publish, 50));
    };
    await broker.consume({ name: 'ping', bindings: ['ping.#'], prefetch: 1 }, async (received: IncomingMessage) => {
      if (seen.has(received.messageId)) return; // a redelivery: its round is counted
      seen.add(received.messageId);
      latencies.push(Date.now() - (JSON.parse(received.body.toString()) as { sentAt: number }).sentAt);
      if (latencies.length >= rounds) return finish();
      // After the handler resolves the ack is written; publish the next one just after it.
      setTimeout(publish, 2);
    });
    publish();
    await finished;
    await Promise.allSettled(publishes);
    const median = [...latencies].sort((a, b) => a - b)[Math.floor(rounds / 2)];
    expect(median).toBeLessThan(20);
  }, 30_000);
});
