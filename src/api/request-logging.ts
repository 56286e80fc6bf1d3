import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Request } from 'express';
import { pino, stdSerializers } from 'pino';
import { pinoHttp, type HttpLogger, type Options } from 'pino-http';
import { correlationIdOf } from './request-metadata';

/**
 * The request logger, as plain Express middleware ahead of every route; its logger is also the one
 * nestjs-pino writes the application's logs with (see AppModule).
 *
 * Not nestjs-pino's own middleware: that runs each request inside an AsyncLocalStorage, and on
 * Node 20 a store in use hooks every promise the process creates from then on, the engine's and
 * the projections' too (8% of a run's CPU in one process, measured with bench/ab-executions).
 * So a service's log line written during a request carries no request fields; the request line
 * carries the correlation id.
 */
export function requestLogger(level: string): RequestLogger {
  const options = requestLogging(level);
  if (options.autoLogging) return pinoHttp(options);
  // Above info no request line is written, but pino-http still made two child loggers a request,
  // serializing their bindings: about 2.5% of a loaded API process. The request keeps its id.
  const logger = pino({ level, serializers: options.serializers });
  const middleware = (req: IncomingMessage & { id?: unknown }, _res: ServerResponse, next: () => void) => {
    req.id ??= correlationIdOf(req as Request);
    next();
  };
  return Object.assign(middleware, { logger });
}

/** Express middleware with the root logger of the application's logs. */
export type RequestLogger = ((req: IncomingMessage, res: ServerResponse, next: () => void) => void) & { logger: HttpLogger['logger'] };

/**
 * Request logging: one JSON line per request at info, with the
 * correlation id, method, path, caller address, status and time taken.
 *
 * Headers are left out on purpose: they carry bearer tokens, cookies and webhook signatures, and
 * pino-http's default request serializer wrote them all into the log. The small serializers are
 * also cheaper: pino serializes a request logger's bindings when it is made, once per request,
 * whatever the level (a tenth of a webhook delivery's CPU went to it).
 */
export function requestLogging(level: string): Options {
  return {
    level,
    genReqId: (req) => correlationIdOf(req as Request),
    customProps: (req) => ({ correlationId: (req as { id?: unknown }).id }),
    wrapSerializers: false,
    serializers: {
      req: (req: IncomingMessage & { originalUrl?: string }) => ({ method: req.method, url: req.originalUrl ?? req.url, remoteAddress: req.socket?.remoteAddress }),
      res: (res: ServerResponse) => ({ statusCode: res.statusCode }),
      err: stdSerializers.err,
    },
    // Request lines are logged at info: below that level the per-request hook is only cost.
    autoLogging: ['trace', 'debug', 'info'].includes(level)
      ? { ignore: (req) => req.url === '/metrics' || (req.url ?? '').startsWith('/api/health') }
      : false,
  };
}
