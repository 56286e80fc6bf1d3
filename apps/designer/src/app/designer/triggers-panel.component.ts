import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, effect, inject, input, signal, untracked } from '@angular/core';
import { RouterLink } from '@angular/router';
import { TRIGGER_KINDS, type TriggerKind } from '@contracts/workflow';

import { ApiService } from '../core/api.service';
import { describeError } from '../core/http-error';
import { IconComponent } from '../core/icon.component';
import { ToastService } from '../core/toast.service';
import { statusTone } from '../executions/execution-model';
import { DesignerStore } from './designer-store';
import {
  absoluteUrl,
  buildTrigger,
  describeConfig,
  emptyForm,
  EVENT_SOURCES,
  EVENT_TEXT,
  KIND_ICON,
  KIND_TEXT,
  nextRunRows,
  problemOf,
  revisionAfterOwnEvents,
  shortFingerprint,
  statusLabel,
  type FormProblems,
  type NextRunRow,
  type NextRuns,
  type ShownSecret,
  type TriggerFire,
  type TriggerForm,
  type TriggerItem,
} from './triggers-model';

type Load<T> = { state: 'loading' } | { state: 'ok'; data: T } | { state: 'error'; error: string };
interface NextView {
  zone: string;
  localZone: string;
  source: NextRuns['source'];
  rows: NextRunRow[];
}
interface HistoryView {
  items: TriggerFire[];
  nextCursor?: string;
}

/**
 * The workflow's triggers: list with status (live / disabled / draft), add (manual, cron, webhook, event) as a draft
 * edit with If-Match, enable/disable (at once), remove (a draft edit), webhook URL and secrets (shown once; rotate and
 * retire), the next runs of a schedule in its zone and the person's, and the runs each trigger started.
 */
