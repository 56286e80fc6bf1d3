import type { ColumnType } from 'kysely';

/**
 * `execution_timer`: every durable timer that is due to send a command to an execution (step
 * timeouts, retry back-offs, delays, approval deadlines, execution timeouts). Built from the
 * execution events like any read model, so a restart or a rebuild loses none; the timer service
 * sends the command when `due_at` passes, and the events that answer it remove the row.
 */
export interface ExecutionTimerTable {
  timer_key: string;
  execution_id: string;
  kind: string;
  due_at: ColumnType<Date, string, string>;
  /** The command to send: `{ type, data }`. */
  command: ColumnType<{ type: string; data: Record<string, unknown> }, string, string>;
}
