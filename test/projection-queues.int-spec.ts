import { randomUUID } from 'node:crypto';
import * as amqp from 'amqplib';
import { START_POSITION, workflowStream, type LogPosition, type RecordedEvent } from '@contracts';
import { openInfrastructure, type Infrastructure } from '../src/infrastructure';
import type { IncomingMessage } from '../src/adapters/broker/broker.port';
import { encodeEventMessage } from '../src/adapters/broker/event-message';
import { handleCommand } from '../src/commands/handle-command';
import { workflowDecider } from '../src/domain/workflow/workflow.decider';
import { ProjectionRunner } from '../projections/runner';
import { allProjectors, projectionQueueName, RETIRED_PROJECTION_QUEUES, type Projector } from '../projections';
import { cleanUpServers, testConfig } from './support/test-app';
import { describeIf, TEST_AMQP_URL } from './support/test-database';

/**
 * Projectors that name one queue (the execution read models) share its deliveries: one message
 * reaches all of them, and they apply it in one transaction, each from its own checkpoint.
 */
describe('projectors sharing a queue', () => {
  const config = testConfig();
  let infra: Infrastructure;

  beforeAll(async () => {
    infra = await openInfrastructure(config, { processName: 'queues-test' });
  });
  afterAll(async () => {
    await infra?.close();
    await cleanUpServers(config);
  });

  const checkpointOf = async (projection: string): Promise<string | undefined> => {
    const row = await infra.database.db.selectFrom('projection_checkpoint').select('global_position').where('projection', '=', projection).where('category', '=', 'workflow').executeTakeFirst();
    return row ? String(row.global_position) : undefined; // PGlite gives int8 as a number
  };

  async function appendWorkflowEvent(): Promise<RecordedEvent> {
    const workflowId = randomUUID();
    const commandId = randomUUID();
    await handleCommand(infra.store, workflowDecider, workflowStream(workflowId), {
      type: 'CreateWorkflow',
      data: { workflowId, name: 'Shared queue probe' },
      metadata: { commandId, correlationId: commandId, causationId: commandId, actor: { kind: 'system', id: 't' }, workspaceId: randomUUID(), occurredAt: new Date().toISOString() },
    });
    const [event] = await infra.store.readStream(workflowStream(workflowId));
    return event;
  }
  const delivery = (event: RecordedEvent, prev: LogPosition): IncomingMessage => ({ ...encodeEventMessage(event, prev), redelivered: false });

  function probe(name: string, fail: { next: boolean } = { next: false }) {
    const applied: string[] = [];
    const projector: Projector = {
      name,
      queue: 'shared_probe',
      categories: ['workflow'],
      tables: [],
      async apply(_trx, events) {
        if (fail.next) {
          fail.next = false;
          throw new Error(`${name} refuses this batch`);
        }
        applied.push(...events.map((e) => e.metadata.eventId));
      },
    };
    return { projector, applied };
  }

  it('the execution projectors name one queue; the others keep a queue each', () => {
    const queues = new Map<string, string[]>();
    for (const p of allProjectors) queues.set(projectionQueueName(p), [...(queues.get(projectionQueueName(p)) ?? []), p.name]);
    expect(queues.get('projection.execution')?.sort()).toEqual(['approval', 'execution', 'execution_timer']);
    for (const [queue, names] of queues) if (queue !== 'projection.execution') expect(names).toEqual([queue.slice('projection.'.length)]);
  });

  it('one projector failing rolls back what the others applied of the same delivery; delivered again, all apply it once', async () => {
    const runner = new ProjectionRunner(infra.database.db, infra.store, infra.broker, []);
    const first = probe('probe_first');
    const fail = { next: true };
    const second = probe('probe_second', fail);
    const event = await appendWorkflowEvent();
    const message = delivery(event, START_POSITION);
    const before = await checkpointOf('probe_first');

    await expect(runner.onMessages([first.projector, second.projector], [message])).rejects.toThrow('probe_second refuses this batch');
    expect(await checkpointOf('probe_first')).toBe(before); // its apply ran, and was rolled back with the failure

    await runner.onMessages([first.projector, second.projector], [message]);
    await runner.onMessages([first.projector, second.projector], [message]); // a duplicate delivery
    expect(await checkpointOf('probe_first')).toBe(event.position.globalPosition.toString());
    expect(await checkpointOf('probe_second')).toBe(event.position.globalPosition.toString());
    expect(second.applied).toEqual([event.metadata.eventId]);
    expect(first.applied.filter((id) => id === event.metadata.eventId)).toHaveLength(2); // once rolled back, once kept
  });

  it('each projector of the queue goes on from its own checkpoint', async () => {
    const runner = new ProjectionRunner(infra.database.db, infra.store, infra.broker, []);
    const ahead = probe('probe_ahead');
    const behind = probe('probe_behind');
    const one = await appendWorkflowEvent();
    const two = await appendWorkflowEvent();
    await runner.onMessages([ahead.projector, behind.projector], [delivery(one, START_POSITION)]);
    await runner.onMessages([ahead.projector], [delivery(two, one.position)]); // only one of them saw it

    await runner.onMessages([ahead.projector, behind.projector], [delivery(two, one.position)]);
    expect(ahead.applied).toEqual([one.metadata.eventId, two.metadata.eventId]);
    expect(behind.applied).toEqual([one.metadata.eventId, two.metadata.eventId]);
    expect(await checkpointOf('probe_behind')).toBe(two.position.globalPosition.toString());
  });

  describeIf(config.amqpUrl, 'the retired queues are RabbitMQ queues (AMQP_URL)')('on RabbitMQ', () => {
    it('binds one queue for the execution projectors and deletes the retired queues with what they held', async () => {
      const connection = await amqp.connect(TEST_AMQP_URL!);
      const queue = (name: string) => `${config.brokerNamespace}.${name}`;
      const exists = async (name: string) => {
        const channel = await connection.createChannel();
        channel.on('error', () => undefined);
        try {
          return (await channel.checkQueue(queue(name))).consumerCount;
        } catch {
          return undefined; // 404: not there (the channel closes)
        }
      };
      const runner = new ProjectionRunner(infra.database.db, infra.store, infra.broker, allProjectors);
      try {
        const setup = await connection.createChannel();
        for (const retired of RETIRED_PROJECTION_QUEUES) {
          await setup.assertQueue(queue(retired), { durable: true });
          setup.sendToQueue(queue(retired), Buffer.from('left by an older version'));
        }
        await setup.close();
        expect(await exists(RETIRED_PROJECTION_QUEUES[0])).toBe(0);

        await runner.start();
        for (const retired of RETIRED_PROJECTION_QUEUES) expect(await exists(retired)).toBeUndefined();
        expect(await exists('projection.execution')).toBe(1);
      } finally {
        await runner.stop();
        await connection.close();
      }
    });
  });
});
