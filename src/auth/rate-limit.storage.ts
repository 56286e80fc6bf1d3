import type { ThrottlerStorage } from '@nestjs/throttler';

/** A counting window is cut into this many slots: hits leave it a slot (a sixtieth of the window) at a time. */
const SLOTS = 60;

interface Window {
  slotMs: number;
  /** Hits per slot, a ring indexed by absolute slot number modulo SLOTS. */
  hits: Uint32Array;
  /** The newest slot the ring holds (absolute: time / slotMs). */
  head: number;
  total: number;
  /** While in the future, every request is refused; 0 when not blocked. */
  blockedUntil: number;
}

/**
 * The rate limiter's memory (for @nestjs/throttler): a sliding window of slot counters per key, so a request costs
 * the same however many came before it. The package's own storage keeps every hit's expiry in an array and copies
 * and scans it on each request: at a high limit (a service account starting hundreds of runs a second) that was the
 * busiest allocation of the whole API process.
 *
 * Same rules as the package's: the hit that goes over the limit is refused and starts a block of `blockDuration`,
 * during which every request is refused without counting; when the block ends the count starts afresh.
 */
export class SlidingWindowRateLimitStorage implements ThrottlerStorage {
  private readonly windows = new Map<string, Window>();
  private nextSweep = 0;

  constructor(private readonly now: () => number = Date.now) {}

  async increment(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string) {
    const now = this.now();
    this.sweep(now);
    const id = `${throttlerName}:${key}`;
    let window = this.windows.get(id);
    if (!window) this.windows.set(id, (window = { slotMs: Math.max(1, ttl / SLOTS), hits: new Uint32Array(SLOTS), head: 0, total: 0, blockedUntil: 0 }));
    advance(window, Math.floor(now / window.slotMs));
    if (window.blockedUntil > now) return this.record(window, now, true);
    if (window.blockedUntil !== 0) {
      window.blockedUntil = 0;
      clear(window);
    }
    // Without a block, a request over the limit is refused and not counted: it waits for the oldest hit to leave.
    if (blockDuration <= 0 && window.total >= limit) return this.record(window, now, true);
    window.hits[window.head % SLOTS]++;
    window.total++;
    const over = window.total > limit;
    if (over) window.blockedUntil = now + blockDuration;
    return this.record(window, now, over);
  }

  private record(window: Window, now: number, isBlocked: boolean) {
    const timeToExpire = Math.ceil((oldestHitLeaves(window) - now) / 1000);
    const blockEnds = window.blockedUntil > now ? Math.ceil((window.blockedUntil - now) / 1000) : timeToExpire;
    return { totalHits: window.total, timeToExpire, isBlocked, timeToBlockExpire: isBlocked ? Math.max(1, blockEnds) : 0 };
  }

  /** Forgets keys with no hit in their window and no block, once a minute (the map would otherwise only grow). */
  private sweep(now: number): void {
    if (now < this.nextSweep) return;
    this.nextSweep = now + 60_000;
    for (const [id, window] of this.windows) {
      advance(window, Math.floor(now / window.slotMs));
      if (window.total === 0 && window.blockedUntil <= now) this.windows.delete(id);
    }
  }
}

/** Moves the ring's head to `slot`, dropping the hits of the slots that fell out of the window. */
function advance(window: Window, slot: number): void {
  if (slot <= window.head) return;
  if (slot - window.head >= SLOTS) clear(window);
  else for (let s = window.head + 1; s <= slot; s++) (window.total -= window.hits[s % SLOTS]), (window.hits[s % SLOTS] = 0);
  window.head = slot;
}

function clear(window: Window): void {
  window.hits.fill(0);
  window.total = 0;
}

/** When the oldest hit still counted leaves the window (epoch ms); the head slot's end when there is none. */
function oldestHitLeaves(window: Window): number {
  for (let s = window.head - SLOTS + 1; s <= window.head; s++) if (window.hits[((s % SLOTS) + SLOTS) % SLOTS] > 0) return (s + SLOTS) * window.slotMs;
  return (window.head + SLOTS) * window.slotMs;
}