@Component({
  selector: 'bb-triggers-panel',
  standalone: true,
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [DatePipe, RouterLink, IconComponent],
  template: `
    <p class="note" data-testid="triggers-publish-note"><bb-icon name="info" />
      <span>Adding or removing a trigger changes the <strong>draft</strong>: it fires only once you <strong>publish</strong>.
        Enabling or disabling a published trigger applies at once.</span></p>

    @if (secret(); as sec) {
      <section class="once" role="region" aria-labelledby="once-title" data-testid="secret-once">
        <h3 id="once-title"><bb-icon name="warning" />Copy the secret now</h3>
        <p class="small">It is <strong>shown only once</strong>: it is stored only on the server and cannot be shown again. Rotate to get a new one.</p>
        <label class="lbl" for="once-url">Webhook URL</label>
        <div class="copy-row">
          <input id="once-url" class="input mono" readonly [value]="abs(sec.url)" data-testid="secret-once-url" />
          <button class="btn btn-sm btn-icon" type="button" aria-label="Copy the webhook URL" title="Copy" (click)="copy(abs(sec.url), 'URL')"><bb-icon name="copy" /></button>
        </div>
        <label class="lbl" for="once-secret">Signing secret</label>
        <div class="copy-row">
          <input id="once-secret" class="input mono" readonly [value]="sec.secret" data-testid="secret-once-value" />
          <button class="btn btn-sm btn-icon" type="button" aria-label="Copy the secret" title="Copy" (click)="copy(sec.secret, 'Secret')" data-testid="secret-once-copy"><bb-icon name="copy" /></button>
        </div>
        <p class="muted small">Fingerprint <span class="mono">{{ short(sec.fingerprint) }}</span>. Senders sign each request with it (see the API docs).</p>
        <button class="btn btn-sm btn-primary" type="button" (click)="secret.set(null)" data-testid="secret-once-done"><bb-icon name="check" />I have stored it</button>
      </section>
    }

    @switch (list().state) {
      @case ('loading') {
        <div class="loading" role="status" data-testid="triggers-loading"><span class="spinner"></span>Loading triggers…</div>
      }
      @case ('error') {
        <div class="state-err" role="alert" data-testid="triggers-error"><bb-icon name="error" /><span>Could not load the triggers: {{ listError() }}</span>
          <button class="btn btn-sm" type="button" (click)="load()"><bb-icon name="retry" />Try again</button></div>
      }
      @default {
        @if (items().length === 0) {
          <div class="empty" data-testid="triggers-empty"><bb-icon name="bolt" /><div><strong>No triggers yet.</strong><br />
            Runs start only from the Run button. Add a schedule, a webhook or an event below.</div></div>
        } @else {
          <ul class="list" data-testid="trigger-list">
            @for (t of items(); track t.id) {
              @let st = status(t);
              <li class="trig" [attr.data-testid]="'trigger-' + t.id" [attr.data-trigger-name]="t.name">
                <div class="line">
                  <span class="kind-ico" [title]="kindText[t.kind]"><bb-icon [name]="kindIcon[t.kind]" /></span>
                  <div class="min">
                    <div class="name">{{ t.name }}</div>
                    <div class="muted small">{{ kindText[t.kind] }} · {{ config(t) }}</div>
                  </div>
                  <span class="pill" [class]="'pill pill-' + st.tone" [title]="st.hint" data-testid="trigger-status">{{ st.text }}</span>
                </div>
                <div class="muted small">{{ st.hint }}
                  @if (t.fires) { · fired {{ t.fires }}× (last {{ t.lastFiredAt | date: 'MMM d, HH:mm' }}) }</div>

                @if (t.kind === 'webhook' && t.webhook?.url) {
                  <div class="copy-row url">
                    <input class="input mono" readonly [value]="abs(t.webhook!.url)" [attr.aria-label]="'Webhook URL of ' + t.name" data-testid="trigger-url" />
                    <button class="btn btn-sm btn-icon" type="button" [attr.aria-label]="'Copy the webhook URL of ' + t.name" title="Copy" (click)="copy(abs(t.webhook!.url), 'URL')"><bb-icon name="copy" /></button>
                  </div>
                }

                <div class="acts">
                  <button class="btn btn-sm btn-ghost" type="button" [attr.aria-expanded]="open() === t.id" [attr.aria-controls]="'trig-details-' + t.id"
                    (click)="toggle(t)" data-testid="trigger-details"><bb-icon name="chevron" [class.turned]="open() === t.id" />Details</button>
                  @if (!readonly() && t.inDraft) {
                    @if (t.enabled) {
                      <button class="btn btn-sm" type="button" (click)="setEnabled(t, false)" [disabled]="busy() === t.id" data-testid="trigger-disable"><bb-icon name="pause" />Disable</button>
                    } @else {
                      <button class="btn btn-sm" type="button" (click)="setEnabled(t, true)" [disabled]="busy() === t.id" data-testid="trigger-enable"><bb-icon name="play" />Enable</button>
                    }
                    @if (confirming() === t.id) {
                      <button class="btn btn-sm btn-danger" type="button" (click)="remove(t)" [disabled]="busy() === t.id" data-testid="trigger-remove-confirm">Remove now</button>
                      <button class="btn btn-sm btn-ghost" type="button" (click)="confirming.set(null)">Cancel</button>
                    } @else {
                      <button class="btn btn-sm btn-ghost btn-icon btn-danger" type="button" [attr.aria-label]="'Remove trigger ' + t.name" title="Remove"
                        (click)="confirming.set(t.id)" data-testid="trigger-remove"><bb-icon name="trash" /></button>
                    }
                  }
                </div>
                @if (rowError()?.id === t.id) { <p class="err small" role="alert" data-testid="trigger-error">{{ rowError()!.text }}</p> }

                @if (open() === t.id) {
                  <div class="details" [id]="'trig-details-' + t.id">
                    @if (t.kind === 'cron') {
                      <h4>Next runs</h4>
                      @let nx = next()[t.id];
                      @if (!nx || nx.state === 'loading') { <div class="loading small" role="status"><span class="spinner"></span>Computing…</div> }
                      @else if (nx.state === 'error') { <p class="err small" role="alert">{{ nx.error }}</p> }
                      @else {
                        <table class="runs" data-testid="trigger-next-runs">
                          <thead><tr><th scope="col">{{ nx.data.zone }}</th><th scope="col">Your time ({{ nx.data.localZone }})</th></tr></thead>
                          <tbody>
                            @for (r of nx.data.rows; track r.iso) {
                              <tr data-testid="next-run"><td>{{ r.inZone }}</td><td [class.muted]="r.sameZone">{{ r.sameZone ? 'same' : r.local }}</td></tr>
                            }
                          </tbody>
                        </table>
                        @if (nx.data.source === 'draft') { <p class="muted small">From the draft's schedule: not firing until published.</p> }
                      }
                    }

                    @if (t.kind === 'webhook') {
                      <h4>Secrets</h4>
                      <ul class="secrets" data-testid="trigger-secrets">
                        @for (s of t.webhook?.secrets ?? []; track s.fingerprint; let first = $first) {
                          <li>
                            <span class="mono" [title]="s.fingerprint">{{ short(s.fingerprint) }}</span>
                            <span class="muted small">added {{ s.addedAt | date: 'MMM d, HH:mm' }}</span>
                            @if (first) { <span class="pill pill-brand">newest</span> }
                            @if (!readonly() && (t.webhook?.secrets?.length ?? 0) > 1) {
                              <button class="btn btn-sm btn-ghost btn-danger" type="button" (click)="retire(t, s.fingerprint)" [disabled]="busy() === t.id"
                                [attr.aria-label]="'Retire secret ' + short(s.fingerprint)" data-testid="secret-retire">Retire</button>
                            }
                          </li>
                        } @empty { <li class="muted small">No active secret.</li> }
                      </ul>
                      @if (!readonly()) {
                        <button class="btn btn-sm" type="button" (click)="rotate(t)" [disabled]="busy() === t.id" data-testid="secret-rotate"><bb-icon name="retry" />Rotate secret</button>
                        <p class="muted small">Rotating adds a new secret beside the old one; retire the old one once every sender uses the new.</p>
                      }
                    }

                    <h4>Runs it started</h4>
                    @let hi = history()[t.id];
                    @if (!hi || hi.state === 'loading') { <div class="loading small" role="status"><span class="spinner"></span>Loading…</div> }
                    @else if (hi.state === 'error') { <p class="err small" role="alert">{{ hi.error }}</p> }
                    @else if (hi.data.items.length === 0) { <p class="muted small" data-testid="trigger-history-empty">Not fired yet.</p> }
                    @else {
                      <ul class="fires" data-testid="trigger-history">
                        @for (f of hi.data.items; track f.executionId) {
                          <li><a [routerLink]="['/executions', f.executionId]" [attr.aria-label]="'Run of ' + (f.startedAt | date: 'MMM d, HH:mm:ss') + ', ' + f.status">
                            {{ f.startedAt | date: 'MMM d, HH:mm:ss' }}</a>
                            <span class="pill" [class]="'pill pill-' + tone(f.status)">{{ f.status }}</span><span class="muted small">v{{ f.version }}</span></li>
                        }
                      </ul>
                      @if (hi.data.nextCursor) { <button class="btn btn-sm btn-ghost" type="button" (click)="loadHistory(t.id, hi.data)">Older runs</button> }
                    }
                  </div>
                }
              </li>
            }
          </ul>
        }
      }
    }

    @if (!readonly()) {
      @let f = form();
      @let p = problems();
      <form class="add" (submit)="add($event)" novalidate data-testid="trigger-form">
        <h3>Add a trigger</h3>
        <div class="row">
          <div class="field"><label for="trg-kind">Kind</label>
            <select id="trg-kind" class="select" (change)="setKind($any($event.target).value)" data-testid="trigger-kind">
              @for (k of kinds; track k) { <option [value]="k" [selected]="f.kind === k">{{ kindText[k] }}</option> }
            </select></div>
          <div class="field"><label for="trg-name">Name</label>
            <input id="trg-name" class="input" maxlength="200" [value]="f.name" [placeholder]="kindText[f.kind]" (input)="patch('name', val($event))"
              [attr.aria-invalid]="!!p['name']" data-testid="trigger-name" />
            @if (p['name']) { <span class="err">{{ p['name'] }}</span> }</div>
        </div>

        @switch (f.kind) {
          @case ('manual') { <p class="muted small">Started from the Run button or <span class="mono">POST /api/workflows/:id/executions</span>; nothing to configure.</p> }
          @case ('cron') {
            <div class="field"><label for="trg-expr">Schedule (cron)</label>
              <input id="trg-expr" class="input mono" [value]="f.cron.expression" (input)="patchIn('cron', 'expression', val($event))" [attr.aria-invalid]="!!p['expression']"
                aria-describedby="trg-expr-hint" data-testid="trigger-cron-expression" />
              <span class="hint" id="trg-expr-hint">minute hour day month weekday, e.g. <span class="mono">0 9 * * 1-5</span> (09:00 on weekdays) or <span class="mono">&#64;daily</span></span>
              @if (p['expression']) { <span class="err">{{ p['expression'] }}</span> }</div>
            <div class="row">
              <div class="field"><label for="trg-zone">Time zone</label>
                <input id="trg-zone" class="input" list="trg-zones" [value]="f.cron.zone" (input)="patchIn('cron', 'zone', val($event))" [attr.aria-invalid]="!!p['zone']"
                  data-testid="trigger-cron-zone" />
                <datalist id="trg-zones">@for (z of zones; track z) { <option [value]="z"></option> }</datalist>
                @if (p['zone']) { <span class="err">{{ p['zone'] }}</span> }</div>
              <div class="field"><label for="trg-missed">Missed runs</label>
                <select id="trg-missed" class="select" (change)="patchIn('cron', 'missed', val($event))" data-testid="trigger-cron-missed">
                  <option value="skip" [selected]="f.cron.missed === 'skip'">Skip them</option>
                  <option value="catchUp" [selected]="f.cron.missed === 'catchUp'">Catch up</option>
                </select></div>
            </div>
            @if (f.cron.missed === 'catchUp') {
              <div class="field"><label for="trg-catch">Catch up at most (runs)</label>
                <input id="trg-catch" class="input" type="number" min="1" max="10000" [value]="f.cron.catchUp" (input)="patchIn('cron', 'catchUp', val($event))"
                  [attr.aria-invalid]="!!p['catchUp']" />
                @if (p['catchUp']) { <span class="err">{{ p['catchUp'] }}</span> }</div>
            }
            <div class="field"><label for="trg-input">Run input (JSON, optional)</label>
              <textarea id="trg-input" class="textarea mono" rows="2" [value]="f.cron.input" [placeholder]="inputExample" (input)="patchIn('cron', 'input', val($event))"
                [attr.aria-invalid]="!!p['input']"></textarea>
              @if (p['input']) { <span class="err">{{ p['input'] }}</span> }</div>
          }
          @case ('webhook') {
            <div class="row">
              <div class="field"><label for="trg-mode">Answer</label>
                <select id="trg-mode" class="select" (change)="patchIn('webhook', 'responseMode', val($event))" data-testid="trigger-webhook-mode">
                  <option value="async" [selected]="f.webhook.responseMode === 'async'">202 at once</option>
                  <option value="wait" [selected]="f.webhook.responseMode === 'wait'">Wait for the result</option>
                </select></div>
              <div class="field"><label for="trg-rate">Requests / minute</label>
                <input id="trg-rate" class="input" type="number" min="1" [value]="f.webhook.rateLimitPerMinute" (input)="patchIn('webhook', 'rateLimitPerMinute', val($event))"
                  [attr.aria-invalid]="!!p['rateLimitPerMinute']" />
                @if (p['rateLimitPerMinute']) { <span class="err">{{ p['rateLimitPerMinute'] }}</span> }</div>
            </div>
            @if (f.webhook.responseMode === 'wait') {
              <div class="field"><label for="trg-timeout">Wait at most (ms)</label>
                <input id="trg-timeout" class="input" type="number" min="100" max="30000" step="100" [value]="f.webhook.timeoutMs" (input)="patchIn('webhook', 'timeoutMs', val($event))"
                  [attr.aria-invalid]="!!p['timeoutMs']" />
                <span class="hint">After that the caller gets 202 and the run goes on.</span>
                @if (p['timeoutMs']) { <span class="err">{{ p['timeoutMs'] }}</span> }</div>
            }
            <div class="field"><label for="trg-allow">Allowed senders (CIDR, optional)</label>
              <input id="trg-allow" class="input mono" [value]="f.webhook.allowList" placeholder="203.0.113.0/24, 2001:db8::/32" (input)="patchIn('webhook', 'allowList', val($event))"
                [attr.aria-invalid]="!!p['allowList']" />
              <span class="hint">Empty: any address may call (requests are still signed).</span>
              @if (p['allowList']) { <span class="err">{{ p['allowList'] }}</span> }</div>
          }
          @case ('event') {
            <div class="field"><label for="trg-on">On</label>
              <select id="trg-on" class="select" (change)="patchIn('event', 'on', val($event))" data-testid="trigger-event-on">
                @for (o of sources; track o) { <option [value]="o" [selected]="f.event.on === o">{{ eventText[o] }}</option> }
              </select></div>
            @if (f.event.on === 'custom') {
              <div class="field"><label for="trg-type">Event type</label>
                <input id="trg-type" class="input mono" [value]="f.event.type" placeholder="invoice.paid" (input)="patchIn('event', 'type', val($event))" [attr.aria-invalid]="!!p['type']" />
                @if (p['type']) { <span class="err">{{ p['type'] }}</span> }</div>
            }
            <div class="field"><label for="trg-wf">Only runs of workflow (id, optional)</label>
              <input id="trg-wf" class="input mono" [value]="f.event.workflowId" (input)="patchIn('event', 'workflowId', val($event))" [attr.aria-invalid]="!!p['workflowId']" />
              @if (p['workflowId']) { <span class="err">{{ p['workflowId'] }}</span> }</div>
            <div class="field"><label for="trg-filter">Filter (JSONata, optional)</label>
              <input id="trg-filter" class="input mono" [value]="f.event.filter" placeholder="data.amount > 100" (input)="patchIn('event', 'filter', val($event))" [attr.aria-invalid]="!!p['filter']" />
              <span class="hint">Over <span class="mono">{{ filterShape }}</span>; the trigger fires when it is truthy.</span>
              @if (p['filter']) { <span class="err">{{ p['filter'] }}</span> }</div>
          }
        }

        @if (serverProblem(); as sp) {
          <div class="problem" role="alert" data-testid="trigger-problem">
            <bb-icon name="error" /><div><strong>Not added.</strong> {{ sp.detail }}
              @if (sp.errors.length) { <ul>@for (e of sp.errors; track $index) { <li>{{ e }}</li> }</ul> }</div>
          </div>
        }
        <button class="btn btn-primary btn-sm" type="submit" [disabled]="adding()" data-testid="trigger-add">
          @if (adding()) { <span class="spinner"></span> } @else { <bb-icon name="plus" /> }Add trigger</button>
      </form>
    }
  `,
  styles: `
    :host { display: block; }
    .small { font-size: 0.8rem; }
    .note { display: flex; gap: 0.45rem; align-items: flex-start; font-size: 0.8rem; color: var(--bb-info); background: var(--bb-info-bg);
      border-radius: var(--bb-radius-sm); padding: 0.5rem 0.6rem; margin: 0 0 0.8rem; }
    .empty { display: flex; gap: 0.6rem; color: var(--bb-muted); padding: 0.8rem; border: 1px dashed var(--bb-border-strong); border-radius: 8px; font-size: 0.85rem; }
    .loading { display: flex; gap: 0.5rem; align-items: center; color: var(--bb-muted); padding: 0.4rem 0; }
    .state-err { display: flex; flex-wrap: wrap; gap: 0.5rem; align-items: center; color: var(--bb-error); background: var(--bb-error-bg); border-radius: 8px; padding: 0.6rem; font-size: 0.85rem; }
    .list { list-style: none; margin: 0; padding: 0; }
    .trig { padding: 0.65rem 0; border-bottom: 1px solid var(--bb-border); }
    .line { display: flex; gap: 0.55rem; align-items: center; }
    .kind-ico { width: 28px; height: 28px; border-radius: 7px; display: grid; place-items: center; background: var(--bb-brand-soft); color: var(--bb-brand); flex-shrink: 0; }
    .min { min-width: 0; flex: 1; }
    .min .small { overflow-wrap: anywhere; }
    .name { font-weight: 600; }
    .acts { display: flex; gap: 0.35rem; flex-wrap: wrap; margin-top: 0.4rem; }
    .turned { transform: rotate(90deg); }
    .copy-row { display: flex; gap: 0.35rem; align-items: center; margin-bottom: 0.5rem; }
    .copy-row .input { min-height: 26px; padding: 0.15rem 0.45rem; font-size: 0.76rem; }
    .url { margin: 0.4rem 0 0; }
    .details { margin-top: 0.5rem; padding: 0.2rem 0.7rem 0.4rem; background: var(--bb-surface-2); border: 1px solid var(--bb-border); border-radius: var(--bb-radius-sm); }
    h3, h4 { font-size: 0.72rem; text-transform: uppercase; letter-spacing: 0.06em; color: var(--bb-muted); margin: 1rem 0 0.5rem; }
    h4 { margin: 0.6rem 0 0.35rem; }
    .runs { width: 100%; border-collapse: collapse; font-size: 0.78rem; font-variant-numeric: tabular-nums; }
    .runs th { text-align: left; font-weight: 600; color: var(--bb-muted); padding: 0.15rem 0.3rem 0.15rem 0; }
    .runs td { padding: 0.15rem 0.3rem 0.15rem 0; border-top: 1px solid var(--bb-border); }
    .secrets, .fires { list-style: none; margin: 0 0 0.4rem; padding: 0; }
    .secrets li, .fires li { display: flex; gap: 0.4rem; align-items: center; flex-wrap: wrap; padding: 0.2rem 0; font-size: 0.82rem; }
    .once { border: 1px solid var(--bb-warn); background: var(--bb-warn-bg); border-radius: var(--bb-radius-sm); padding: 0.2rem 0.7rem 0.7rem; margin-bottom: 0.9rem; }
    .once h3 { display: flex; gap: 0.35rem; align-items: center; color: var(--bb-warn); margin-top: 0.6rem; }
    .once p { margin: 0 0 0.5rem; }
    .lbl { font-weight: 550; font-size: 0.8rem; display: block; margin-bottom: 0.15rem; }
    .row { display: grid; grid-template-columns: 1fr 1fr; gap: 0.5rem; }
    .err { color: var(--bb-error); font-size: 0.8rem; }
    .problem { display: flex; gap: 0.45rem; align-items: flex-start; color: var(--bb-error); background: var(--bb-error-bg); border-radius: var(--bb-radius-sm);
      padding: 0.5rem 0.6rem; font-size: 0.82rem; margin-bottom: 0.7rem; }
    .problem ul { margin: 0.25rem 0 0; padding-left: 1rem; }
    .add { margin-top: 0.4rem; }
  `,
})
export class TriggersPanelComponent {
  readonly store = inject(DesignerStore);
  private readonly api = inject(ApiService);
  private readonly toasts = inject(ToastService);
  readonly readonly = input(false);

