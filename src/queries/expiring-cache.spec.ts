import { ExpiringCache } from './expiring-cache';

describe('ExpiringCache', () => {
  it('given a stale entry and many callers at once, then one reload runs: the first caller waits for it, the others get the old value meanwhile', async () => {
    let loads = 0;
    let release!: () => void;
    const cache = new ExpiringCache<number>(0);
    await cache.get('k', async () => ++loads);
    const gate = new Promise<void>((r) => (release = r));
    const load = async () => {
      await gate;
      return ++loads;
    };
    const first = cache.get('k', load);
    const during = await Promise.all(Array.from({ length: 20 }, () => cache.get('k', load)));
    expect(during).toEqual(Array(20).fill(1));
    release();
    expect(await first).toBe(2);
    expect(loads).toBe(2);
    expect(await new ExpiringCache<number>(60_000).get('x', async () => 7)).toBe(7);
  });

  it('given a key never seen, then concurrent callers wait for one load; after delete the next caller loads again', async () => {
    let loads = 0;
    const cache = new ExpiringCache<string>(60_000);
    const load = async () => `v${++loads}`;
    expect(await Promise.all([cache.get('k', load), cache.get('k', load), cache.get('k', load)])).toEqual(['v1', 'v1', 'v1']);
    expect(await cache.get('k', load)).toBe('v1');
    cache.delete('k');
    expect(await cache.get('k', load)).toBe('v2');
  });

  it('given a failing load, then the callers see the error and the next call tries again', async () => {
    const cache = new ExpiringCache<number>(60_000);
    await expect(cache.get('k', async () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    expect(await cache.get('k', async () => 3)).toBe(3);
  });

  it('given a load still running when its key is deleted, then its callers get what it read but it is not kept: the next call loads again', async () => {
    const cache = new ExpiringCache<string>(60_000);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const before = cache.get('k', async () => (await gate, 'read before the change'));
    cache.delete('k');
    const after = cache.get('k', async () => 'read after the change');
    release();
    expect(await before).toBe('read before the change');
    expect(await after).toBe('read after the change');
    expect(await cache.get('k', async () => 'not called')).toBe('read after the change');
  });

  it('given a hold, then until it is released every get loads and nothing read meanwhile is kept', async () => {
    const cache = new ExpiringCache<string>(60_000);
    await cache.get('k', async () => 'before');
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const startedBefore = cache.get('other', async () => (await gate, 'read before the hold'));
    const released = cache.hold();
    expect(await cache.get('k', async () => 'during 1')).toBe('during 1');
    expect(await cache.get('k', async () => 'during 2')).toBe('during 2');
    release();
    await startedBefore;
    released();
    released(); // a second call changes nothing
    expect(await cache.get('k', async () => 'after')).toBe('after');
    expect(await cache.get('k', async () => 'not called')).toBe('after');
    expect(await cache.get('other', async () => 'after')).toBe('after');
  });
});
