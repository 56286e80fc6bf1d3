import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { AppendObserver } from '../event-store/append-observer';

/**
 * Every `bluebird_*` metric of DESIGN.md section 10 that exists so far, on a registry of its own
 * (one per process; tests that start several apps in one process get one each).
 */
export class Metrics implements AppendObserver {
  readonly registry = new Registry();

  readonly commands = new Counter({
    name: 'bluebird_commands_total',
    help: 'Commands handled, by command type and outcome',
    labelNames: ['command', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly eventsAppended = new Counter({
    name: 'bluebird_events_appended_total',
    help: 'Events appended to the event store by this process',
    registers: [this.registry],
  });
  readonly appendDuration = new Histogram({
    name: 'bluebird_append_duration_seconds',
    help: 'Duration of one appendToStream call',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [this.registry],
  });
  readonly projectionLag = new Gauge({
    name: 'bluebird_projection_lag_seconds',
    help: 'Time between an event being recorded and its projection applying it (last applied event)',
    labelNames: ['projection'] as const,
    registers: [this.registry],
  });
  readonly projectionEvents = new Counter({
    name: 'bluebird_projection_events_total',
    help: 'Events applied by each projection (duplicates skipped are not counted)',
    labelNames: ['projection'] as const,
    registers: [this.registry],
  });
  readonly brokerMessages = new Counter({
    name: 'bluebird_broker_messages_total',
    help: 'Broker messages published or consumed by this process',
    labelNames: ['direction'] as const,
    registers: [this.registry],
  });

  readonly executions = new Counter({
    name: 'bluebird_executions_total',
    help: 'Executions that reached an end, by status (counted once, by the engine that saw the end)',
    labelNames: ['status'] as const,
    registers: [this.registry],
  });
  readonly executionDuration = new Histogram({
    name: 'bluebird_execution_duration_seconds',
    help: 'Start to end of an execution',
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 3600],
    registers: [this.registry],
  });
  readonly stepDuration = new Histogram({
    name: 'bluebird_step_duration_seconds',
    help: 'Duration of one step attempt in a worker, by action type and outcome',
    labelNames: ['action', 'outcome'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  readonly timersFired = new Counter({
    name: 'bluebird_timers_fired_total',
    help: 'Durable timers that sent their command, by kind',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });

  constructor(options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }

  appended(eventCount: number, seconds: number): void {
    this.eventsAppended.inc(eventCount);
    this.appendDuration.observe(seconds);
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