  readonly kinds = TRIGGER_KINDS;
  readonly kindText = KIND_TEXT;
  readonly kindIcon = KIND_ICON;
  readonly sources = EVENT_SOURCES;
  readonly eventText = EVENT_TEXT;
  readonly filterShape = '{ type, data, workflowId }';
  readonly inputExample = '{"report": "daily"}';
  readonly zones = ['UTC', 'Europe/London', 'Europe/Berlin', 'Europe/Paris', 'America/New_York', 'America/Chicago', 'America/Los_Angeles', 'Asia/Tokyo', 'Asia/Kolkata', 'Australia/Sydney'];

  readonly list = signal<Load<TriggerItem[]>>({ state: 'loading' });
  readonly items = signal<TriggerItem[]>([]);
  readonly listError = signal('');
  readonly open = signal<string | null>(null);
  readonly next = signal<Record<string, Load<NextView>>>({});
  readonly history = signal<Record<string, Load<HistoryView>>>({});
  readonly busy = signal<string | null>(null);
  readonly confirming = signal<string | null>(null);
  readonly rowError = signal<{ id: string; text: string } | null>(null);
  readonly secret = signal<ShownSecret | null>(null);

  readonly form = signal<TriggerForm>(emptyForm('cron'));
  readonly problems = signal<FormProblems>({});
  readonly serverProblem = signal<{ detail: string; errors: string[] } | null>(null);
  readonly adding = signal(false);

