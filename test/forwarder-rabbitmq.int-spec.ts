import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { RecordedEvent, WorkflowCommand } from '@contracts';
import { workflowStream } from '@contracts';
import { openInfrastructure, type Infrastructure } from '../src/infrastructure';
import { Forwarder } from '../src/adapters/broker/forwarder';
import { createLeaderLock } from '../src/adapters/database/leader-lock';
import type { OutgoingMessage } from '../src/adapters/broker/broker.port';
import { FaultyPublishBroker } from './support/faulty-broker';
import { handleCommand } from '../src/commands/handle-command';
import { workflowDecider } from '../src/domain/workflow/workflow.decider';
import { ProjectionRunner } from '../projections/runner';
import { workflowSummaryProjector } from '../projections/workflow-summary/workflow-summary.projector';
import { projectionQueueName, type Projector } from '../projections/projector';
import { TEST_AMQP_URL, describeIf } from './support/test-database';
import { cleanUpServers, testConfig } from './support/test-app';
import { closeConnectionsNamed } from './support/rabbitmqctl';

/** Publishes every third message twice: the broker's at-least-once delivery, made frequent. */
class DuplicatingBroker extends FaultyPublishBroker {
  duplicated = 0;
  async publish(messages: readonly OutgoingMessage[]): Promise<void> {
    const doubled: OutgoingMessage[] = [];
    messages.forEach((m, i) => {
      doubled.push(m);
      if (i % 3 === 0) {
        doubled.push(m);
        this.duplicated++;
      }
    });
    await this.inner.publish(doubled);
  }
}

/** Counts how many times each event reached it: must end at exactly 1 for every event. */
const tallyProjector: Projector = {
  name: 'test_event_tally',
  categories: ['workflow'],
  tables: [],
  async apply(trx, events: readonly RecordedEvent[]) {
    for (const event of events) {
      await sql`INSERT INTO test_event_tally (event_id, applied) VALUES (${event.metadata.eventId}::uuid, 1)
                ON CONFLICT (event_id) DO UPDATE SET applied = test_event_tally.applied + 1`.execute(trx);
    }
  },
};

const metadata = (actor = 'fault-test') => {
  const commandId = randomUUID();
  return {
    commandId,
    correlationId: commandId,
    causationId: commandId,
    actor: { kind: 'system' as const, id: actor },
    workspaceId: 'test',
    occurredAt: new Date().toISOString(),
  };
};

