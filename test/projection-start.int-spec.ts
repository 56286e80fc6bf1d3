import { randomUUID } from 'node:crypto';
import { workflowStream } from '@contracts';
import { openInfrastructure, type Infrastructure } from '../src/infrastructure';
import { Forwarder } from '../src/adapters/broker/forwarder';
import { createLeaderLock } from '../src/adapters/database/leader-lock';
import type { Broker } from '../src/adapters/broker/broker.port';
import { handleCommand } from '../src/commands/handle-command';
import { workflowDecider } from '../src/domain/workflow/workflow.decider';
import { ProjectionRunner } from '../projections/runner';
import { workflowSummaryProjector } from '../projections/workflow-summary/workflow-summary.projector';
import { cleanUpServers, testConfig } from './support/test-app';

/**
 * A projector starting while events are being published must not lose the ones published before
 * its queue existed. Here its queue binding is slow (as declaring a quorum queue is), and an event
 * is appended and forwarded meanwhile; no later event comes to reveal a gap.
 */
describe('projection start', () => {
  const config = testConfig();
  let infra: Infrastructure;

  beforeAll(async () => {
    infra = await openInfrastructure(config, { processName: 'start-test' });
  });
  afterAll(async () => {
    await infra?.close();
    await cleanUpServers(config);
  });

  it('sees an event published while its queue was being declared', async () => {
    const { db } = infra.database;
    const forwarder = new Forwarder(db, infra.store, infra.broker, createLeaderLock(infra.database, 'start-test'), undefined, { idleMs: 10 });
    forwarder.start();
    const workflowId = randomUUID();
    const appendWhileBinding = async () => {
      const commandId = randomUUID();
      await handleCommand(infra.store, workflowDecider, workflowStream(workflowId), {
        type: 'CreateWorkflow',
        data: { workflowId, name: 'Published during start' },
        metadata: { commandId, correlationId: commandId, causationId: commandId, actor: { kind: 'system', id: 't' }, workspaceId: randomUUID(), occurredAt: new Date().toISOString() },
      });
      await new Promise((r) => setTimeout(r, 300)); // the forwarder publishes it to nobody
    };
    const slowBinding: Broker = {
      kind: infra.broker.kind,
      connect: () => infra.broker.connect(),
      publish: (m) => infra.broker.publish(m),
      isConnected: () => infra.broker.isConnected(),
      close: () => infra.broker.close(),
      deleteQueues: (names) => infra.broker.deleteQueues(names),
      consume: async (queue, handler) => {
        await appendWhileBinding();
        return infra.broker.consume(queue, handler);
      },
      consumeBatches: async (queue, handler) => {
        await appendWhileBinding();
        return infra.broker.consumeBatches(queue, handler);
      },
    };
    const runner = new ProjectionRunner(db, infra.store, slowBinding, [workflowSummaryProjector]);
    try {
      await runner.start();
      const deadline = Date.now() + 5000;
      let row;
      while (!(row = await db.selectFrom('workflow_summary').select('name').where('workflow_id', '=', workflowId).executeTakeFirst()) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(row?.name).toBe('Published during start');
    } finally {
      await runner.stop();
      await forwarder.stop();
    }
  });
});
