import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { JwtModule } from '@nestjs/jwt';
import { ThrottlerModule } from '@nestjs/throttler';
import { TerminusModule } from '@nestjs/terminus';
import { LoggerModule } from 'nestjs-pino';
import type { Logger } from 'pino';
import type { ProcessRoles } from './config';
import type { Infrastructure } from './infrastructure';
import { INFRASTRUCTURE } from './runtime/tokens';
import { SlidingWindowRateLimitStorage } from './auth/rate-limit.storage';
import { ForwarderService } from './runtime/forwarder.service';
import { ProjectionsService } from './runtime/projections.service';
import { EngineService } from './runtime/engine.service';
import { PureStepsService } from './runtime/pure-steps.service';
import { Commands, DispatchCommandHandler } from './commands/dispatch';
import { GetWorkflowAsOfHandler, GetWorkflowHandler, ListWorkflowsHandler } from './queries/workflow.queries';
import { WorkflowGraphController } from './api/workflow-graph.controller';
import { WorkflowVersionsController } from './api/workflow-versions.controller';
import { WorkspaceQueries } from './queries/workspace.queries';
import { GetNotificationHandler, ListActivityHandler, ListNotificationsHandler } from './queries/activity.queries';
import { WorkflowsController } from './api/workflows.controller';
import { AuthController } from './api/auth.controller';
import { UsersController } from './api/users.controller';
import { WorkspacesController } from './api/workspaces.controller';
import { SharingController } from './api/sharing.controller';
import { PublicLinkController } from './api/public-link.controller';
import { ActivityController } from './api/activity.controller';
import { ActionsController } from './api/actions.controller';
import { ExecutionsController } from './api/executions.controller';
import { ApprovalsController } from './api/approvals.controller';
import { ExecutionQueries } from './queries/execution.queries';
import { ExecutionStarter } from './commands/start-execution';
import { TasksController } from './api/tasks.controller';
import { OutboxController } from './api/outbox.controller';
import { ListOutboxHandler } from './queries/outbox.queries';
import { NotificationStreamController } from './api/notification-stream.controller';
import { PollNotificationsHandler } from './queries/notification-stream.queries';
import { AccessService } from './auth/access.service';
import { AccountsService } from './auth/accounts.service';
import { AuthService } from './auth/auth.service';
import { OwnerBootstrapService } from './auth/owner-bootstrap.service';
import { JwtKeys } from './auth/jwt-keys';
import { loadJwtSecret } from './auth/jwt-secret';
import { AccessGuard, JwtAuthGuard, RateLimitGuard } from './auth/guards';
import { HealthController } from './api/health.controller';
import { MetricsController } from './api/metrics.controller';
import { TriggersService } from './triggers/triggers.service';
import { triggerApiProviders, TriggersController, HooksController, EventsController } from './api/triggers.module-parts';

/**
 * One module for every process kind: the roles decide which parts run. Every process serves
 * health and metrics; only the API role serves the rest of the HTTP API.
 */
@Module({})
export class AppModule {
  /** `logger`: the root logger of the application's logs (the request logger's, see requestLogger). */
  static forRoot(infra: Infrastructure, roles: ProcessRoles, logger: Logger): DynamicModule {
    // Every role sends commands (the API for requests, the engine for steps and timers).
    const providers: Provider[] = [{ provide: INFRASTRUCTURE, useValue: infra }, DispatchCommandHandler, Commands];
    const controllers: DynamicModule['controllers'] = [HealthController, MetricsController];
    const imports: DynamicModule['imports'] = [];
    // Projections first: their catch-up at start runs before anything waits on them.
    if (roles.projections) providers.push(ProjectionsService);
    if (roles.forwarder) providers.push(ForwarderService);
    if (roles.engine) providers.push(EngineService, TriggersService);
    // Whoever handles execution commands runs the pure steps they schedule (see PureStepsService).
    if (roles.engine || roles.api) providers.push(PureStepsService);
    if (roles.api) {
      imports.push(
        JwtModule.register({}),
        ThrottlerModule.forRoot({ throttlers: [{ name: 'default', ttl: 60_000, limit: infra.config.rateLimitPerMinute }], storage: new SlidingWindowRateLimitStorage() }),
      );
      providers.push(
        ListWorkflowsHandler,
        GetWorkflowHandler,
        GetWorkflowAsOfHandler,
        ListActivityHandler,
        ListNotificationsHandler,
        GetNotificationHandler,
        ListOutboxHandler,
        PollNotificationsHandler,
        WorkspaceQueries,
        ExecutionQueries,
        ExecutionStarter,
        AccessService,
        AccountsService,
        AuthService,
        OwnerBootstrapService,
        {
          provide: JwtKeys,
          useFactory: async () =>
            new JwtKeys(await loadJwtSecret(infra.database.db, infra.config.jwtSecret), infra.config.accessTokenTtlSeconds, infra.config.refreshTokenTtlSeconds),
        },
        // Order matters: who you are, then how fast you go, then what you may do.
        { provide: APP_GUARD, useClass: JwtAuthGuard },
        { provide: APP_GUARD, useClass: RateLimitGuard },
        { provide: APP_GUARD, useClass: AccessGuard },
      );
      // Webhook deliveries first: Express tries routes in order, and this is the busiest public one
      // (it was the 105th of 109: a hundred path matches per delivery). No other path overlaps it.
      controllers.push(HooksController);
      // Executions next: `/api/workflows/executions` must not be taken for a workflow id.
      controllers.push(ExecutionsController, ApprovalsController, AuthController, UsersController, WorkspacesController, WorkflowsController, WorkflowGraphController, WorkflowVersionsController, SharingController, PublicLinkController, ActivityController, ActionsController);
      controllers.push(TasksController);
      controllers.push(OutboxController, NotificationStreamController);
      providers.push(...triggerApiProviders(infra));
      controllers.push(TriggersController, EventsController);
    }
    return {
      module: AppModule,
      imports: [
        ...imports,
        CqrsModule.forRoot(),
        TerminusModule,
        // No middleware of its own (no routes): bootstrap installs the request logger.
        LoggerModule.forRoot({ pinoHttp: { logger }, forRoutes: [] }),
      ],
      providers,
      controllers,
    };
  }
}
