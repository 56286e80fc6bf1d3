import type { Response } from 'express';

/** RFC 9457 problem details. `type` is stable: clients and tests match on it. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  [extension: string]: unknown;
}

export const PROBLEM_BASE = 'https://bluebird.dev/problems/';

export function problem(status: number, code: string, title: string, detail?: string, extensions: Record<string, unknown> = {}): Problem {
  return { type: `${PROBLEM_BASE}${code}`, title, status, ...(detail ? { detail } : {}), ...extensions };
}

export function sendProblem(res: Response, body: Problem): void {
  res.status(body.status).type('application/problem+json').send(JSON.stringify(body));
}
