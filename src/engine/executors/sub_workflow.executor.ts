import type { StartExecution } from '@contracts';
import { deterministicId } from '../../commands/handle-command';
import { DomainError } from '../../domain/decider';
import { findPublishedVersion } from '../../queries/published-version';
import type { StepExecutor } from '../executor';
import { StepFailure } from '../step-failure';

/**
 * sub_workflow: starts a run of another workflow of the same workspace, pinned to a published
 * version, with the mapped input. The child's id derives from this attempt, so a redelivered
 * attempt starts it once. With `wait` (the default) the step waits until the child finishes
 * (the engine's lifecycle consumer reports it back); a chain that would run a workflow inside
 * itself is refused by the child's decider and fails the step.
 */
export const subWorkflowExecutor: StepExecutor<'sub_workflow'> = {
  type: 'sub_workflow',
  async execute(ctx) {
    const { workflowId, version, input, wait } = ctx.config as { workflowId: string; version?: number; input?: Record<string, unknown>; wait?: boolean };
    const published = await findPublishedVersion(ctx.services.db, workflowId, version);
    if (!published || published.workspaceId !== ctx.workspaceId) {
      throw new StepFailure('WorkflowNotFound', `No published ${version ? `version ${version} of ` : ''}workflow ${workflowId} in this workspace`, { retryable: false });
    }
    const childExecutionId = deterministicId(`child:${ctx.scheduledId}`, 0);
    const command: Pick<StartExecution, 'type' | 'data'> = {
      type: 'StartExecution',
      data: {
        executionId: childExecutionId,
        workflowId,
        version: published.version,
        definition: published.definition,
        input: input ?? {},
        trigger: { kind: 'sub_workflow', ...(ctx.startedBy ? { userId: ctx.startedBy } : {}) },
        parent: { executionId: ctx.executionId, stepId: ctx.stepId, attempt: ctx.attempt, scheduledId: ctx.scheduledId, ancestry: ctx.ancestry },
      },
    };
    try {
      await ctx.services.send('execution', command, { commandId: deterministicId(`start-child:${ctx.scheduledId}`, 0), workspaceId: ctx.workspaceId, actorId: ctx.startedBy });
    } catch (error) {
      if (error instanceof DomainError && error.code === 'sub-workflow-cycle') throw new StepFailure('SubWorkflowCycle', error.message, { retryable: false });
      if (error instanceof DomainError && error.kind !== 'conflict') throw new StepFailure('InvalidConfig', error.message, { retryable: false });
      // conflict: the child exists already (this attempt was delivered again); go on waiting for it.
      if (!(error instanceof DomainError)) throw error;
    }
    if (wait === false) return { output: { executionId: childExecutionId, version: published.version, status: 'started' } };
    return { wait: { kind: 'child', childExecutionId, workflowId, version: published.version } };
  },
};
