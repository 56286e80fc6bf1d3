import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { TerminusModule } from '@nestjs/terminus';
import { LoggerModule } from 'nestjs-pino';
import type { Request } from 'express';
import type { ProcessRoles } from './config';
import type { Infrastructure } from './infrastructure';
import { INFRASTRUCTURE } from './runtime/tokens';
import { ForwarderService } from './runtime/forwarder.service';
import { ProjectionsService } from './runtime/projections.service';
import { WorkflowCommandHandler } from './commands/workflow-command.handler';
import { GetWorkflowHandler, ListWorkflowsHandler } from './queries/workflow.queries';
import { WorkflowsController } from './api/workflows.controller';
import { HealthController } from './api/health.controller';
import { MetricsController } from './api/metrics.controller';
import { correlationIdOf } from './api/request-metadata';

/**
 * One module for every process kind: the roles decide which parts run. Every process serves
 * health and metrics; only the API role serves the rest of the HTTP API.
 */
@Module({})
export class AppModule {
  static forRoot(infra: Infrastructure, roles: ProcessRoles): DynamicModule {
    const providers: Provider[] = [{ provide: INFRASTRUCTURE, useValue: infra }];
    const controllers: DynamicModule['controllers'] = [HealthController, MetricsController];
    if (roles.api) {
      providers.push(WorkflowCommandHandler, ListWorkflowsHandler, GetWorkflowHandler);
      controllers.push(WorkflowsController);
    }
    if (roles.forwarder) providers.push(ForwarderService);
    if (roles.projections) providers.push(ProjectionsService);
    return {
      module: AppModule,
      imports: [
        CqrsModule.forRoot(),
        TerminusModule,
        LoggerModule.forRoot({
          pinoHttp: {
            level: infra.config.logLevel,
            genReqId: (req) => correlationIdOf(req as Request),
            customProps: (req) => ({ correlationId: (req as { id?: unknown }).id }),
            autoLogging: { ignore: (req) => req.url === '/metrics' || (req.url ?? '').startsWith('/api/health') },
          },
        }),
      ],
      providers,
      controllers,
    };
  }
}
