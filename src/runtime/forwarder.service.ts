import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Forwarder } from '../adapters/broker/forwarder';
import { createLeaderLock } from '../adapters/database/leader-lock';
import type { Infrastructure } from '../infrastructure';
import { INFRASTRUCTURE } from './tokens';

/** Runs the forwarder in this process; replicas stand by until they win the advisory lock. */
@Injectable()
export class ForwarderService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Forwarder');
  readonly forwarder: Forwarder;

  constructor(@Inject(INFRASTRUCTURE) infra: Infrastructure) {
    this.forwarder = new Forwarder(
      infra.database.db,
      infra.store,
      infra.broker,
      createLeaderLock(infra.database, 'bluebird-forwarder'),
      infra.metrics,
      { log: (m) => this.logger.warn(m) },
    );
  }

  onApplicationBootstrap(): void {
    this.forwarder.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.forwarder.stop();
  }
}
