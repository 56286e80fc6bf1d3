/** Lets the metrics adapter count appends without the event store importing prom-client. */
export interface AppendObserver {
  appended(eventCount: number, seconds: number): void;
}
