import type { INestApplication } from '@nestjs/common';
import type { Infrastructure } from '../infrastructure';

/**
 * Graceful shutdown on SIGTERM/SIGINT: stop taking requests and messages (Nest's shutdown hooks
 * stop the forwarder and consumers), then close the broker, the store and the database pool.
 */
export function runUntilSignal(app: INestApplication, infra: Infrastructure): void {
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal} received; shutting down`);
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    try {
      await app.close();
      await infra.close();
      process.exit(0);
    } catch (error) {
      console.error(error);
      process.exit(1);
    }
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}