  constructor() {
    effect(() => {
      const id = this.store.workflowId();
      if (id) untracked(() => void this.load());
    });
  }

  private base(): string {
    return `/api/workflows/${encodeURIComponent(this.store.workflowId())}/triggers`;
  }

  async load(): Promise<void> {
    const id = this.store.workflowId();
    if (!this.items().length) this.list.set({ state: 'loading' });
    try {
      const answer = await this.api.get<{ items: TriggerItem[] }>(this.base());
      if (this.store.workflowId() !== id) return;
      const items = Array.isArray(answer?.items) ? answer.items : [];
      this.items.set(items);
      this.list.set({ state: 'ok', data: items });
    } catch (err) {
      this.listError.set(describeError(err));
      this.list.set({ state: 'error', error: describeError(err) });
    }
  }

  /** Reads the list again once the read models hold the command at `position` (GET ...?minPosition waits for them). */
  private async reloadAfter(position?: string): Promise<void> {
    if (position) await this.api.get(`/api/workflows/${encodeURIComponent(this.store.workflowId())}`, { minPosition: position }).catch(() => undefined);
    await this.load();
  }

  // ----- presentation -----

  status = statusLabel;
  config = describeConfig;
  short = shortFingerprint;
  tone = statusTone;
  abs(path: string): string {
    return absoluteUrl(path, location.origin);
  }
  val(event: Event): string {
    return (event.target as HTMLInputElement).value;
  }

