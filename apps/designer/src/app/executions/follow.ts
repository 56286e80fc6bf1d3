import { parseSse, type SseMessage } from './execution-model';

/**
 * Follows a Server-Sent Events route with fetch (so the bearer token goes in a header). Calls
 * `onMessage` per event; resolves when the stream ends; rejects with the HTTP status on a refusal.
 */
export async function followSse(url: string, headers: Record<string, string>, onMessage: (m: SseMessage) => void, signal: AbortSignal): Promise<void> {
  const res = await fetch(url, { headers: { ...headers, Accept: 'text/event-stream' }, signal });
  if (!res.ok || !res.body) throw Object.assign(new Error(`HTTP ${res.status}`), { status: res.status });
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    const { messages, rest } = parseSse(buffer);
    buffer = rest;
    for (const m of messages) onMessage(m);
  }
}
