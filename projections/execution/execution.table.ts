import type { ColumnType } from 'kysely';

type Json<T = unknown> = ColumnType<T, string, string>;
type Time = ColumnType<Date, string, string>;
type NullableTime = ColumnType<Date | null, string | null, string | null>;

/** `execution`: one row per run, for lists and filters (G2). */
export interface ExecutionTable {
  execution_id: string;
  workflow_id: string;
  workspace_id: string;
  version: number;
  status: string;
  trigger_kind: string;
  started_by: string | null;
  trigger_id: string | null;
  bulk_id: string | null;
  parent_execution_id: string | null;
  forked_from_execution_id: string | null;
  input: Json;
  output: ColumnType<unknown, string | null, string | null>;
  error: ColumnType<unknown, string | null, string | null>;
  started_at: Time;
  finished_at: NullableTime;
  duration_ms: number | null;
  steps_total: number;
  steps_done: number;
  /** Stream revision of the last event applied. */
  revision: ColumnType<string, string, string>;
}

/** `execution_step`: one row per step attempt (per scheduling: a loop runs a step once per item), with durations, input and output (G2). */
export interface ExecutionStepTable {
  execution_id: string;
  step_id: string;
  attempt: number;
  /** Unique per run: the key of a row. */
  scheduled_id: string;
  /** Inside loops: the item index of each enclosing loop ("2", "0.3"). */
  iteration: string | null;
  action_type: string;
  status: string;
  input: ColumnType<unknown, string | null, string | null>;
  output: ColumnType<unknown, string | null, string | null>;
  error: ColumnType<unknown, string | null, string | null>;
  scheduled_at: NullableTime;
  started_at: NullableTime;
  finished_at: NullableTime;
  duration_ms: number | null;
  worker_id: string | null;
}
