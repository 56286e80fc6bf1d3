import {
  absoluteUrl,
  buildTrigger,
  buildTriggerChange,
  cronHint,
  describeConfig,
  emptyForm,
  formatInZone,
  formFromTrigger,
  isTimeZone,
  looksLikeCidr,
  nextRunRows,
  problemOf,
  revisionAfterOwnEvents,
  shortFingerprint,
  splitList,
  statusLabel,
  type TriggerForm,
} from './triggers-model';

const form = (kind: TriggerForm['kind'], change: (f: TriggerForm) => void = () => undefined): TriggerForm => {
  const f = emptyForm(kind);
  change(f);
  return f;
};

describe('triggers model', () => {
  describe('buildTrigger', () => {
    it('builds a cron config with zone, missed-run policy and input', () => {
      const built = buildTrigger(
        form('cron', (f) => {
          f.name = ' Daily report ';
          f.cron = { expression: ' 0  9 * * 1-5 ', zone: 'Europe/Berlin', missed: 'catchUp', catchUp: '3', input: '{"report":"daily"}' };
        }),
      );
      expect(built).toEqual({
        ok: true,
        body: { kind: 'cron', name: 'Daily report', config: { expression: '0 9 * * 1-5', zone: 'Europe/Berlin', missedRuns: { catchUp: 3 }, input: { report: 'daily' } } },
      });
    });

    it('defaults the zone to UTC, missed runs to skip and the name to the kind', () => {
      const built = buildTrigger(form('cron', (f) => (f.cron.zone = '')));
      expect(built).toEqual({ ok: true, body: { kind: 'cron', name: 'Schedule (cron)', config: { expression: '0 9 * * 1-5', zone: 'UTC', missedRuns: 'skip', input: {} } } });
    });

    it('names the cron fields to fix', () => {
      const built = buildTrigger(
        form('cron', (f) => {
          f.cron = { expression: '0 9 * *', zone: 'Mars/Olympus', missed: 'catchUp', catchUp: '0', input: '[1]' };
        }),
      );
      expect(built.ok).toBe(false);
      if (built.ok) return;
      expect(Object.keys(built.problems).sort()).toEqual(['catchUp', 'expression', 'input', 'zone']);
      expect(built.problems['expression']).toMatch(/5 fields.*this has 4/);
      expect(built.problems['zone']).toMatch(/IANA/);
    });

    it('builds a webhook config; the wait only counts in wait mode', () => {
      expect(buildTrigger(form('webhook'))).toEqual({
        ok: true,
        body: { kind: 'webhook', name: 'Webhook', config: { responseMode: 'async', timeoutMs: 10000, rateLimitPerMinute: 600 } },
      });
      const wait = buildTrigger(
        form('webhook', (f) => {
          f.webhook = { responseMode: 'wait', timeoutMs: '5000', allowList: '203.0.113.0/24,\n 2001:db8::/32', rateLimitPerMinute: '60' };
        }),
      );
      expect(wait).toEqual({
        ok: true,
        body: { kind: 'webhook', name: 'Webhook', config: { responseMode: 'wait', timeoutMs: 5000, rateLimitPerMinute: 60, allowList: ['203.0.113.0/24', '2001:db8::/32'] } },
      });
    });

    it('refuses a webhook wait beyond 30 s, a zero rate and a malformed CIDR', () => {
      const built = buildTrigger(
        form('webhook', (f) => {
          f.webhook = { responseMode: 'wait', timeoutMs: '60000', allowList: '10.0.0.0/33, example.com', rateLimitPerMinute: '0' };
        }),
      );
      expect(built.ok).toBe(false);
      if (built.ok) return;
      expect(built.problems['timeoutMs']).toMatch(/30000/);
      expect(built.problems['rateLimitPerMinute']).toBeDefined();
      expect(built.problems['allowList']).toBe('Not a CIDR block: 10.0.0.0/33, example.com (write 203.0.113.0/24 or 2001:db8::/32)');
    });

    it('builds event configs: type only for custom, optional workflow and filter', () => {
      expect(buildTrigger(form('event'))).toEqual({ ok: true, body: { kind: 'event', name: 'Event', config: { on: 'execution.failed' } } });
      const custom = buildTrigger(
        form('event', (f) => {
          f.event = { on: 'custom', type: 'invoice.paid', workflowId: '', filter: 'data.amount > 100' };
        }),
      );
      expect(custom).toEqual({ ok: true, body: { kind: 'event', name: 'Event', config: { on: 'custom', type: 'invoice.paid', filter: 'data.amount > 100' } } });
      const bad = buildTrigger(form('event', (f) => (f.event = { on: 'custom', type: 'has space', workflowId: 'nope', filter: '' })));
      expect(bad.ok ? [] : Object.keys(bad.problems).sort()).toEqual(['type', 'workflowId']);
    });

    it('sends a manual trigger with an empty config', () => {
      expect(buildTrigger(form('manual', (f) => (f.name = 'By hand')))).toEqual({ ok: true, body: { kind: 'manual', name: 'By hand', config: {} } });
    });
  });

  describe('editing a trigger', () => {
    const cron = { kind: 'cron' as const, name: 'Weekday report', config: { expression: '0 9 * * 1-5', zone: 'Europe/Berlin', missedRuns: { catchUp: 3 }, input: { report: 'daily' } } };
    const webhook = {
      kind: 'webhook' as const,
      name: 'Inbound orders',
      config: { responseMode: 'wait', timeoutMs: 5000, rateLimitPerMinute: 60, allowList: ['203.0.113.0/24', '2001:db8::/32'] },
    };
    const event = { kind: 'event' as const, name: 'Big invoices', config: { on: 'custom', type: 'invoice.paid', workflowId: '3f2b9c1e-1111-4222-8333-444455556666', filter: 'data.amount > 100' } };

    it.each([
      ['a cron trigger with catch-up and input', cron],
      ['a webhook with a wait, a rate limit and an allow list', webhook],
      ['an event trigger with a workflow and a filter', event],
      ['a manual trigger', { kind: 'manual' as const, name: 'By hand', config: {} }],
    ])('fills the form with %s so that it builds the same trigger again', (_what, trigger) => {
      const filled = formFromTrigger(trigger);
      expect(filled.kind).toBe(trigger.kind);
      expect(filled.name).toBe(trigger.name);
      expect(buildTrigger(filled)).toEqual({ ok: true, body: trigger });
      expect(buildTriggerChange(filled, trigger)).toEqual({ ok: true, body: { name: trigger.name, config: trigger.config }, changed: false });
    });

    it('shows each config as typed in the form', () => {
      expect(formFromTrigger(cron).cron).toEqual({ expression: '0 9 * * 1-5', zone: 'Europe/Berlin', missed: 'catchUp', catchUp: '3', input: '{"report":"daily"}' });
      expect(formFromTrigger(webhook).webhook).toEqual({ responseMode: 'wait', timeoutMs: '5000', allowList: '203.0.113.0/24, 2001:db8::/32', rateLimitPerMinute: '60' });
      expect(formFromTrigger(event).event).toEqual({ on: 'custom', type: 'invoice.paid', workflowId: '3f2b9c1e-1111-4222-8333-444455556666', filter: 'data.amount > 100' });
    });

    it('reads stored configs with older keys and defaults left out', () => {
      const old = { kind: 'cron' as const, name: 'Nightly', config: { cron: '0 2 * * *', timezone: 'America/New_York' } };
      expect(formFromTrigger(old).cron).toEqual({ expression: '0 2 * * *', zone: 'America/New_York', missed: 'skip', catchUp: '1', input: '' });
      expect(buildTrigger(formFromTrigger({ kind: 'webhook', name: 'Hook', config: {} }))).toEqual({
        ok: true,
        body: { kind: 'webhook', name: 'Hook', config: { responseMode: 'async', timeoutMs: 10000, rateLimitPerMinute: 600 } },
      });
      expect(formFromTrigger({ kind: 'event', name: 'E', config: { filter: 'x' } }).event).toEqual({ on: 'execution.failed', type: '', workflowId: '', filter: 'x' });
    });

    it('builds the change of a schedule, keeping the kind', () => {
      const filled = formFromTrigger({ kind: 'cron', name: 'Every minute', config: { expression: '* * * * *', zone: 'UTC', missedRuns: 'skip', input: {} } });
      filled.cron = { ...filled.cron, expression: '0 9 * * 1-5', zone: 'Europe/Berlin' };
      const change = buildTriggerChange({ ...filled, kind: 'webhook' }, { kind: 'cron', name: 'Every minute', config: { expression: '* * * * *' } });
      expect(change).toEqual({
        ok: true,
        body: { name: 'Every minute', config: { expression: '0 9 * * 1-5', zone: 'Europe/Berlin', missedRuns: 'skip', input: {} } },
        changed: true,
      });
    });

    it('counts a new name or a dropped allow list as a change', () => {
      expect(buildTriggerChange({ ...formFromTrigger(event), name: 'Paid invoices' }, event)).toMatchObject({ ok: true, body: { name: 'Paid invoices' }, changed: true });
      const open = formFromTrigger(webhook);
      open.webhook.allowList = '';
      expect(buildTriggerChange(open, webhook)).toEqual({
        ok: true,
        body: { name: 'Inbound orders', config: { responseMode: 'wait', timeoutMs: 5000, rateLimitPerMinute: 60 } },
        changed: true,
      });
    });

    it('keeps the stored wait of a hook that answers at once, so that switching to waiting again finds it', () => {
      const quick = { kind: 'webhook' as const, name: 'Quick', config: { responseMode: 'async', timeoutMs: 3000, rateLimitPerMinute: 60 } };
      expect(buildTriggerChange(formFromTrigger(quick), quick)).toEqual({ ok: true, body: { name: 'Quick', config: quick.config }, changed: false });
      const waiting = formFromTrigger(quick);
      waiting.webhook.responseMode = 'wait';
      expect(buildTriggerChange(waiting, quick)).toMatchObject({ ok: true, body: { config: { responseMode: 'wait', timeoutMs: 3000 } }, changed: true });
      const hidden = formFromTrigger(quick);
      hidden.webhook.timeoutMs = 'soon'; // not a wait, and not shown: the default, not a problem
      expect(buildTriggerChange(hidden, quick)).toMatchObject({ ok: true, body: { config: { responseMode: 'async', timeoutMs: 10000 } } });
    });

    it('names the fields to fix, as when adding', () => {
      const filled = formFromTrigger(webhook);
      filled.webhook.rateLimitPerMinute = '0';
      filled.webhook.allowList = 'example.com';
      const change = buildTriggerChange(filled, webhook);
      expect(change.ok ? [] : Object.keys(change.problems).sort()).toEqual(['allowList', 'rateLimitPerMinute']);
    });
  });

  it('hints at cron expressions that cannot be right', () => {
    expect(cronHint('*/15 * * * *')).toBeUndefined();
    expect(cronHint('0 0 9 * * MON')).toBeUndefined();
    expect(cronHint('@daily')).toBeUndefined();
    expect(cronHint('@sometimes')).toMatch(/nicknames/);
    expect(cronHint('')).toMatch(/Write a schedule/);
    expect(cronHint('1 2 3')).toMatch(/this has 3/);
  });

  it('knows IANA zones', () => {
    expect(isTimeZone('Europe/Berlin')).toBe(true);
    expect(isTimeZone('UTC')).toBe(true);
    expect(isTimeZone('Mars/Olympus')).toBe(false);
    expect(isTimeZone('')).toBe(false);
  });

  it('splits and checks CIDR lists', () => {
    expect(splitList(' 10.0.0.0/8, 192.168.1.1\n::1 ')).toEqual(['10.0.0.0/8', '192.168.1.1', '::1']);
    expect(['10.0.0.0/8', '192.168.1.1', '2001:db8::/32', '::1'].every(looksLikeCidr)).toBe(true);
    expect(['256.0.0.0/8', '10.0.0.0/40', 'host/24', '2001:db8::/129', '1.2.3.4/5/6'].some(looksLikeCidr)).toBe(false);
  });

  it('labels each status and says when a change takes effect', () => {
    expect(statusLabel({ status: 'live', inDraft: true, publishedVersion: 3, enabled: true })).toMatchObject({ text: 'live', tone: 'ok' });
    expect(statusLabel({ status: 'live', inDraft: false, publishedVersion: 3, enabled: true }).hint).toMatch(/publish to stop/);
    expect(statusLabel({ status: 'disabled', inDraft: true, publishedVersion: 2, enabled: false })).toMatchObject({ text: 'disabled', tone: 'warn' });
    expect(statusLabel({ status: 'unpublished', inDraft: true, publishedVersion: null, enabled: true })).toMatchObject({ text: 'draft', tone: 'muted' });
    expect(statusLabel({ status: 'unpublished', inDraft: true, publishedVersion: null, enabled: true }).hint).toMatch(/once you publish/);
    expect(statusLabel({ status: 'archived', inDraft: true, publishedVersion: 1, enabled: true }).text).toBe('archived');
    // Edited in the draft: the hint says what the published version still fires with.
    const edited = statusLabel({ status: 'live', inDraft: true, publishedVersion: 2, enabled: true, kind: 'cron', publishedAs: { name: 'Nightly', config: { expression: '0 2 * * *', zone: 'UTC' } } });
    expect(edited.hint).toBe('Fires now, as published. v2 has “Nightly”: 0 2 * * * · UTC; your edit applies once you publish.');
  });

  it('describes configs in one line', () => {
    expect(describeConfig({ kind: 'cron', config: { expression: '0 9 * * *', zone: 'Europe/Berlin', missedRuns: { catchUp: 2 } } })).toBe('0 9 * * * · Europe/Berlin · catch up 2');
    expect(describeConfig({ kind: 'webhook', config: { responseMode: 'wait', timeoutMs: 5000, rateLimitPerMinute: 60 } })).toBe('waits up to 5 s for the result · 60/min');
    expect(describeConfig({ kind: 'event', config: { on: 'custom', type: 'invoice.paid', filter: 'x' } })).toBe('On custom event “invoice.paid” · filtered');
    expect(describeConfig({ kind: 'manual', config: {} })).toMatch(/by hand/);
  });

  it('shows the next runs in the trigger zone and the local one', () => {
    const next = ['2026-03-02T08:00:00.000Z', '2026-07-01T07:00:00.000Z'];
    const rows = nextRunRows(next, 'Europe/Berlin', 'America/New_York', 'en-GB', new Date('2026-01-10T00:00:00Z'));
    expect(rows.map((r) => r.inZone)).toEqual([formatInZone(next[0]!, 'Europe/Berlin', 'en-GB', false), formatInZone(next[1]!, 'Europe/Berlin', 'en-GB', false)]);
    expect(rows[0]!.inZone).not.toMatch(/2026/);
    expect(nextRunRows(next, 'Europe/Berlin', 'UTC', 'en-GB', new Date('2025-12-30T00:00:00Z'))[0]!.inZone).toMatch(/2026/);
    expect(rows[0]!.inZone).toMatch(/09:00/); // CET
    expect(rows[1]!.inZone).toMatch(/09:00/); // CEST
    expect(rows[0]!.local).toMatch(/03:00/); // EST
    expect(rows[1]!.local).toMatch(/03:00/); // EDT
    expect(rows.every((r) => !r.sameZone)).toBe(true);
    expect(nextRunRows(next, 'UTC', 'Etc/UTC')[0]!.sameZone).toBe(true);
  });

  it('turns hook paths into addresses and shortens fingerprints', () => {
    expect(absoluteUrl('/api/hooks/abc', 'http://localhost:3000/')).toBe('http://localhost:3000/api/hooks/abc');
    expect(absoluteUrl('https://x.test/h', 'http://localhost')).toBe('https://x.test/h');
    expect(absoluteUrl('', 'http://localhost')).toBe('');
    expect(shortFingerprint('sha256:0123456789abcdef0123')).toBe('sha256:0123456789a…');
    expect(shortFingerprint('short')).toBe('short');
  });

  it('reads problem+json answers, parsed or as text', () => {
    const refused = {
      status: 422,
      error: { type: 'x', title: 'Invalid trigger config', detail: 'cron trigger: a; b', errors: ['a', 'b'] },
    };
    expect(problemOf(refused)).toEqual({ status: 422, detail: 'cron trigger: a; b', errors: ['a', 'b'] });
    expect(problemOf({ status: 409, error: JSON.stringify({ title: 'Conflict', detail: 'exists', errors: ['only one'] }) })).toEqual({ status: 409, detail: 'exists', errors: [] });
    expect(problemOf({ status: 0, error: null })).toMatchObject({ detail: 'API unreachable' });
    expect(problemOf(new Error('boom'))).toMatchObject({ status: 0, detail: 'boom' });
  });

  it('adopts the revision of its own secret and switch events only', () => {
    expect(revisionAfterOwnEvents(7, [{ revision: 8, type: 'WebhookSecretRotated' }])).toBe(8);
    expect(
      revisionAfterOwnEvents(7, [
        { revision: 9, type: 'WebhookSecretRetired' },
        { revision: 8, type: 'TriggerDisabled' },
      ]),
    ).toBe(9);
    // Someone else edited the draft in between: keep ours, so the next edit meets the 412.
    expect(
      revisionAfterOwnEvents(7, [
        { revision: 8, type: 'StepRenamed' },
        { revision: 9, type: 'WebhookSecretRotated' },
      ]),
    ).toBe(7);
    expect(revisionAfterOwnEvents(7, [])).toBe(7);
  });
});