  async copy(text: string, what: string): Promise<void> {
    try {
      await navigator.clipboard.writeText(text);
      this.toasts.show(`${what} copied`, 'ok');
    } catch {
      this.toasts.show(`Could not copy: select the ${what.toLowerCase()} and press Ctrl+C`, 'warn');
    }
  }

  // ----- details -----

  toggle(t: TriggerItem): void {
    if (this.open() === t.id) {
      this.open.set(null);
      return;
    }
    this.expand(t.id, t.kind);
  }

  private expand(id: string, kind: TriggerKind): void {
    this.open.set(id);
    if (kind === 'cron') void this.loadNext(id);
    void this.loadHistory(id);
  }

  async loadNext(id: string): Promise<void> {
    this.next.update((m) => ({ ...m, [id]: { state: 'loading' } }));
    try {
      const answer = await this.api.get<NextRuns>(`${this.base()}/${encodeURIComponent(id)}/next`, { count: 5 });
      const localZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
      const view: NextView = { zone: answer.zone, localZone, source: answer.source, rows: nextRunRows(answer.next, answer.zone, localZone) };
      this.next.update((m) => ({ ...m, [id]: { state: 'ok', data: view } }));
    } catch (err) {
      this.next.update((m) => ({ ...m, [id]: { state: 'error', error: problemOf(err).detail } }));
    }
  }

