import type { ActionType } from '@contracts';
import { loadConfig } from '../../../config';
import type { EngineServices, StepContext } from '../../executor';
import { buildScope, evaluate, resolveConfig, type ExpressionScope } from '../../expressions';

/**
 * A StepContext for executor tests, built the way the step runner builds one: the config's `{{ }}`
 * template fields rendered against the scope, JSONata fields left as written, and `evaluate` bound
 * to the same scope. Only the services a test names are real; the rest fail loudly when touched.
 */
export interface StepContextOptions {
  type: ActionType;
  config: Record<string, unknown>;
  /** Roots expressions read; `input`, `vars`, `steps` and `execution` are filled in when absent. */
  scope?: Partial<ExpressionScope>;
  services?: Partial<EngineServices>;
  signal?: AbortSignal;
  executionId?: string;
  workflowId?: string;
  workspaceId?: string;
  stepId?: string;
  attempt?: number;
  startedBy?: string;
  /** Workflow ids from the root run down to this one; defaults to just this workflow. */
  ancestry?: string[];
}

export const TEST_IDS = {
  executionId: '6f1c2a52-8d7e-4b1a-9c3f-0a1b2c3d4e5f',
  workflowId: '0d9e8f7a-6b5c-4d3e-8f2a-1b0c9d8e7f6a',
  workspaceId: '3a4b5c6d-7e8f-4a0b-8c2d-3e4f5a6b7c8d',
} as const;

export async function stepContext(options: StepContextOptions): Promise<StepContext> {
  const executionId = options.executionId ?? TEST_IDS.executionId;
  const workflowId = options.workflowId ?? TEST_IDS.workflowId;
  const stepId = options.stepId ?? 'step_1';
  const given = options.scope ?? {};
  const scope: ExpressionScope = {
    ...given,
    ...buildScope({
      input: given.input ?? {},
      vars: given.vars ?? {},
      steps: given.steps ?? {},
      execution: given.execution ?? { id: executionId, workflowId, version: 1, startedAt: '2025-01-01T00:00:00.000Z' },
      ...(given.item !== undefined ? { item: given.item } : {}),
      ...(typeof given.index === 'number' ? { index: given.index } : {}),
    }),
  };
  const config = await resolveConfig(options.type, options.config, scope);
  return {
    executionId,
    workflowId,
    workspaceId: options.workspaceId ?? TEST_IDS.workspaceId,
    stepId,
    attempt: options.attempt ?? 1,
    scheduledId: `${executionId}:${stepId}:${options.attempt ?? 1}`,
    idempotencyKey: `${executionId}:${stepId}`,
    config,
    scope,
    evaluate: (expression, extra = {}) => evaluate(expression, { ...scope, ...extra }),
    signal: options.signal ?? new AbortController().signal,
    startedBy: options.startedBy,
    ancestry: options.ancestry ?? [workflowId],
    services: testServices(options.services),
  };
}

/** Services for a test: the given ones, a config from the environment, and a fixed clock. */
export function testServices(given: Partial<EngineServices> = {}): EngineServices {
  return {
    config: given.config ?? loadConfig({ ...process.env }),
    db: given.db ?? (undefined as never),
    send:
      given.send ??
      (async () => {
        throw new Error('services.send is not wired in this test');
      }),
    now: given.now ?? (() => new Date('2025-01-01T12:00:00.000Z')),
  };
}
