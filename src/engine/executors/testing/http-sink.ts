import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A real HTTP server on 127.0.0.1 (random port) for executor tests: it records every request
 * (method, path, query, headers, raw body) and answers through the handler a test gives it.
 */
export interface ReceivedRequest {
  method: string;
  path: string;
  query: Record<string, string | string[]>;
  headers: IncomingMessage['headers'];
  body: string;
}

export type SinkHandler = (request: ReceivedRequest, response: ServerResponse) => void | Promise<void>;

export interface HttpSink {
  url: string;
  port: number;
  received: ReceivedRequest[];
  close(): Promise<void>;
}

export async function startHttpSink(handler: SinkHandler): Promise<HttpSink> {
  const received: ReceivedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://sink');
      const query: Record<string, string | string[]> = {};
      for (const key of new Set(url.searchParams.keys())) {
        const all = url.searchParams.getAll(key);
        query[key] = all.length === 1 ? all[0] : all;
      }
      const request = { method: req.method ?? '', path: url.pathname, query, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      received.push(request);
      Promise.resolve(handler(request, res)).catch((error: unknown) => {
        res.statusCode = 500;
        res.end(String(error));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        // Slow handlers a test walked away from must not keep the process alive.
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}