describeIf(TEST_AMQP_URL, 'RabbitMQ fault test needs AMQP_URL (or TEST_AMQP_URL)')('forwarder through RabbitMQ under faults', () => {
  const connectionName = `bluebird-fault-test-${randomUUID()}`;
  const config = testConfig({}, { rabbit: true });
  let infra: Infrastructure;

  beforeAll(async () => {
    infra = await openInfrastructure(config, { processName: connectionName.slice('bluebird-'.length) });
    await sql`CREATE TABLE test_event_tally (event_id uuid PRIMARY KEY, applied int NOT NULL)`.execute(infra.database.db);
  });
  afterAll(async () => {
    await infra?.close();
    await cleanUpServers(config, [projectionQueueName(tallyProjector)]);
  });

  it('changes every projection exactly once per event despite duplicates and a server-side connection close', async () => {
    const { db } = infra.database;
    const broker = new DuplicatingBroker(infra.broker);
    const runner = new ProjectionRunner(db, infra.store, broker, [workflowSummaryProjector, tallyProjector]);
    const forwarder = new Forwarder(db, infra.store, broker, createLeaderLock(infra.database, 'fault-test-forwarder'), undefined, {
      batchSize: 40,
      idleMs: 10,
    });
    const workflows = Array.from({ length: 60 }, () => randomUUID());
    const total = workflows.length * 6;
    await runner.start();
    forwarder.start();
    try {

    const send = (command: WorkflowCommand) => handleCommand(infra.store, workflowDecider, workflowStream(command.data.workflowId), command);
    let closed = 0;
    for (let round = 0; round < 6; round++) {
      await Promise.all(
        workflows.map((workflowId) =>
          round === 0
            ? send({ type: 'CreateWorkflow', data: { workflowId, name: `wf ${workflowId} r0` }, metadata: metadata() })
            : send({ type: 'RenameWorkflow', data: { workflowId, name: `wf ${workflowId} r${round}` }, metadata: metadata() }),
        ),
      );
      // The publishing connection only: losing it must take the consumers' one along, and both come back.
      if (round === 2) closed = await closeConnectionsNamed(`${connectionName}-${process.pid}-publishing`);
      await new Promise((r) => setTimeout(r, 150));
    }
    expect(closed).toBe(1);

    const deadline = Date.now() + 60_000;
    let tallied = 0;
    while (Date.now() < deadline) {
      tallied = Number((await sql<{ n: string }>`SELECT count(*)::text AS n FROM test_event_tally`.execute(db)).rows[0].n);
      if (tallied >= total) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await new Promise((r) => setTimeout(r, 500)); // let late duplicates arrive: they must change nothing
    } finally {
      await forwarder.stop();
      await runner.stop();
    }

    expect(broker.duplicated).toBeGreaterThan(0);
    const counts = await sql<{ applied: number; n: string }>`SELECT applied, count(*)::text AS n FROM test_event_tally GROUP BY applied`.execute(db);
    expect(counts.rows.map((r) => [r.applied, Number(r.n)])).toEqual([[1, total]]);

    const summaries = await db.selectFrom('workflow_summary').select(['workflow_id', 'name', 'revision']).execute();
    expect(summaries).toHaveLength(workflows.length);
    for (const s of summaries) {
      expect(s.name).toBe(`wf ${s.workflow_id} r5`);
      expect(Number(s.revision)).toBe(5);
    }
  });

  it('routes a step schedule settled in its own append past the steps queue, and still to the projections', async () => {
    const executionId = randomUUID();
    const streamId = `execution-${executionId}`;
    const attempt = (type: string, stepId: string) => ({
      type,
      data: { executionId, stepId, attempt: 1, scheduledId: `s:${stepId}:1` },
      metadata: { ...metadata('route-test'), eventId: randomUUID(), schemaVersion: 1 },
    });
    // As the engine appends a run's start: the pure step decided with its outcome, the http step left to a worker.
    await infra.store.appendToStream(streamId, [attempt('StepScheduled', 'calc'), attempt('StepScheduled', 'call'), attempt('StepStarted', 'calc'), attempt('StepSucceeded', 'calc')]);
    const steps: string[] = [];
    const projected: string[] = [];
    const consumers = [
      await infra.broker.consume({ name: 'route-test.steps', bindings: ['execution.StepScheduled'] }, async (m) => void steps.push(m.messageId)),
      await infra.broker.consume({ name: 'route-test.projection', bindings: ['execution.#'] }, async (m) => void projected.push(m.messageId)),
    ];
    const forwarder = new Forwarder(infra.database.db, infra.store, infra.broker, createLeaderLock(infra.database, 'route-test-forwarder'), undefined, { name: 'route-test' });
    try {
      while ((await forwarder.forwardBatch()) > 0);
      // Waits for both queues: each is its own quorum queue, and on a busy machine one may lag the other by far more
      // than a fixed pause. The settled schedule ('calc') comes first in the log and one channel publishes in order,
      // so had it been routed to the steps queue by mistake it would have arrived there before 'call'.
      const deadline = Date.now() + 15_000;
      while ((projected.length < 4 || steps.length < 1) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    } finally {
      await forwarder.stop(); // releases its leader lock
      await Promise.all(consumers.map((c) => c.cancel()));
      await infra.broker.deleteQueues(['route-test.steps', 'route-test.projection']);
    }
    const stored = await infra.store.readStream(streamId);
    const idOf = (type: string, stepId: string) => stored.find((e) => e.type === type && (e.data as { stepId: string }).stepId === stepId)!.metadata.eventId;
    expect(steps).toEqual([idOf('StepScheduled', 'call')]);
    expect(projected.sort()).toEqual(stored.map((e) => e.metadata.eventId).sort());
  });
});
