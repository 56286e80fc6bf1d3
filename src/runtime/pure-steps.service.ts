import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { hostname } from 'node:os';
import type { EventEnvelope, ExecutionCommand, StepScheduledData } from '@contracts';
import { Commands } from '../commands/dispatch';
import { deterministicId } from '../commands/handle-command';
import type { ExecutionState } from '../domain/execution/execution.decider';
import { executorRegistry } from '../engine/executors';
import { OutputStore } from '../engine/output-store';
import { PURE_ACTIONS, StepRunner, liveness, reportKey } from '../engine/step-runner';
import type { Infrastructure } from '../infrastructure';
import { engineMetadata, engineServices } from './engine-services';
import { INFRASTRUCTURE } from './tokens';

/**
 * Steps that only evaluate expressions (transform, condition) run while the command that scheduled
 * them is handled, in whichever process handles it (an API replica starting a run, a worker
 * recording a step): their outcomes are decided on the state it leaves and appended with it
 * (FollowUps in handle-command.ts), so a chain of them costs no extra write and no trip through
 * the queue. Their queue messages still come and find them done (stale, dropped). No side effect
 * can double: these steps have none. Webhook ingress answering at once leaves them to the engine
 * (StartRequest.deferPureSteps): the worker that runs the first one chains the rest the same way.
 */
@Injectable()
export class PureStepsService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly shutdown = new AbortController();
  private readonly runner: StepRunner;
  private stop?: () => void;

  constructor(
    @Inject(INFRASTRUCTURE) infra: Infrastructure,
    private readonly commands: Commands,
  ) {
    this.runner = new StepRunner({
      store: infra.store,
      services: engineServices(infra, commands),
      registry: executorRegistry,
      outputs: new OutputStore(infra.database.db),
      // Only `attempt` is used here: the command handler records what it answers.
      report: () => Promise.reject(new Error('pure steps are recorded as follow-ups')),
      workerId: `${hostname()}:${process.pid}`,
      shutdown: this.shutdown.signal,
      observeStep: (action, outcome, seconds) => infra.metrics.stepDuration.observe({ action, outcome }, seconds),
    });
  }

  onApplicationBootstrap(): void {
    this.stop = this.commands.continueWith('execution', (state, decided) => this.decided(state as ExecutionState, decided));
  }

  onApplicationShutdown(): void {
    this.stop?.();
    this.shutdown.abort();
  }

  /** The reports of the pure steps just scheduled and live in `state`, as commands to decide next. */
  private async decided(state: ExecutionState, decided: readonly EventEnvelope[]): Promise<ExecutionCommand[]> {
    const commands: ExecutionCommand[] = [];
    for (const event of decided) {
      if (event.type !== 'StepScheduled' || this.shutdown.signal.aborted) continue;
      const scheduled = event.data as StepScheduledData;
      if (!PURE_ACTIONS.has(scheduled.actionType ?? '') || liveness(state, scheduled) !== 'live') continue;
      const { command } = await this.runner.attempt(state, scheduled);
      const commandId = deterministicId(reportKey(scheduled), 0);
      commands.push({ ...command, metadata: engineMetadata(commandId, state.workspaceId, event.metadata.correlationId) } as ExecutionCommand);
    }
    return commands;
  }
}
