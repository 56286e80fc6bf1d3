import type { Request, Response } from 'express';

export interface SseStream {
  send(event: string, data: unknown, id?: string): void;
  /** Resolves when the client goes away or `end` is called. */
  readonly closed: Promise<void>;
  isClosed(): boolean;
  end(): void;
}

const HEARTBEAT_MS = 15_000;

/**
 * Server-Sent Events on an express response (DESIGN.md section 8: long-running progress streams):
 * no buffering, a comment line as heartbeat so proxies keep the connection, closed when the
 * client disconnects.
 */
export function openSse(req: Request, res: Response): SseStream {
  res.status(200);
  res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
  res.setHeader('Cache-Control', 'no-cache, no-transform');
  res.setHeader('Connection', 'keep-alive');
  res.setHeader('X-Accel-Buffering', 'no');
  res.flushHeaders();
  let closed = false;
  let resolveClosed!: () => void;
  const closedPromise = new Promise<void>((resolve) => (resolveClosed = resolve));
  const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
  const close = () => {
    if (closed) return;
    closed = true;
    clearInterval(heartbeat);
    resolveClosed();
  };
  req.on('close', close);
  res.on('close', close);
  return {
    send(event, data, id) {
      if (closed) return;
      res.write(`${id ? `id: ${id}\n` : ''}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    },
    closed: closedPromise,
    isClosed: () => closed,
    end() {
      if (!closed) res.end();
      close();
    },
  };
}