  async loadHistory(id: string, more?: HistoryView): Promise<void> {
    if (!more) this.history.update((m) => ({ ...m, [id]: { state: 'loading' } }));
    try {
      const page = await this.api.get<HistoryView>(`${this.base()}/${encodeURIComponent(id)}/history`, { limit: 10, cursor: more?.nextCursor });
      const items = [...(more?.items ?? []), ...(page.items ?? [])];
      this.history.update((m) => ({ ...m, [id]: { state: 'ok', data: { items, nextCursor: page.nextCursor } } }));
    } catch (err) {
      this.history.update((m) => ({ ...m, [id]: { state: 'error', error: problemOf(err).detail } }));
    }
  }

  // ----- commands -----

  /** The revision after rotating or retiring a secret (the route answers none): read from the workflow's history. */
  private readonly revisionAfter = async (revision: number): Promise<number> => {
    const page = await this.api.get<{ items: { revision: number; type: string }[] }>(`/api/workflows/${encodeURIComponent(this.store.workflowId())}/history`, {
      fromRevision: revision + 1,
      limit: 20,
    });
    return revisionAfterOwnEvents(revision, page.items ?? []);
  };

  async setEnabled(t: TriggerItem, enabled: boolean): Promise<void> {
    await this.run(t, async () => {
      const answer = await this.store.command<{ position?: string }>('POST', `${this.base()}/${encodeURIComponent(t.id)}/${enabled ? 'enable' : 'disable'}`);
      await this.reloadAfter(answer.position);
      this.toasts.show(`${t.name} ${enabled ? 'enabled' : 'disabled'}${t.status === 'unpublished' ? ' (in the draft)' : ''}`, 'ok');
    });
  }

