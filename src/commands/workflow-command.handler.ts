import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { WorkflowCommand } from '@contracts';
import { workflowStream } from '@contracts';
import { workflowDecider } from '../domain/workflow/workflow.decider';
import type { Infrastructure } from '../infrastructure';
import { INFRASTRUCTURE } from '../runtime/tokens';
import { handleCommand, type CommandOptions, type CommandResult } from './handle-command';

/** CommandBus message carrying any workflow command (one Nest class per aggregate, not per command). */
export class DispatchWorkflowCommand {
  constructor(
    readonly command: WorkflowCommand,
    readonly options: CommandOptions = {},
  ) {}
}

@CommandHandler(DispatchWorkflowCommand)
export class WorkflowCommandHandler implements ICommandHandler<DispatchWorkflowCommand, CommandResult> {
  constructor(@Inject(INFRASTRUCTURE) private readonly infra: Infrastructure) {}

  async execute({ command, options }: DispatchWorkflowCommand): Promise<CommandResult> {
    try {
      const result = await handleCommand(this.infra.store, workflowDecider, workflowStream(command.data.workflowId), command, options);
      this.infra.metrics.commands.inc({ command: command.type, outcome: 'accepted' });
      return result;
    } catch (error) {
      this.infra.metrics.commands.inc({ command: command.type, outcome: 'rejected' });
      throw error;
    }
  }
}
