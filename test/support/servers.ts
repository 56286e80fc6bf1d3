import type { AppConfig } from '../../src/config';
import { dropSchema } from '../../src/adapters/database/database';
import { RabbitMqBroker } from '../../src/adapters/broker/rabbitmq.broker';
import { ENGINE_QUEUES } from '../../src/runtime/engine.service';
import { TRIGGER_EVENTS_QUEUE } from '../../src/triggers/event-triggers';
import { allProjectors, projectionQueueName } from '../../projections';

/**
 * Removes what a test or a bench left on the servers: its schema and its broker namespace (with the queues of any
 * projectors of its own). Free of jest, so that the benches (built without its types) use it too.
 */
export async function cleanUpServers(config: AppConfig, ownQueues: readonly string[] = []): Promise<void> {
  if (config.databaseUrl && config.databaseSchema) await dropSchema(config.databaseUrl, config.databaseSchema);
  if (config.amqpUrl) {
    const broker = new RabbitMqBroker(config.amqpUrl, { namespace: config.brokerNamespace });
    await broker.deleteTopology([...allProjectors.map(projectionQueueName), ...ENGINE_QUEUES, TRIGGER_EVENTS_QUEUE, ...ownQueues]).catch(() => undefined);
  }
}
