/**
 * Within one process: after a projection transaction commits, the streams whose events it applied.
 * What keeps read-model rows in memory for a while (the webhook ingress keeps a trigger's published
 * config for a second) drops what those streams changed at once, so a trigger disabled or a
 * workflow archived through this process stops firing as soon as its read models say so. A process
 * that runs no projections hears nothing and keeps its cache's own expiry.
 */
export class ReadModelChanges {
  private readonly listeners = new Set<(streamIds: ReadonlySet<string>) => void>();

  /** Answers the function that stops listening. */
  onApplied(listener: (streamIds: ReadonlySet<string>) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get listened(): boolean {
    return this.listeners.size > 0;
  }

  applied(streamIds: ReadonlySet<string>): void {
    for (const listener of this.listeners) {
      try {
        listener(streamIds);
      } catch {
        /* a listener's failure is its own: the projection has committed */
      }
    }
  }
}
