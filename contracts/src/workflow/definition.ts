/**
 * A workflow definition: the graph people draw. Steps are identified by stable ids chosen by the
 * client (the designer) or the server; edges connect them; variables are the run's inputs.
 */
export const ERROR_STRATEGIES = ['fail', 'continue', 'retry_then_fail', 'error_branch'] as const;
export type ErrorStrategy = (typeof ERROR_STRATEGIES)[number];

export const VARIABLE_TYPES = ['string', 'number', 'boolean', 'object', 'array', 'date'] as const;
export type VariableType = (typeof VARIABLE_TYPES)[number];

export const TRIGGER_KINDS = ['manual', 'cron', 'webhook', 'event'] as const;
export type TriggerKind = (typeof TRIGGER_KINDS)[number];

/** Limits that keep a definition editable and fast to validate (documented in the README). */
export const DEFINITION_LIMITS = {
  steps: 500,
  edges: 2000,
  variables: 200,
  triggers: 50,
  tags: 20,
  tagLength: 40,
  stepNameLength: 200,
  configBytes: 64 * 1024,
} as const;

export interface Position {
  x: number;
  y: number;
}

export interface RetryPolicy {
  maxAttempts: number;
  initialIntervalMs: number;
  backoffCoefficient: number;
  maxIntervalMs: number;
  /** 0..1: share of each interval randomised. */
  jitter: number;
  /** Error kinds that are never retried. */
  nonRetryableErrors: string[];
}

/**
 * When a step with several incoming edges runs (SPEC B2): `all` (the default) once every input is
 * decided and one was taken; `any` as soon as one is taken; a number N once N of them are taken.
 * It is skipped once that can no longer happen.
 */
export type JoinMode = 'all' | 'any' | number;

export interface StepDefinition {
  id: string;
  name: string;
  /** An action type of the catalogue (`send_email`, `http_request`, ...). */
  type: string;
  config: Record<string, unknown>;
  position: Position;
  errorStrategy: ErrorStrategy;
  /** Absent: the action's default policy. */
  retryPolicy?: RetryPolicy;
  timeoutMs?: number;
  /** Absent: `all`. */
  join?: JoinMode;
}

export interface EdgeDefinition {
  id: string;
  from: string;
  to: string;
  /** A JSONata expression; the edge is taken when it is truthy. */
  condition?: string;
  /** Branch label: `true`/`false` after a condition, `error` for an error branch, any name otherwise. */
  label?: string;
}

export interface VariableDefinition {
  name: string;
  type: VariableType;
  default?: unknown;
  required: boolean;
  description?: string;
}

export interface TriggerDefinition {
  id: string;
  kind: TriggerKind;
  name: string;
  enabled: boolean;
  config: Record<string, unknown>;
}

export interface WorkflowDefinition {
  steps: StepDefinition[];
  edges: EdgeDefinition[];
  variables: VariableDefinition[];
  triggers: TriggerDefinition[];
  tags: string[];
}

export const emptyDefinition = (): WorkflowDefinition => ({ steps: [], edges: [], variables: [], triggers: [], tags: [] });

export type ValidationSeverity = 'error' | 'warning';

/** One finding of the validator, returned with the draft (`GET /api/workflows/:id`). */
export interface ValidationIssue {
  severity: ValidationSeverity;
  code: string;
  message: string;
  stepId?: string;
  edgeId?: string;
}
