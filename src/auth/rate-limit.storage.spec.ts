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
    // Times a batch of hits on one key, the clock moving 100 ms per 1,000 hits (200,000 hits stay within the minute).
    let sent = 0;
    const batch = async (count: number) => {
      const started = performance.now();
      for (let i = 0; i < count; i++, sent++) {
        await hit('busy', 10_000_000);
        if (sent % 1000 === 0) now += 100;
      }
      return performance.now() - started;
    };
    const first = await batch(5_000);
    await batch(190_000);
    const last = await batch(5_000);
    expect((await hit('busy', 10_000_000)).totalHits).toBe(200_001);
    // Compared with the first batch, not with a wall-clock figure, so a busy machine slows both alike. A scan per
    // request would make the last batch walk ~195,000 expiries per hit: a thousand times the first, not five.
    expect(last).toBeLessThan(first * 5 + 50);
  });

  it('forgets idle keys', async () => {
    for (let i = 0; i < 100; i++) await hit(`user-${i}`);
    now += 2 * MINUTE;
    await hit('user-x');
    expect((storage as unknown as { windows: Map<string, unknown> }).windows.size).toBe(1);
  });
});
