import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { allProjectors } from '../../projections';
import { ProjectionRunner } from '../../projections/runner';
import type { Infrastructure } from '../infrastructure';
import { INFRASTRUCTURE } from './tokens';

/** Catches every projector up from the store, then keeps it live from its queue. */
@Injectable()
export class ProjectionsService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Projections');
  readonly runner: ProjectionRunner;

  constructor(@Inject(INFRASTRUCTURE) infra: Infrastructure) {
    this.runner = new ProjectionRunner(infra.database.db, infra.store, infra.broker, allProjectors, infra.metrics, (m) => this.logger.warn(m), infra.readModels);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.runner.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.runner.stop();
  }
}
