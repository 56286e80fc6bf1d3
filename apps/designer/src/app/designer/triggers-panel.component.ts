import { DatePipe, NgTemplateOutlet } from '@angular/common';
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
  buildTriggerChange,
  describeConfig,
  emptyForm,
  EVENT_SOURCES,
  EVENT_TEXT,
  formFromTrigger,
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
 * The workflow's triggers: list with status (live / disabled / draft), add (manual, cron, webhook, event) and edit in
 * place (same id, URL and secrets; the kind stays) as draft edits with If-Match, enable/disable (at once), remove (a
 * draft edit), webhook URL and secrets (shown once; rotate and retire), the next runs of a schedule in its zone and
 * the person's, and the runs each trigger started.
 */
@Component({
  selector: 'bb-triggers-panel',
  standalone: true,
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [DatePipe, NgTemplateOutlet, RouterLink, IconComponent],
  templateUrl: './triggers-panel.component.html',
  styleUrl: './triggers-panel.component.css',
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
  /** The trigger the form edits in place (the form then sits in its row), or null while it adds one. */
  readonly editing = signal<TriggerItem | null>(null);
  /** The add form as it was before an edit began, given back when the edit ends. */
  private addForm: TriggerForm | null = null;

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
      const edited = this.editing();
      const fresh = edited && items.find((x) => x.id === edited.id && x.inDraft);
      if (edited && !fresh) {
        this.endEdit();
        this.toasts.show(`${edited.name} is no longer in the draft (removed elsewhere): the edit was dropped.`, 'warn');
      } else if (fresh) this.editing.set(fresh);
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

  submit(event: SubmitEvent): Promise<void> {
    return this.editing() ? this.save(event) : this.add(event);
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

  // ----- editing in place -----

  /** Opens the form in the trigger's row, filled with its name and config (the add form's own input is kept aside). */
  startEdit(t: TriggerItem): void {
    if (!this.editing()) this.addForm = this.form();
    this.editing.set(t);
    this.form.set(formFromTrigger(t));
    this.problems.set({});
    this.serverProblem.set(null);
    this.rowError.set(null);
    this.confirming.set(null);
  }

  endEdit(): void {
    this.editing.set(null);
    this.form.set(this.addForm ?? emptyForm('cron'));
    this.addForm = null;
    this.problems.set({});
    this.serverProblem.set(null);
  }

  /** PATCH .../triggers/:triggerId: a draft edit like adding, so a published trigger fires as before until published. */
  async save(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const t = this.editing();
    if (!t) return;
    this.serverProblem.set(null);
    const built = buildTriggerChange(this.form(), t);
    if (!built.ok) {
      this.problems.set(built.problems);
      return;
    }
    this.problems.set({});
    if (!built.changed) {
      this.endEdit();
      this.toasts.show(`${t.name}: nothing changed`, 'info');
      return;
    }
    this.adding.set(true);
    try {
      const answer = await this.store.command<{ position?: string }>('PATCH', `${this.base()}/${encodeURIComponent(t.id)}`, { body: built.body, ifMatch: true });
      this.endEdit();
      await this.reloadAfter(answer.position);
      if (this.open() === t.id && t.kind === 'cron') void this.loadNext(t.id);
      const name = built.body.name;
      this.toasts.show(t.publishedVersion ? `${name} changed in the draft: publish to make it apply.` : `${name} changed`, 'ok');
    } catch (err) {
      const p = problemOf(err);
      if (p.status === 412) {
        this.serverProblem.set({ detail: 'Someone else changed this workflow; the latest draft has been loaded. Check the trigger and save again.', errors: [] });
        await this.load();
      } else this.serverProblem.set(p);
    } finally {
      this.adding.set(false);
    }
  }
}
