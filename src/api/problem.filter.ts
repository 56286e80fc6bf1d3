import { ArgumentsHost, Catch, HttpException, Logger, type ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from 'express';
import { DomainError } from '../domain/decider';
import { ConcurrencyConflict, PreconditionFailed } from '../commands/handle-command';
import { DuplicateEventId, WrongExpectedVersion } from '../adapters/event-store/event-store.port';
import { problem, sendProblem, type Problem } from './problem';

const DOMAIN_STATUS = { not_found: 404, conflict: 409, rule_violated: 422 } as const;

/** Every error leaves as application/problem+json; only a real fault is a 5xx (and is logged). */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemFilter');

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const req = http.getRequest<Request>();
    const res = http.getResponse<Response>();
    const body = this.toProblem(error);
    if (body.status >= 500) this.logger.error(error instanceof Error ? error.stack : String(error));
    sendProblem(res, { ...body, instance: req.originalUrl });
  }

  private toProblem(error: unknown): Problem {
    if (error instanceof DomainError) {
      return problem(DOMAIN_STATUS[error.kind], error.code, titleOf(error.code), error.message, error.details !== undefined ? { errors: error.details } : {});
    }
    if (error instanceof PreconditionFailed) {
      return problem(412, 'precondition-failed', 'Precondition failed', error.message, { currentRevision: Number(error.currentRevision) });
    }
    if (error instanceof ConcurrencyConflict || error instanceof WrongExpectedVersion || error instanceof DuplicateEventId) {
      return problem(409, 'concurrency-conflict', 'Concurrent change', error.message);
    }
    if (error instanceof HttpException) {
      const status = error.getStatus();
      const response = error.getResponse();
      if (typeof response === 'object' && response !== null && 'type' in response) return { ...(response as Problem), status };
      const messages = typeof response === 'object' && response !== null ? (response as { message?: unknown }).message : response;
      const errors = Array.isArray(messages) ? messages.map(String) : undefined;
      const detail = errors ? errors.join('; ') : String(messages ?? error.message);
      return problem(status, codeForStatus(status), titleForStatus(status), detail, errors ? { errors } : {});
    }
    return problem(500, 'internal-error', 'Internal error', 'Something went wrong on our side; it has been logged.');
  }
}

function titleOf(code: string): string {
  const text = code.replace(/-/g, ' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

const STATUS_CODES: Record<number, [string, string]> = {
  400: ['bad-request', 'Bad request'],
  401: ['unauthorized', 'Unauthorized'],
  403: ['forbidden', 'Forbidden'],
  404: ['not-found', 'Not found'],
  405: ['method-not-allowed', 'Method not allowed'],
  409: ['conflict', 'Conflict'],
  412: ['precondition-failed', 'Precondition failed'],
  413: ['payload-too-large', 'Payload too large'],
  415: ['unsupported-media-type', 'Unsupported media type'],
  422: ['unprocessable', 'Unprocessable content'],
  428: ['precondition-required', 'Precondition required'],
  429: ['too-many-requests', 'Too many requests'],
  503: ['unavailable', 'Service unavailable'],
};

export const codeForStatus = (status: number): string => STATUS_CODES[status]?.[0] ?? (status >= 500 ? 'internal-error' : 'bad-request');
export const titleForStatus = (status: number): string => STATUS_CODES[status]?.[1] ?? 'Error';
