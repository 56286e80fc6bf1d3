import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Consumer } from '../adapters/broker/broker.port';
import { decodeEventMessage } from '../adapters/broker/event-message';
import { Commands } from '../commands/dispatch';
import { ExecutionStarter } from '../commands/start-execution';
import type { Infrastructure } from '../infrastructure';
import { INFRASTRUCTURE } from '../runtime/tokens';
import { EventTriggers, TRIGGER_EVENTS_QUEUE, TRIGGER_EVENT_BINDINGS } from './event-triggers';
import { fireTrigger } from './fire';
import { CronScheduler } from './scheduler';

/** Deliveries of one event before it is dead-lettered (a trigger whose run keeps failing to start). */
const EVENT_DELIVERY_LIMIT = 20;

/**
 * The trigger runtime of a worker (engine role): the cron scheduler and the event-trigger consumer. Every replica
 * runs both; the store keeps each tick and each (trigger, event) to one run. Webhooks are served by the API role.
 */
@Injectable()
export class TriggersService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Triggers');
  private readonly starter: ExecutionStarter;
  readonly scheduler: CronScheduler;
  readonly events: EventTriggers;
  private consumer?: Consumer;

  constructor(
    @Inject(INFRASTRUCTURE) private readonly infra: Infrastructure,
    commands: Commands,
  ) {
    this.starter = new ExecutionStarter(commands);
    const db = infra.database.db;
    this.scheduler = new CronScheduler({
      db,
      fire: (request) => fireTrigger(this.starter, db, request),
      log: (m) => this.logger.warn(m),
    });
    this.events = new EventTriggers(db, infra.store, this.starter, (m) => this.logger.warn(m));
  }

  async onApplicationBootstrap(): Promise<void> {
    this.consumer = await this.infra.broker.consume(
      { name: TRIGGER_EVENTS_QUEUE, bindings: TRIGGER_EVENT_BINDINGS, prefetch: 20, deliveryLimit: EVENT_DELIVERY_LIMIT },
      async (message) => {
        await this.events.handle(decodeEventMessage(message).event);
      },
    );
    this.scheduler.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.consumer?.cancel().catch(() => undefined);
    await this.scheduler.stop();
  }
}
