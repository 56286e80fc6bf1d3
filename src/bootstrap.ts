import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ValidationPipe, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import express, { type NextFunction, type Request, type Response } from 'express';
import { AppModule } from './app.module';
import type { ProcessRoles } from './config';
import type { Infrastructure } from './infrastructure';
import { ProblemFilter, codeForStatus, titleForStatus } from './api/problem.filter';
import { problem, sendProblem } from './api/problem';
import { requestLogger } from './api/request-logging';

/** Builds the Nest application of one process (not yet listening). Used by every entry point and the e2e tests. */
export async function createApp(infra: Infrastructure, roles: ProcessRoles): Promise<INestApplication> {
  const requestLog = requestLogger(infra.config.logLevel);
  const app = await NestFactory.create(AppModule.forRoot(infra, roles, requestLog.logger), { bodyParser: false, bufferLogs: true });
  app.useLogger(app.get(Logger));
  app.use(requestLog);
  // Webhooks are verified over the exact bytes sent: that path keeps its raw body (any content type), nothing else does.
  app.use('/api/hooks', express.raw({ limit: infra.config.bodyLimit, type: () => true }));
  app.use(express.json({ limit: infra.config.bodyLimit, type: ['application/json', 'application/*+json'] }));
  app.use(bodyErrorsAsProblems);
  if (roles.api) serveDesigner(app, infra.config.designerDir);
  app.useGlobalPipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true, stopAtFirstError: false }));
  app.useGlobalFilters(new ProblemFilter());
  if (roles.api) {
    const document = SwaggerModule.createDocument(
      app,
      new DocumentBuilder()
        .setTitle('BlueBirdHub Workflows API')
        .setDescription('Event-sourced workflow automation. Every change is a command; errors are application/problem+json.')
        .setVersion('0.1.0')
        .addBearerAuth()
        .build(),
    );
    SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs/openapi.json' });
  }
  return app;
}

/** Malformed JSON, bodies over the limit and bad encodings become 4xx problems, not HTML. */
function bodyErrorsAsProblems(error: unknown, req: Request, res: Response, next: NextFunction): void {
  const e = error as { status?: number; statusCode?: number; type?: string; message?: string };
  const status = e.status ?? e.statusCode;
  if (!status || status < 400 || status >= 500) return next(error);
  const code = e.type === 'entity.parse.failed' ? 'malformed-json' : codeForStatus(status);
  const title = e.type === 'entity.parse.failed' ? 'Malformed JSON' : titleForStatus(status);
  sendProblem(res, { ...problem(status, code, title, e.message), instance: req.originalUrl });
}

/** The built Angular app at `/`, with index.html for client-side routes. */
function serveDesigner(app: INestApplication, designerDir: string): void {
  const index = join(designerDir, 'index.html');
  app.use(express.static(designerDir, { index: false, maxAge: '1h' }));
  app.use((req: Request, res: Response, next: NextFunction) => {
    const isApi = req.path.startsWith('/api') || req.path === '/metrics';
    if (req.method !== 'GET' || isApi || !req.accepts('html')) return next();
    if (!existsSync(index)) {
      res.status(503).type('text/plain').send('The designer is not built yet: run `npm run build:designer` (npm start does it for you).');
      return;
    }
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(index);
  });
}
