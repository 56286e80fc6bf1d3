import { Inject, Injectable } from '@nestjs/common';
import { CommandBus, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { Command, ExecutionCommand, LogPosition, UserCommand, WorkflowCommand, WorkspaceCommand } from '@contracts';
import { categoryOf, executionStream, userStream, workflowStream, workspaceStream } from '@contracts';
import type { Decider, DecidedEvent } from '../domain/decider';
import { workflowDecider } from '../domain/workflow/workflow.decider';
import { userDecider } from '../domain/user/user.decider';
import { workspaceDecider } from '../domain/workspace/workspace.decider';
import { taskDecider } from '../domain/task/task.decider';
import { taskStream, type TaskCommand } from '@contracts';
import { executionDecider } from '../domain/execution/execution.decider';
import type { Infrastructure } from '../infrastructure';
import { INFRASTRUCTURE } from '../runtime/tokens';
import { waitForProjection } from '../queries/wait-for-projection';
import { handleCommand, type CommandOptions, type CommandResult, type FollowUps } from './handle-command';

/** How long a command that must be read back waits for its projections (then answers anyway). */
const PROJECTION_WAIT_MS = 10_000;

/** Each aggregate: its decider and the stream a command goes to. */
const aggregates = {
  workflow: { decider: workflowDecider, stream: (c: WorkflowCommand) => workflowStream(c.data.workflowId) },
  user: { decider: userDecider, stream: (c: UserCommand) => userStream(c.data.userId) },
  workspace: { decider: workspaceDecider, stream: (c: WorkspaceCommand) => workspaceStream(c.data.workspaceId) },
  execution: { decider: executionDecider, stream: (c: ExecutionCommand) => executionStream(c.data.executionId) },
  task: { decider: taskDecider, stream: (c: TaskCommand) => taskStream(c.data.taskId) },
} as const;

export type AggregateName = keyof typeof aggregates;
export type CommandOf<A extends AggregateName> = Parameters<(typeof aggregates)[A]['stream']>[0];

/** CommandBus message carrying any command of any aggregate. */
export class DispatchCommand<A extends AggregateName = AggregateName> {
  constructor(
    readonly aggregate: A,
    readonly command: CommandOf<A>,
    readonly options: CommandOptions = {},
  ) {}
}

@CommandHandler(DispatchCommand)
export class DispatchCommandHandler implements ICommandHandler<DispatchCommand, CommandResult> {
  constructor(@Inject(INFRASTRUCTURE) private readonly infra: Infrastructure) {}

  async execute({ aggregate, command, options }: DispatchCommand): Promise<CommandResult> {
    const { decider, stream } = aggregates[aggregate] as unknown as {
      decider: Decider<Command, DecidedEvent, unknown>;
      stream: (c: Command) => string;
    };
    try {
      const result = await handleCommand(this.infra.store, decider, stream(command), command, options);
      this.infra.metrics.commands.inc({ command: command.type, outcome: 'accepted' });
      return result;
    } catch (error) {
      this.infra.metrics.commands.inc({ command: command.type, outcome: 'rejected' });
      throw error;
    }
  }
}

/** Told of each command whose events this process has just stored. */
export type StoredListener = (aggregate: AggregateName, command: Command, result: CommandResult) => void;

/** Sends commands; optionally waits until named projections show the result (read your writes). */
@Injectable()
export class Commands {
  private readonly storedListeners = new Set<StoredListener>();
  private readonly followUps = new Map<AggregateName, FollowUps>();

  constructor(
    private readonly bus: CommandBus,
    @Inject(INFRASTRUCTURE) private readonly infra: Infrastructure,
  ) {}

  async send<A extends AggregateName>(aggregate: A, command: CommandOf<A>, options: CommandOptions = {}): Promise<CommandResult> {
    // A new stream's state is only worth keeping when something here acts on it next (the engine's
    // eager steps): an API replica starting runs by the thousand would fill its cache for nothing.
    const keep = !options.newStream || this.storedListeners.size > 0;
    const followUps = options.followUps ?? this.followUps.get(aggregate);
    const withFollowUps = followUps ? { ...options, followUps } : options;
    const result: CommandResult = await this.bus.execute(new DispatchCommand(aggregate, command, keep ? withFollowUps : { ...withFollowUps, cache: false }));
    if (result.events.length > 0) for (const listener of this.storedListeners) listener(aggregate, command, result);
    return result;
  }

  /**
   * An in-process hint after an append (the engine runs the pure steps just scheduled at once).
   * The events are stored already; delivery to every consumer stays the forwarder's job.
   */
  onStored(listener: StoredListener): () => void {
    this.storedListeners.add(listener);
    return () => this.storedListeners.delete(listener);
  }

  /**
   * Commands of this aggregate decide, right after themselves and in the same append, the
   * follow-ups this returns (the engine runs pure steps so: see FollowUps in handle-command.ts).
   */
  continueWith(aggregate: AggregateName, followUps: FollowUps): () => void {
    this.followUps.set(aggregate, followUps);
    return () => this.followUps.delete(aggregate);
  }

  /**
   * Sends, then waits (up to 10 s) until the given projections have applied the result, so the
   * next request sees it: accounts, memberships and shares decide who may do what.
   */
  async sendAndProject<A extends AggregateName>(
    aggregate: A,
    command: CommandOf<A>,
    projections: readonly string[],
    options: CommandOptions = {},
  ): Promise<CommandResult> {
    const result = await this.send(aggregate, command, options);
    if (result.position) await this.awaitProjections(result.position, categoryOf(aggregates[aggregate].stream(command as never)), projections);
    return result;
  }

  async awaitProjections(position: LogPosition, category: string, projections: readonly string[]): Promise<void> {
    await Promise.all(projections.map((p) => waitForProjection(this.infra.database.db, p, category, position, PROJECTION_WAIT_MS)));
  }
}
