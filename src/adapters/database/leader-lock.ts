import { Client } from 'pg';
import type { DatabaseHandle } from './database';

/**
 * Leadership for singleton roles (the forwarder). On PostgreSQL it is a session-level advisory
 * lock held on a dedicated connection: if that connection dies, the lock is released by the
 * server and another replica takes over. PGlite runs in one process only, so it always leads.
 */
export interface LeaderLock {
  /** Tries once; true when this process holds the lock (now or already). */
  tryAcquire(): Promise<boolean>;
  isHeld(): boolean;
  release(): Promise<void>;
}

export function createLeaderLock(handle: DatabaseHandle, name: string): LeaderLock {
  if (handle.kind === 'pglite') return alwaysLeader();
  return new AdvisoryLock(handle.location!, handle.schema ? `${handle.schema}:${name}` : name);
}

function alwaysLeader(): LeaderLock {
  let held = false;
  return {
    tryAcquire: async () => (held = true),
    isHeld: () => held,
    release: async () => {
      held = false;
    },
  };
}

class AdvisoryLock implements LeaderLock {
  private client?: Client;
  private held = false;

  constructor(
    private readonly url: string,
    private readonly name: string,
  ) {}

  async tryAcquire(): Promise<boolean> {
    if (this.held) return true;
    try {
      if (!this.client) {
        const client = new Client({ connectionString: this.url });
        client.on('error', () => this.drop(client));
        client.on('end', () => this.drop(client));
        await client.connect();
        this.client = client;
      }
      const result = await this.client.query<{ locked: boolean }>(
        'SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked',
        [this.name],
      );
      this.held = result.rows[0].locked;
      return this.held;
    } catch {
      if (this.client) this.drop(this.client);
      return false;
    }
  }

  isHeld(): boolean {
    return this.held;
  }

  async release(): Promise<void> {
    const client = this.client;
    this.held = false;
    this.client = undefined;
    if (client) await client.end().catch(() => undefined);
  }

  private drop(client: Client): void {
    if (this.client !== client) return;
    this.held = false;
    this.client = undefined;
    client.end().catch(() => undefined);
  }
}
