import type { Commands, AggregateName, CommandOf } from '../commands/dispatch';
import type { EngineServices } from '../engine/executor';
import type { Infrastructure } from '../infrastructure';

/** The ports executors reach (EngineServices), on this process's infrastructure and command path. */
export function engineServices(infra: Infrastructure, commands: Commands): EngineServices {
  return {
    config: infra.config,
    db: infra.database.db,
    send: (aggregate, command, options) =>
      commands.send(aggregate as AggregateName, {
        ...command,
        metadata: engineMetadata(options.commandId, options.workspaceId, options.commandId, options.actorId),
      } as CommandOf<AggregateName>),
    now: () => new Date(),
  };
}

/** Metadata of a command the engine sends (a step's report, a timer, a child run): the engine acts, or the user it acts for. */
export function engineMetadata(commandId: string, workspaceId: string, correlationId: string, actorId?: string) {
  return {
    commandId,
    correlationId,
    causationId: commandId,
    actor: actorId ? { kind: 'user' as const, id: actorId } : { kind: 'system' as const, id: 'engine' },
    workspaceId,
    occurredAt: new Date().toISOString(),
  };
}
