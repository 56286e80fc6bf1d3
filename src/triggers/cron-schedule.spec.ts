import fc from 'fast-check';
import { checkCronSchedule, CronScheduleError, nextFires, parseCronSchedule, tickId, ticksBetween, validateTimeZone } from './cron-schedule';

const iso = (dates: Date[]) => dates.map((d) => d.toISOString());
const at = (text: string) => new Date(text);
const fires = (expression: string, zone: string, after: string, count: number) => iso(nextFires(expression, zone, at(after), count));

/** Local wall-clock reading of an instant in a zone: "YYYY-MM-DD HH:MM:SS". */
function local(instant: Date, zone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    })
      .formatToParts(instant)
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second}`;
}

// Transition instants used below (hand-computed from the zone rules, 2026):
//   Europe/Berlin      spring 2026-03-29 01:00Z (02:00 CET -> 03:00 CEST), autumn 2026-10-25 01:00Z (03:00 CEST -> 02:00 CET)
//   America/New_York   spring 2026-03-08 07:00Z (02:00 EST -> 03:00 EDT), autumn 2026-11-01 06:00Z (02:00 EDT -> 01:00 EST)
//   Australia/Adelaide autumn 2026-04-04 16:30Z (03:00 ACDT -> 02:00 ACST), spring 2026-10-03 16:30Z (02:00 ACST -> 03:00 ACDT)
//   Australia/Lord_Howe autumn 2026-04-04 15:00Z (02:00 +11 -> 01:30 +10:30), spring 2026-10-03 15:30Z (02:00 +10:30 -> 02:30 +11)
describe('nextFires across daylight-saving changes (hand-computed instants)', () => {
  describe('Europe/Berlin', () => {
    const zone = 'Europe/Berlin';

    it('spring gap: 02:30 does not exist on 2026-03-29, a fixed-time job fires once at 03:00 CEST (01:00Z)', () => {
      expect(fires('30 2 * * *', zone, '2026-03-27T12:00:00Z', 4)).toEqual([
        '2026-03-28T01:30:00.000Z', // 02:30 CET (+01:00)
        '2026-03-29T01:00:00.000Z', // gap -> 03:00 CEST, the transition instant
        '2026-03-30T00:30:00.000Z', // 02:30 CEST (+02:00)
        '2026-03-31T00:30:00.000Z',
      ]);
      expect(local(at('2026-03-29T01:00:00Z'), zone)).toBe('2026-03-29 03:00:00');
    });

    it('spring gap with seconds: 02:30:15 fires at 03:00:00 CEST, not 03:00:15', () => {
      expect(fires('15 30 2 * * *', zone, '2026-03-28T12:00:00Z', 2)).toEqual(['2026-03-29T01:00:00.000Z', '2026-03-30T00:30:15.000Z']);
    });

    it('spring gap: a 03:00 job and a gap job land on the same instant; nothing fires twice', () => {
      expect(fires('0 3 * * *', zone, '2026-03-28T12:00:00Z', 2)).toEqual(['2026-03-29T01:00:00.000Z', '2026-03-30T01:00:00.000Z']);
    });

    it('spring gap, interval job: the missing local times are skipped and the real-time rhythm is kept', () => {
      expect(fires('*/30 * * * *', zone, '2026-03-29T00:00:00Z', 4)).toEqual([
        '2026-03-29T00:30:00.000Z', // 01:30 CET
        '2026-03-29T01:00:00.000Z', // 03:00 CEST (02:00 and 02:30 do not exist)
        '2026-03-29T01:30:00.000Z', // 03:30 CEST
        '2026-03-29T02:00:00.000Z',
      ]);
    });

    it('autumn overlap: 02:30 happens twice on 2026-10-25, a fixed-time job fires once, at the first (CEST) one', () => {
      expect(fires('30 2 * * *', zone, '2026-10-23T12:00:00Z', 4)).toEqual([
        '2026-10-24T00:30:00.000Z', // 02:30 CEST
        '2026-10-25T00:30:00.000Z', // first 02:30 (CEST, +02:00); the second, 01:30Z (CET), does not fire
        '2026-10-26T01:30:00.000Z', // 02:30 CET (+01:00)
        '2026-10-27T01:30:00.000Z',
      ]);
    });

    it('autumn overlap: asking from inside the repeated hour does not fire the second 02:30', () => {
      expect(fires('30 2 * * *', zone, '2026-10-25T00:45:00Z', 1)).toEqual(['2026-10-26T01:30:00.000Z']);
      expect(fires('30 2 * * *', zone, '2026-10-25T01:15:00Z', 1)).toEqual(['2026-10-26T01:30:00.000Z']);
    });

    it('autumn overlap, interval job: both real 02:30s fire, so an hourly job runs every real hour', () => {
      expect(fires('30 * * * *', zone, '2026-10-24T23:00:00Z', 4)).toEqual([
        '2026-10-24T23:30:00.000Z', // 01:30 CEST
        '2026-10-25T00:30:00.000Z', // 02:30 CEST
        '2026-10-25T01:30:00.000Z', // 02:30 CET
        '2026-10-25T02:30:00.000Z', // 03:30 CET
      ]);
    });

    it('weekdays at 09:00 on both sides of the spring change', () => {
      expect(fires('0 9 * * 1-5', zone, '2026-03-26T12:00:00Z', 3)).toEqual([
        '2026-03-27T08:00:00.000Z', // Fri 09:00 CET
        '2026-03-30T07:00:00.000Z', // Mon 09:00 CEST
        '2026-03-31T07:00:00.000Z',
      ]);
    });
  });

  describe('America/New_York', () => {
    const zone = 'America/New_York';

    it('spring gap: 02:30 on 2026-03-08 fires at 03:00 EDT (07:00Z)', () => {
      expect(fires('30 2 * * *', zone, '2026-03-06T12:00:00Z', 3)).toEqual([
        '2026-03-07T07:30:00.000Z', // 02:30 EST (-05:00)
        '2026-03-08T07:00:00.000Z', // gap -> 03:00 EDT
        '2026-03-09T06:30:00.000Z', // 02:30 EDT (-04:00)
      ]);
    });

    it('spring gap, interval job restricted to hour 2: that day has no 02:xx, so it does not fire', () => {
      expect(fires('*/20 2 * * *', zone, '2026-03-08T06:00:00Z', 2)).toEqual(['2026-03-09T06:00:00.000Z', '2026-03-09T06:20:00.000Z']);
    });

    it('autumn overlap: 01:30 on 2026-11-01 fires once, at 01:30 EDT (05:30Z), not at 01:30 EST (06:30Z)', () => {
      expect(fires('30 1 * * *', zone, '2026-10-31T00:00:00Z', 3)).toEqual([
        '2026-10-31T05:30:00.000Z', // 01:30 EDT
        '2026-11-01T05:30:00.000Z', // first 01:30 (EDT)
        '2026-11-02T06:30:00.000Z', // 01:30 EST
      ]);
    });

    it('autumn overlap, hourly job: 01:00 EDT and 01:00 EST both fire', () => {
      expect(fires('0 * * * *', zone, '2026-11-01T04:30:00Z', 3)).toEqual([
        '2026-11-01T05:00:00.000Z', // 01:00 EDT
        '2026-11-01T06:00:00.000Z', // 01:00 EST
        '2026-11-01T07:00:00.000Z', // 02:00 EST
      ]);
    });
  });

  describe('zones with 30-minute offsets', () => {
    it('Asia/Kolkata (+05:30, no DST): 09:00 is 03:30Z, and New Year midnight is 18:30Z the day before', () => {
      expect(fires('0 9 * * *', 'Asia/Kolkata', '2026-03-28T12:00:00Z', 2)).toEqual(['2026-03-29T03:30:00.000Z', '2026-03-30T03:30:00.000Z']);
      expect(fires('0 0 1 1 *', 'Asia/Kolkata', '2026-06-01T00:00:00Z', 2)).toEqual(['2026-12-31T18:30:00.000Z', '2027-12-31T18:30:00.000Z']);
    });

    it('Australia/Adelaide spring gap (2026-10-04): 02:30 fires at 03:00 ACDT (16:30Z the day before)', () => {
      expect(fires('30 2 * * *', 'Australia/Adelaide', '2026-10-02T00:00:00Z', 3)).toEqual([
        '2026-10-02T17:00:00.000Z', // 02:30 ACST (+09:30)
        '2026-10-03T16:30:00.000Z', // gap -> 03:00 ACDT (+10:30)
        '2026-10-04T16:00:00.000Z', // 02:30 ACDT
      ]);
    });

    it('Australia/Adelaide autumn overlap (2026-04-05): 02:30 fires once, at 02:30 ACDT (16:00Z)', () => {
      expect(fires('30 2 * * *', 'Australia/Adelaide', '2026-04-04T00:00:00Z', 2)).toEqual([
        '2026-04-04T16:00:00.000Z', // first 02:30 (ACDT); the second would be 17:00Z
        '2026-04-05T17:00:00.000Z', // 02:30 ACST
      ]);
    });

    it('Australia/Lord_Howe shifts by only 30 minutes: 02:15 (gap) fires at 02:30, 01:45 (overlap) fires once', () => {
      expect(fires('15 2 * * *', 'Australia/Lord_Howe', '2026-10-03T00:00:00Z', 2)).toEqual(['2026-10-03T15:30:00.000Z', '2026-10-04T15:15:00.000Z']);
      expect(fires('45 1 * * *', 'Australia/Lord_Howe', '2026-04-04T00:00:00Z', 2)).toEqual(['2026-04-04T14:45:00.000Z', '2026-04-05T15:15:00.000Z']);
    });
  });
});

const ZONES = ['Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'Australia/Adelaide', 'Australia/Lord_Howe', 'UTC'];
const PATTERNS = ['30 2 * * *', '0 1 * * *', '*/15 * * * *', '30 * * * *', '0 */2 * * *', '45 1,2 * * 0', '*/20 * * * * *', '0 0 L * *', '0 9 * * 1-5'];
// Starting points: mostly within two days before (or one after) a 2026 transition of a zone above, else anywhere
// between March and November.
const TRANSITIONS = ['2026-03-29T01:00Z', '2026-10-25T01:00Z', '2026-03-08T07:00Z', '2026-11-01T06:00Z', '2026-04-04T16:30Z', '2026-10-03T16:30Z', '2026-04-04T15:00Z', '2026-10-03T15:30Z'];
const around2026Transitions = fc.oneof(
  { weight: 3, arbitrary: fc.tuple(fc.constantFrom(...TRANSITIONS), fc.integer({ min: -2 * 86_400_000, max: 86_400_000 })).map(([t, offset]) => new Date(Date.parse(t) + offset)) },
  { weight: 1, arbitrary: fc.integer({ min: Date.parse('2026-03-01T00:00:00Z'), max: Date.parse('2026-11-15T00:00:00Z') }).map((ms) => new Date(ms)) },
);

describe('nextFires properties', () => {
  it('the sequence does not depend on where you start asking (replicas and restarts see the same ticks)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...PATTERNS), fc.constantFrom(...ZONES), around2026Transitions, fc.nat(30), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (expr, zone, start, i, frac) => {
        const sequence = nextFires(expr, zone, start, 40);
        const from = new Date(sequence[i].getTime() + Math.floor(frac * (sequence[i + 1].getTime() - sequence[i].getTime())));
        expect(iso(nextFires(expr, zone, from, 5))).toEqual(iso(sequence.slice(i + 1, i + 6)));
      }),
      { numRuns: 100 },
    );
  });

  it('instants are strictly increasing, whole seconds and strictly after the reference', () => {
    fc.assert(
      fc.property(fc.constantFrom(...PATTERNS), fc.constantFrom(...ZONES), around2026Transitions, (expr, zone, after) => {
        const sequence = nextFires(expr, zone, after, 20);
        expect(sequence).toHaveLength(20);
        let previous = after.getTime();
        for (const instant of sequence) {
          expect(instant.getTime()).toBeGreaterThan(previous);
          expect(instant.getTime() % 1000).toBe(0);
          previous = instant.getTime();
        }
      }),
      { numRuns: 60 },
    );
  });

  it('a daily fixed-time job fires exactly once per local day, at its time or (in a gap) at the end of the gap', () => {
    fc.assert(
      fc.property(fc.constantFrom(...ZONES), fc.integer({ min: 0, max: 3 }), fc.constantFrom(0, 15, 30, 45), around2026Transitions, (zone, hour, minute, after) => {
        const sequence = nextFires(`${minute} ${hour} * * *`, zone, after, 20);
        const want = `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}:00`;
        for (let k = 0; k < sequence.length; k++) {
          const [day, time] = local(sequence[k], zone).split(' ');
          if (k > 0) {
            const previousDay = local(sequence[k - 1], zone).split(' ')[0];
            expect(Date.parse(`${day}T00:00:00Z`) - Date.parse(`${previousDay}T00:00:00Z`)).toBe(86_400_000);
          }
          if (time !== want) {
            // Only allowed for a gap: the local clock jumped over `want` right at this instant.
            expect(time > want).toBe(true);
            expect(local(new Date(sequence[k].getTime() - 1000), zone).split(' ')[1] < want).toBe(true);
          }
        }
      }),
      { numRuns: 60 },
    );
  });

  it('a */15 job keeps an exact 15-minute real-time rhythm through gaps and overlaps', () => {
    fc.assert(
      fc.property(fc.constantFrom(...ZONES), around2026Transitions, (zone, after) => {
        const sequence = nextFires('*/15 * * * *', zone, after, 100);
        for (let k = 1; k < sequence.length; k++) expect(sequence[k].getTime() - sequence[k - 1].getTime()).toBe(15 * 60_000);
      }),
      { numRuns: 30 },
    );
  });
});

describe('ticksBetween (missed-run catch-up)', () => {
  const zone = 'Europe/Berlin';

  it('returns the most recent `cap` ticks in (from, to], oldest first, and says older ones were dropped', () => {
    const result = ticksBetween('0 * * * *', zone, at('2026-03-29T00:00:00Z'), at('2026-03-29T05:00:00Z'), 3);
    expect(iso(result.ticks)).toEqual(['2026-03-29T03:00:00.000Z', '2026-03-29T04:00:00.000Z', '2026-03-29T05:00:00.000Z']);
    expect(result.truncated).toBe(true);
  });

  it('excludes `from`, includes `to`, and is not truncated when everything fits', () => {
    const result = ticksBetween('0 * * * *', zone, at('2026-03-29T00:00:00Z'), at('2026-03-29T02:00:00Z'), 10);
    expect(iso(result.ticks)).toEqual(['2026-03-29T01:00:00.000Z', '2026-03-29T02:00:00.000Z']);
    expect(result.truncated).toBe(false);
  });

  it('cap 0 is the skip policy: no ticks, but it still reports that some were missed', () => {
    expect(ticksBetween('0 * * * *', zone, at('2026-03-29T00:00:00Z'), at('2026-03-29T02:00:00Z'), 0)).toEqual({ ticks: [], truncated: true });
    expect(ticksBetween('0 * * * *', zone, at('2026-03-29T00:00:00Z'), at('2026-03-29T00:30:00Z'), 0)).toEqual({ ticks: [], truncated: false });
  });

  it('an empty or reversed window has no ticks', () => {
    expect(ticksBetween('* * * * * *', zone, at('2026-03-29T00:00:00Z'), at('2026-03-29T00:00:00Z'), 5)).toEqual({ ticks: [], truncated: false });
    expect(ticksBetween('* * * * * *', zone, at('2026-03-29T01:00:00Z'), at('2026-03-29T00:00:00Z'), 5)).toEqual({ ticks: [], truncated: false });
  });

  it('stays cheap after a year of downtime on a every-second schedule', () => {
    const started = Date.now();
    const result = ticksBetween('* * * * * *', zone, at('2025-03-29T00:00:00Z'), at('2026-03-29T00:00:00Z'), 5);
    expect(iso(result.ticks)).toEqual([
      '2026-03-28T23:59:56.000Z',
      '2026-03-28T23:59:57.000Z',
      '2026-03-28T23:59:58.000Z',
      '2026-03-28T23:59:59.000Z',
      '2026-03-29T00:00:00.000Z',
    ]);
    expect(result.truncated).toBe(true);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('the autumn overlap day is caught up with the same ticks the live scheduler fires', () => {
    const result = ticksBetween('30 * * * *', zone, at('2026-10-24T23:00:00Z'), at('2026-10-25T02:00:00Z'), 10);
    expect(iso(result.ticks)).toEqual(['2026-10-24T23:30:00.000Z', '2026-10-25T00:30:00.000Z', '2026-10-25T01:30:00.000Z']);
  });

  it('agrees with a plain forward walk for any window and cap', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...PATTERNS),
        fc.constantFrom(...ZONES),
        around2026Transitions,
        fc.integer({ min: 0, max: 2 * 86_400_000 }),
        fc.integer({ min: 0, max: 40 }),
        (expr, zone, from, span, cap) => {
          // Second-level patterns get a shorter window so the reference walk stays under 200 ticks.
          const to = new Date(from.getTime() + (expr.split(' ').length === 6 ? span % 3_600_000 : span));
          const all = nextFires(expr, zone, from, 200).filter((d) => d.getTime() <= to.getTime());
          expect(all.length).toBeLessThan(200);
          const result = ticksBetween(expr, zone, from, to, cap);
          expect(iso(result.ticks)).toEqual(iso(cap === 0 ? [] : all.slice(-cap)));
          expect(result.truncated).toBe(all.length > cap);
        },
      ),
      { numRuns: 80 },
    );
  });
});

describe('validation', () => {
  it('accepts 5 and 6 fields, names, croner extensions and nicknames, normalising whitespace', () => {
    expect(parseCronSchedule('  0  9 * *   MON-FRI ', 'Europe/Berlin')).toEqual({ expression: '0 9 * * MON-FRI', zone: 'Europe/Berlin', hasSeconds: false });
    expect(parseCronSchedule('*/10 * * * * *', 'UTC').hasSeconds).toBe(true);
    expect(parseCronSchedule('@Daily', 'UTC').expression).toBe('@daily');
    expect(fires('0 0 L * *', 'UTC', '2026-02-01T00:00:00Z', 1)).toEqual(['2026-02-28T00:00:00.000Z']);
    expect(fires('0 0 * * 5#2', 'UTC', '2026-01-01T00:00:00Z', 1)).toEqual(['2026-01-09T00:00:00.000Z']);
  });

  it('day-of-month and day-of-week restricted together fire on either (POSIX cron)', () => {
    // 2026-01-02 and 2026-01-09 are Fridays; 2026-01-13 is the 13th (a Tuesday).
    expect(fires('0 0 13 * 5', 'UTC', '2026-01-01T00:00:00Z', 3)).toEqual(['2026-01-02T00:00:00.000Z', '2026-01-09T00:00:00.000Z', '2026-01-13T00:00:00.000Z']);
  });

  it.each([
    ['', /required/],
    ['* * * *', /expected 5 fields .* got 4/],
    ['0 0 0 1 1 * 2030', /got 7/],
    ['61 * * * *', /invalid cron expression .*minute/],
    ['5/5 * * * *', /invalid cron expression/],
    ['0 0 31 2 *', /never fires/],
    ['@reboot', /unknown nickname/],
    ['x'.repeat(300), /longer than 256/],
  ])('rejects expression %j with a clear message', (expression, message) => {
    const result = checkCronSchedule(expression, 'UTC');
    expect(result).toEqual({ ok: false, field: 'expression', message: expect.stringMatching(message) });
  });

  it.each(['', 'Mars/Olympus_Mons', '+05:30', 'Europe/Berlin; DROP', 'GMT+5 ', 'a'.repeat(80)])('rejects zone %j', (zone) => {
    expect(checkCronSchedule('0 9 * * *', zone)).toEqual({ ok: false, field: 'zone', message: expect.any(String) });
  });

  it('accepts IANA names including aliases and Etc zones', () => {
    for (const zone of ['UTC', 'Etc/GMT+5', 'Asia/Calcutta', 'America/Argentina/Buenos_Aires']) expect(validateTimeZone(zone)).toBe(zone);
  });

  it('throws a CronScheduleError naming the field', () => {
    expect(() => parseCronSchedule('0 9 * * *', 'Nowhere/City')).toThrow(CronScheduleError);
    expect(() => nextFires('0 9 * * *', 'UTC', new Date(NaN), 1)).toThrow(/valid Date/);
    expect(() => nextFires('0 9 * * *', 'UTC', new Date(), 0)).toThrow(RangeError);
    expect(() => ticksBetween('0 9 * * *', 'UTC', new Date(), new Date(), -1)).toThrow(RangeError);
  });
});

describe('tickId', () => {
  const scheduleId = '0b6e2f4e-3b7a-4c55-9d2e-7f0d6c1a2b3c';

  it('is a stable version-5 UUID (frozen: stored ids depend on it)', () => {
    const id = tickId(scheduleId, at('2026-03-29T01:00:00Z'));
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(id).toBe(tickId(scheduleId, new Date(Date.parse('2026-03-29T01:00:00.000Z'))));
    expect(id).toBe('ef213782-fe51-55ea-a2ee-6ca58b204398');
  });

  it('differs for different schedules and different instants', () => {
    fc.assert(
      fc.property(fc.uuid(), fc.uuid(), fc.integer({ min: 0, max: 4e12 }), fc.integer({ min: 0, max: 4e12 }), (a, b, t1, t2) => {
        fc.pre(a !== b && t1 !== t2);
        const id = tickId(a, new Date(t1));
        expect(tickId(a, new Date(t1))).toBe(id);
        expect(tickId(b, new Date(t1))).not.toBe(id);
        expect(tickId(a, new Date(t2))).not.toBe(id);
      }),
    );
  });

  it('rejects an empty schedule id or an invalid instant', () => {
    expect(() => tickId('', new Date())).toThrow(TypeError);
    expect(() => tickId(scheduleId, new Date(NaN))).toThrow(TypeError);
  });
});