  async remove(t: TriggerItem): Promise<void> {
    await this.run(t, async () => {
      const answer = await this.store.command<{ position?: string }>('DELETE', `${this.base()}/${encodeURIComponent(t.id)}`, { ifMatch: true });
      this.confirming.set(null);
      if (this.open() === t.id) this.open.set(null);
      await this.reloadAfter(answer.position);
      this.toasts.show(t.publishedVersion ? `${t.name} removed from the draft: it keeps firing until you publish.` : `${t.name} removed`, 'ok');
    });
  }

  async rotate(t: TriggerItem): Promise<void> {
    await this.run(t, async () => {
      const answer = await this.store.command<{ url: string; secret: string; fingerprint: string }>('POST', `${this.base()}/${encodeURIComponent(t.id)}/secrets`, {
        revisionAfter: this.revisionAfter,
      });
      this.secret.set({ triggerId: t.id, url: answer.url, secret: answer.secret, fingerprint: answer.fingerprint });
      await this.load();
    });
  }

  async retire(t: TriggerItem, fingerprint: string): Promise<void> {
    await this.run(t, async () => {
      await this.store.command('DELETE', `${this.base()}/${encodeURIComponent(t.id)}/secrets/${encodeURIComponent(fingerprint)}`, { revisionAfter: this.revisionAfter });
      await this.load();
      this.toasts.show(`Secret ${shortFingerprint(fingerprint)} retired`, 'ok');
    });
  }

