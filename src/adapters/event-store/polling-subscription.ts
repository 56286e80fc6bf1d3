import type { RecordedEvent } from '@contracts';
import type { ReadAllOptions, SubscribeOptions } from './event-store.port';

const DEFAULT_IDLE_MS = 100;

/**
 * A catch-up subscription built on `readAll`, shared by every adapter: read a page after the last
 * position yielded, yield it, and when a poll comes back empty sleep `idleMs` before the next one.
 *
 * `wake` registers a listener (an adapter passes its `onAppended`) that ends the idle sleep early,
 * so a reader in the process that appended sees the event without waiting out the poll interval.
 * A nudge that arrives while a page is being read or consumed also skips the next sleep: otherwise
 * an append landing just after an empty read would wait a full `idleMs`.
 *
 * Ends when `signal` aborts (also mid-sleep) or when the consumer stops iterating; errors from
 * `readAll` propagate to the consumer, which decides whether to resubscribe from its checkpoint.
 */
export async function* pollingSubscription(
  readAll: (opts: ReadAllOptions) => Promise<RecordedEvent[]>,
  options: SubscribeOptions,
  wake: (listener: () => void) => () => void,
): AsyncGenerator<RecordedEvent, void, undefined> {
  const { signal, idleMs = DEFAULT_IDLE_MS, limit, categories } = options;
  let after = options.after;
  let nudged = false;
  let endSleep: (() => void) | undefined;
  const unregister = wake(() => {
    nudged = true;
    endSleep?.();
  });
  try {
    while (!signal?.aborted) {
      nudged = false;
      const page = await readAll({ after, limit, categories });
      for (const event of page) {
        if (signal?.aborted) return;
        yield event;
        after = event.position;
      }
      if (page.length === 0 && !nudged && !signal?.aborted) {
        await new Promise<void>((resolve) => {
          const done = () => {
            clearTimeout(timer);
            signal?.removeEventListener('abort', done);
            endSleep = undefined;
            resolve();
          };
          const timer = setTimeout(done, idleMs);
          signal?.addEventListener('abort', done, { once: true });
          endSleep = done;
        });
      }
    }
  } finally {
    endSleep?.();
    unregister();
  }
}
