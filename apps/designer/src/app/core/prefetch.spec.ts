import { clearPrefetched, PREFETCH_MAX_AGE_MS, prefetchForPage, prefetchUrls, takePrefetched } from './prefetch';

describe('prefetching the first GETs of a designer page', () => {
  const id = '0b5f3c1e-8d7a-4c2b-9e1f-2a3b4c5d6e7f';
  const calls: { url: string; headers: Record<string, string> }[] = [];
  const realFetch = globalThis.fetch;

  beforeEach(() => {
    calls.length = 0;
    clearPrefetched();
    globalThis.fetch = ((url: string, init?: { headers?: Record<string, string> }) => {
      calls.push({ url, headers: init?.headers ?? {} });
      return Promise.resolve(new Response(JSON.stringify({ url }), { status: 200 }));
    }) as typeof fetch;
  });
  afterAll(() => {
    globalThis.fetch = realFetch;
  });

  it('knows the designer URLs and nothing else', () => {
    expect(prefetchUrls(`/workflows/${id}`)).toEqual([`/api/workflows/${id}`, '/api/actions']);
    expect(prefetchUrls('/workflows')).toEqual([]);
    expect(prefetchUrls(`/executions/${id}`)).toEqual([]);
  });

  it('asks with the stored token and workspace, and hands each answer out once', async () => {
    prefetchForPage(`/workflows/${id}`, 'tok', 'ws1', 1000);
    expect(calls.map((c) => c.url)).toEqual([`/api/workflows/${id}`, '/api/actions']);
    expect(calls[0]!.headers).toEqual({ Authorization: 'Bearer tok', 'X-Workspace-Id': 'ws1' });

    const answer = takePrefetched(`/api/workflows/${id}`, 'tok', 'ws1', 1500);
    expect(await (await answer!).json()).toEqual({ url: `/api/workflows/${id}` });
    expect(takePrefetched(`/api/workflows/${id}`, 'tok', 'ws1', 1500)).toBeUndefined();
  });

  it('does not hand out an answer for another token or workspace, or an old one', () => {
    prefetchForPage(`/workflows/${id}`, 'tok', 'ws1', 1000);
    expect(takePrefetched(`/api/workflows/${id}`, 'other', 'ws1', 1000)).toBeUndefined();
    expect(takePrefetched('/api/actions', 'tok', 'ws1', 1000 + PREFETCH_MAX_AGE_MS + 1)).toBeUndefined();
  });

  it('does nothing without a stored session or workspace', () => {
    prefetchForPage(`/workflows/${id}`, null, 'ws1');
    prefetchForPage(`/workflows/${id}`, 'tok', null);
    expect(calls).toHaveLength(0);
  });
});
