import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheckService, HealthIndicatorService, type HealthCheckResult } from '@nestjs/terminus';
import type { Response } from 'express';
import { ping } from '../adapters/database/database';
import type { Infrastructure } from '../infrastructure';
import { INFRASTRUCTURE } from '../runtime/tokens';
import { Public } from '../auth/public.decorator';

const CHECK_TIMEOUT_MS = 3000;

@ApiTags('health')
@Public()
@Controller('api/health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    @Inject(INFRASTRUCTURE) private readonly infra: Infrastructure,
  ) {}

  /** Liveness: the process answers. */
  @Get()
  live() {
    return { status: 'ok', uptimeSeconds: Math.round(process.uptime()) };
  }

  /** Readiness: database, broker and event store answer; 503 with the details otherwise. */
  @Get('ready')
  async ready(@Res({ passthrough: true }) res: Response): Promise<HealthCheckResult> {
    const { database, broker, store } = this.infra;
    try {
      return await this.health.check([
        () => this.probe('database', database.kind, () => ping(database.db)),
        () => this.probe('broker', broker.kind, async () => {
          if (!broker.isConnected()) throw new Error('not connected');
        }),
        () => this.probe('eventStore', store.kind, async () => {
          await store.readAll({ limit: 1 });
        }),
      ]);
    } catch (error) {
      res.status(503);
      return (error as { getResponse?: () => HealthCheckResult }).getResponse?.() ?? { status: 'error', details: {} };
    }
  }

  private async probe<K extends string>(key: K, kind: string, check: () => Promise<void>) {
    const session = this.indicators.check(key);
    try {
      await withTimeout(check(), CHECK_TIMEOUT_MS);
      return session.up({ kind });
    } catch (error) {
      return session.down({ kind, message: (error as Error).message });
    }
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms))),
  ]);
}