  private async run(t: TriggerItem, work: () => Promise<void>): Promise<void> {
    this.busy.set(t.id);
    this.rowError.set(null);
    try {
      await work();
    } catch (err) {
      const p = problemOf(err);
      const text = p.status === 412 ? 'The draft changed elsewhere and has been reloaded; try again.' : p.detail;
      this.rowError.set({ id: t.id, text: p.errors.length ? `${text} (${p.errors.join('; ')})` : text });
      if (p.status === 412) await this.load();
    } finally {
      this.busy.set(null);
    }
  }

  // ----- the add form -----

  setKind(kind: TriggerKind): void {
    this.form.update((f) => ({ ...f, kind }));
    this.problems.set({});
    this.serverProblem.set(null);
  }

  patch(key: 'name', value: string): void {
    this.form.update((f) => ({ ...f, [key]: value }));
  }

  patchIn<K extends 'cron' | 'webhook' | 'event'>(group: K, key: keyof TriggerForm[K], value: string): void {
    this.form.update((f) => ({ ...f, [group]: { ...f[group], [key]: value } }));
    if (this.problems()[key as string]) this.problems.update(({ [key as string]: _gone, ...rest }) => rest);
  }

  async add(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    this.serverProblem.set(null);
    const built = buildTrigger(this.form());
    if (!built.ok) {
      this.problems.set(built.problems);
      return;
    }
    this.problems.set({});
    this.adding.set(true);
    try {
      const answer = await this.store.command<{ triggerId: string; position?: string; webhook?: { url: string; secret: string; fingerprint: string } }>('POST', this.base(), {
        body: built.body,
        ifMatch: true,
      });
      if (answer.webhook) this.secret.set({ triggerId: answer.triggerId, ...answer.webhook });
      this.form.set({ ...emptyForm(built.body.kind) });
      await this.reloadAfter(answer.position);
      this.expand(answer.triggerId, built.body.kind);
      this.toasts.show(`${built.body.name} added to the draft: publish to make it fire.`, 'ok');
    } catch (err) {
      const p = problemOf(err);
      this.serverProblem.set(p.status === 412 ? { detail: 'Someone else changed this workflow; the latest draft has been loaded. Add the trigger again.', errors: [] } : p);
    } finally {
      this.adding.set(false);
    }
  }
}
