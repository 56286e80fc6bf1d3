import { categoryOf } from '@contracts';

/**
 * Within one process: the streams whose events a projection transaction is about to apply. What
 * keeps read-model rows in memory (the webhook ingress keeps a trigger's published config for a
 * second; the access check its row) hears of it before the transaction begins and again once it
 * has committed (or failed), and drops what those streams may change, so a trigger disabled, a
 * workflow archived or a role revoked through this process counts as soon as the read models say
 * so. A process that runs no projections hears nothing: its caches keep their own expiry, or
 * (access) are not used.
 */
export type ChangeListener = (streamIds: ReadonlySet<string>) => (() => void) | void;

export class ReadModelChanges {
  private readonly listeners = new Set<ChangeListener>();
  /** Projection runners of this process now running: while there is one, every change made here is announced. */
  private runners = 0;

  get projecting(): boolean {
    return this.runners > 0;
  }

  /** A projection runner starts (`true`) or stops (`false`) announcing here. */
  runnerRunning(running: boolean): void {
    this.runners = Math.max(0, this.runners + (running ? 1 : -1));
  }

  /** `listener` hears each transaction's streams before it begins; what it answers is called once it has committed or failed. Answers the function that stops listening. */
  onChange(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get listened(): boolean {
    return this.listeners.size > 0;
  }

  /** A projection transaction applying events of `streamIds` is about to begin: answers what to call once it has ended. */
  changing(streamIds: ReadonlySet<string>): () => void {
    const after: (() => void)[] = [];
    for (const listener of this.listeners) {
      const done = guarded(() => listener(streamIds));
      if (done) after.push(done);
    }
    return () => {
      for (const done of after) guarded(done);
    };
  }
}

/** Whether any of `streamIds` is of one of `categories`: what a listener asks of a transaction. */
export function touchesCategories(streamIds: ReadonlySet<string>, categories: readonly string[]): boolean {
  for (const streamId of streamIds) if (categories.includes(categoryOf(streamId))) return true;
  return false;
}

/** A listener's failure is its own: the projection goes on. */
function guarded<T>(work: () => T): T | undefined {
  try {
    return work();
  } catch {
    return undefined;
  }
}
