import { SlidingWindowRateLimitStorage } from './rate-limit.storage';

const MINUTE = 60_000;

describe('SlidingWindowRateLimitStorage', () => {
  let now: number;
  let storage: SlidingWindowRateLimitStorage;
  const hit = (key = 'user-1', limit = 3, blockDuration = MINUTE) => storage.increment(key, MINUTE, limit, blockDuration, 'default');

  beforeEach(() => {
    now = 1_000_000_000;
    storage = new SlidingWindowRateLimitStorage(() => now);
  });

  it('counts hits up to the limit, refuses the next and blocks the key for the block duration, without counting', async () => {
    expect(await hit()).toEqual({ totalHits: 1, timeToExpire: 60, isBlocked: false, timeToBlockExpire: 0 });
    await hit();
    expect((await hit()).isBlocked).toBe(false);
    expect(await hit()).toMatchObject({ totalHits: 4, isBlocked: true, timeToBlockExpire: 60 });
    now += 30_000;
    expect(await hit()).toMatchObject({ totalHits: 4, isBlocked: true, timeToBlockExpire: 30 });
    now += 30_000;
    // The block is over: the count starts afresh.
    expect(await hit()).toMatchObject({ totalHits: 1, isBlocked: false });
  });

  it('lets each hit leave the window a minute after it came (a sliding window, not a fixed one)', async () => {
    await hit(); // t = 0
    now += 40_000;
    await hit(); // t = 40 s
    expect((await hit()).totalHits).toBe(3);
    now += 21_000; // t = 61 s: the first hit has left, the others have not
    expect(await hit()).toMatchObject({ totalHits: 3, isBlocked: false });
    // The oldest hit still counted (t = 40 s) leaves at t = 100 s, 39 s from now.
    expect((await hit()).timeToExpire).toBe(39);
  });

  it('keeps keys and limiters apart', async () => {
    for (let i = 0; i < 4; i++) await hit('user-1');
    expect((await hit('user-1')).isBlocked).toBe(true);
    expect(await hit('user-2')).toMatchObject({ totalHits: 1, isBlocked: false });
    expect(await storage.increment('user-1', MINUTE, 3, MINUTE, 'other')).toMatchObject({ totalHits: 1, isBlocked: false });
  });

  it('without a block duration refuses only what is over the limit', async () => {
    for (let i = 0; i < 3; i++) await hit('user-1', 3, 0);
    now += 10_000;
    expect(await hit('user-1', 3, 0)).toMatchObject({ totalHits: 3, isBlocked: true, timeToBlockExpire: 50 });
    now += 50_000;
    expect(await hit('user-1', 3, 0)).toMatchObject({ totalHits: 1, isBlocked: false });
  });

  it('costs the same per request however many came before (the package storage scanned every hit of the minute)', async () => {
    const started = performance.now();
    for (let i = 0; i < 200_000; i++) {
      await hit('busy', 10_000_000);
      if (i % 1000 === 0) now += 100;
    }
    expect((await hit('busy', 10_000_000)).totalHits).toBe(200_001);
    // A scan per request would be 200,000 * 100,000 steps on average: minutes, not this.
    expect(performance.now() - started).toBeLessThan(3000);
  });

  it('forgets idle keys', async () => {
    for (let i = 0; i < 100; i++) await hit(`user-${i}`);
    now += 2 * MINUTE;
    await hit('user-x');
    expect((storage as unknown as { windows: Map<string, unknown> }).windows.size).toBe(1);
  });
});
