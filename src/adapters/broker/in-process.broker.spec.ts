import type { IncomingMessage, OutgoingMessage, QueueSpec } from './broker.port';
import { InProcessBroker } from './in-process.broker';

const message = (routingKey: string, id: string): OutgoingMessage => ({
  routingKey,
  messageId: id,
  type: routingKey.split('.').pop() ?? routingKey,
  body: Buffer.from(JSON.stringify({ id })),
  headers: { position: id },
});

/** Polls until `done()` holds; fails with `what` after a while. */
async function eventually(done: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const settle = (ms = 100) => new Promise((r) => setTimeout(r, ms));

/** A consumer that records what it received. */
function recorder() {
  const received: IncomingMessage[] = [];
  return {
    received,
    ids: () => received.map((m) => m.messageId),
    handler: async (m: IncomingMessage) => {
      received.push(m);
    },
  };
}

describe('InProcessBroker', () => {
  let broker: InProcessBroker;

  beforeEach(async () => {
    broker = new InProcessBroker();
    await broker.connect();
  });
  afterEach(async () => broker.close());

  it('given queues bound to different patterns, when messages are published, then each queue gets every message its bindings match', async () => {
    const workflows = recorder();
    const everything = recorder();
    const executions = recorder();
    await broker.consume({ name: 'workflows', bindings: ['workflow.#'] }, workflows.handler);
    await broker.consume({ name: 'everything', bindings: ['#'] }, everything.handler);
    await broker.consume({ name: 'executions', bindings: ['execution.StepStarted', 'execution.StepSucceeded'] }, executions.handler);

    await broker.publish([
      message('workflow.WorkflowCreated', 'm1'),
      message('execution.StepStarted', 'm2'),
      message('execution.StepFailed', 'm3'),
      message('execution.StepSucceeded', 'm4'),
    ]);

    await eventually(() => everything.received.length === 4, 'the catch-all queue');
    await settle();
    expect(workflows.ids()).toEqual(['m1']);
    expect(executions.ids()).toEqual(['m2', 'm4']);
    expect(everything.ids()).toEqual(['m1', 'm2', 'm3', 'm4']);
    expect(everything.received[0]).toMatchObject({
      routingKey: 'workflow.WorkflowCreated',
      type: 'WorkflowCreated',
      headers: { position: 'm1' },
      redelivered: false,
    });
    expect(JSON.parse(everything.received[0].body.toString())).toEqual({ id: 'm1' });
  });

  it('given a message matched by two bindings of one queue, when published, then the queue gets it once', async () => {
    const consumer = recorder();
    await broker.consume({ name: 'q', bindings: ['workflow.#', 'workflow.WorkflowCreated'] }, consumer.handler);
    await broker.publish([message('workflow.WorkflowCreated', 'm1')]);
    await eventually(() => consumer.received.length === 1, 'the message');
    await settle();
    expect(consumer.ids()).toEqual(['m1']);
  });

  it('given a slow handler, when many messages are published in several calls, then one queue receives them one at a time, in order', async () => {
    const seen: string[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    await broker.consume({ name: 'ordered', bindings: ['workflow.#'] }, async (m) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((r) => setTimeout(r, Math.random() * 3));
      seen.push(m.messageId);
      inFlight--;
    });
    const ids = Array.from({ length: 30 }, (_, i) => `m${i}`);
    await broker.publish(ids.slice(0, 10).map((id) => message('workflow.WorkflowRenamed', id)));
    await broker.publish(ids.slice(10, 20).map((id) => message('workflow.WorkflowRenamed', id)));
    await new Promise((r) => setTimeout(r, 5));
    await broker.publish(ids.slice(20).map((id) => message('workflow.WorkflowRenamed', id)));

    await eventually(() => seen.length === 30, 'all 30 messages');
    expect(seen).toEqual(ids);
    expect(maxInFlight).toBe(1);
  });

  it('given a handler that throws once, when the message arrives, then it is redelivered (flagged) before the next message', async () => {
    const deliveries: { id: string; redelivered: boolean }[] = [];
    let failedOnce = false;
    await broker.consume({ name: 'flaky', bindings: ['#'] }, async (m) => {
      deliveries.push({ id: m.messageId, redelivered: m.redelivered });
      if (m.messageId === 'm1' && !failedOnce) {
        failedOnce = true;
        throw new Error('projection hiccup');
      }
    });
    await broker.publish([message('workflow.WorkflowCreated', 'm1'), message('workflow.WorkflowRenamed', 'm2')]);

    await eventually(() => deliveries.length === 3, 'three deliveries');
    expect(deliveries).toEqual([
      { id: 'm1', redelivered: false },
      { id: 'm1', redelivered: true },
      { id: 'm2', redelivered: false },
    ]);
    expect(broker.deadLetters).toEqual([]);
  });

  it('given a handler that always fails on one message, when it reaches the delivery limit, then the message is dead-lettered and the next one is delivered', async () => {
    const attempts: string[] = [];
    const handled: string[] = [];
    const poison = message('workflow.WorkflowCreated', 'poison');
    await broker.consume({ name: 'strict', bindings: ['#'], deliveryLimit: 3 }, async (m) => {
      attempts.push(m.messageId);
      if (m.messageId === 'poison') throw new Error('cannot apply');
      handled.push(m.messageId);
    });
    await broker.publish([poison, message('workflow.WorkflowRenamed', 'm2')]);

    await eventually(() => handled.length === 1, 'the message after the poison one');
    expect(attempts).toEqual(['poison', 'poison', 'poison', 'm2']);
    expect(handled).toEqual(['m2']);
    expect(broker.deadLetters).toEqual([poison]);
  });

  it('given a queue declared before anyone consumes, when messages are published, then a later consumer receives them in order', async () => {
    const spec: QueueSpec = { name: 'late', bindings: ['workflow.#'] };
    broker.declare(spec);
    await broker.publish([message('workflow.WorkflowCreated', 'm1'), message('workflow.WorkflowRenamed', 'm2')]);
    await settle(20);

    const consumer = recorder();
    await broker.consume(spec, consumer.handler);
    await eventually(() => consumer.received.length === 2, 'the two kept messages');
    expect(consumer.ids()).toEqual(['m1', 'm2']);
  });

  it('given no queue bound yet, when a message is published, then it is not kept for a consumer that comes later', async () => {
    await broker.publish([message('workflow.WorkflowCreated', 'lost')]);
    const consumer = recorder();
    await broker.consume({ name: 'after', bindings: ['#'] }, consumer.handler);
    await broker.publish([message('workflow.WorkflowRenamed', 'm2')]);
    await eventually(() => consumer.received.length >= 1, 'the message published after subscribing');
    await settle();
    expect(consumer.ids()).toEqual(['m2']);
  });

  it('given a cancelled consumer, when more messages are published, then it receives nothing and a new consumer gets them', async () => {
    const first = recorder();
    const consumer = await broker.consume({ name: 'cancellable', bindings: ['#'] }, first.handler);
    await broker.publish([message('workflow.WorkflowCreated', 'm1')]);
    await eventually(() => first.received.length === 1, 'the first message');

    await consumer.cancel();
    await broker.publish([message('workflow.WorkflowRenamed', 'm2'), message('workflow.WorkflowArchived', 'm3')]);
    await settle();
    expect(first.ids()).toEqual(['m1']);

    const second = recorder();
    await broker.consume({ name: 'cancellable', bindings: ['#'] }, second.handler);
    await eventually(() => second.received.length === 2, 'the messages kept while nobody consumed');
    expect(second.ids()).toEqual(['m2', 'm3']);
    expect(first.ids()).toEqual(['m1']);
  });

  it('given a closed broker, when something is published, then it refuses', async () => {
    await broker.close();
    expect(broker.isConnected()).toBe(false);
    await expect(broker.publish([message('workflow.WorkflowCreated', 'm1')])).rejects.toThrow('broker closed');
  });
});
