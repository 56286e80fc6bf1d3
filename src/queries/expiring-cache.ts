/**
 * A small cache for hot read-model lookups (webhook ingress, access checks): an entry is fresh for
 * `ttlMs`; the first caller to find it stale starts ONE reload and waits for it (so a change is seen
 * within `ttlMs` by the next caller), and callers arriving while that reload runs get the value it
 * replaces. Without the
 * single flight, every delivery arriving during a reload starts its own, and at a few hundred
 * deliveries a second they queue on the connection pool.
 */
export class ExpiringCache<V> {
  private readonly entries = new Map<string, { at: number; value: V }>();
  private readonly loading = new Map<string, Promise<V>>();
  private holds = 0;

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
  ) {}

  async get(key: string, load: () => Promise<V>): Promise<V> {
    if (this.holds > 0) return load();
    const hit = this.entries.get(key);
    if (hit && Date.now() - hit.at < this.ttlMs) return hit.value;
    const running = this.loading.get(key);
    if (running) return hit ? hit.value : running;
    const pending: Promise<V> = load()
      .then((value) => {
        // A load that a delete overtook may have read what the delete was about: it answers its
        // callers, but leaves nothing behind.
        if (this.loading.get(key) !== pending) return value;
        if (this.entries.size >= this.maxEntries) this.entries.clear();
        this.entries.set(key, { at: Date.now(), value });
        return value;
      })
      .finally(() => {
        if (this.loading.get(key) === pending) this.loading.delete(key);
      });
    this.loading.set(key, pending);
    return pending;
  }

  /** Forgets a key (its next get loads and waits), e.g. after a secret was rotated here. */
  delete(key: string): void {
    this.entries.delete(key);
    this.loading.delete(key);
  }

  /**
   * Until the answered function is called, every get loads and nothing is kept: for while a change
   * to what the cache holds is being committed, so that nothing read before the commit outlives it.
   * Whatever was kept, or was loading, is forgotten at both ends.
   */
  hold(): () => void {
    this.holds++;
    this.forgetAll();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.holds--;
      this.forgetAll();
    };
  }

  /** A load still running when it is forgotten answers its callers but is not kept (see get). */
  private forgetAll(): void {
    this.entries.clear();
    this.loading.clear();
  }
}
