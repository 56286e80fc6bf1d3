import { computed, inject, Injectable, signal } from '@angular/core';
import type { ActionGroup, ConfigSchema, JsonSchema } from '@contracts/actions/define-action';
import type { WorkflowDetailDto, WorkflowVersionDto } from '@contracts/read-models';
import type { ValidationIssue, WorkflowDefinition } from '@contracts/workflow';

import { ApiService, revisionOf } from '../core/api.service';
import { describeError, hasStatus } from '../core/http-error';
import { ToastService } from '../core/toast.service';
import { applyOps, EditHistory, toHttp, type GraphOp } from './graph-state';

/** One action of GET /api/actions. */
export interface CatalogueAction {
  type: string;
  title: string;
  group: ActionGroup;
  icon: string;
  description: string;
  configSchema: ConfigSchema;
  outputs: JsonSchema;
  defaults: { retryPolicy: { maxAttempts: number; initialIntervalMs: number; backoffCoefficient: number; maxIntervalMs: number; jitter: number; nonRetryableErrors: string[] }; timeoutMs: number };
  aliases: string[];
  branches: string[];
}
export interface Catalogue {
  groups: ActionGroup[];
  actions: CatalogueAction[];
}

type Summary = Omit<WorkflowDetailDto, 'definition' | 'validation'>;
type SaveState = 'saved' | 'saving' | 'error';

const EMPTY: WorkflowDefinition = { steps: [], edges: [], variables: [], triggers: [], tags: [] };

/**
 * The open workflow: its draft (edited optimistically), the revision the next edit builds on, the
 * server's validation, and the queue that sends each edit as its own command with If-Match. A 412
 * means someone else changed the draft: the queue stops, the draft reloads and the person is told.
 */
@Injectable()
export class DesignerStore {
  private readonly api = inject(ApiService);
  private readonly toasts = inject(ToastService);

  readonly workflowId = signal<string>('');
  readonly summary = signal<Summary | null>(null);
  readonly definition = signal<WorkflowDefinition>(EMPTY);
  readonly validation = signal<ValidationIssue[]>([]);
  readonly catalogue = signal<Catalogue | null>(null);
  readonly versions = signal<WorkflowVersionDto[]>([]);
  readonly loadState = signal<'loading' | 'ok' | 'error'>('loading');
  readonly loadError = signal('');
  readonly saveState = signal<SaveState>('saved');
  /** Bumped on every history change so computed() over canUndo/canRedo re-evaluates. */
  private readonly historyTick = signal(0);
  readonly history = new EditHistory();
  readonly canUndo = computed(() => (this.historyTick(), this.history.canUndo));
  readonly canRedo = computed(() => (this.historyTick(), this.history.canRedo));
  readonly undoLabel = computed(() => (this.historyTick(), this.history.nextUndoLabel));
  readonly redoLabel = computed(() => (this.historyTick(), this.history.nextRedoLabel));

  readonly actionsByType = computed(() => new Map((this.catalogue()?.actions ?? []).map((a) => [a.type, a])));
  readonly errors = computed(() => this.validation().filter((i) => i.severity === 'error'));
  readonly issuesByStep = computed(() => {
    const map = new Map<string, ValidationIssue[]>();
    for (const issue of this.validation()) if (issue.stepId) map.set(issue.stepId, [...(map.get(issue.stepId) ?? []), issue]);
    return map;
  });
  readonly issuesByEdge = computed(() => new Set(this.validation().filter((i) => i.edgeId).map((i) => i.edgeId!)));

  private revision = 0;
  private lastPosition: string | undefined;
  private queue: Promise<void> = Promise.resolve();
  private pending = 0;
  private stopped = false;
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;

  async open(id: string): Promise<void> {
    this.workflowId.set(id);
    this.versions.set([]);
    this.loadState.set('loading');
    this.history.clear();
    this.historyTick.update((n) => n + 1);
    // The versions are only needed by the Versions tab and the publish/run buttons: they load beside the
    // draft but the canvas does not wait for them.
    void this.loadVersions().catch((err: unknown) => {
      if (this.workflowId() === id && this.loadState() === 'ok') this.toasts.show(`Could not load the versions: ${describeError(err)}`, 'error');
    });
    try {
      const [catalogue] = await Promise.all([
        this.catalogue() ? Promise.resolve(this.catalogue()!) : this.api.get<Catalogue>('/api/actions'),
        this.reload(),
      ]);
      this.catalogue.set(catalogue);
      this.loadState.set('ok');
      performance.mark('bb:designer-ready');
    } catch (err) {
      this.loadError.set(hasStatus(err, 404) ? 'This workflow does not exist, or you have no access to it.' : describeError(err));
      this.loadState.set('error');
    }
  }

  /** Loads the draft from the server (after a conflict, a rollback, or to start). */
  async reload(minPosition?: string): Promise<void> {
    const answer = await this.api.call<WorkflowDetailDto>('GET', `/api/workflows/${this.workflowId()}`, {
      params: minPosition ? { minPosition } : undefined,
    });
    this.adopt(answer.body, revisionOf(answer.etag));
    performance.mark('bb:draft-loaded');
  }

  private adopt(detail: WorkflowDetailDto, etagRevision?: number): void {
    const { definition, validation, ...summary } = detail;
    this.summary.set(summary);
    this.definition.set(definition ?? EMPTY);
    this.validation.set(Array.isArray(validation) ? validation : []);
    this.revision = etagRevision ?? detail.revision;
  }

  async loadVersions(): Promise<void> {
    const id = this.workflowId();
    const list = await this.api.get<WorkflowVersionDto[]>(`/api/workflows/${id}/versions`);
    if (this.workflowId() === id) this.versions.set(Array.isArray(list) ? list : []);
  }

  /** A person's edit: applied at once, recorded for undo, and sent command by command. */
  edit(label: string, ops: GraphOp[], options: { record?: boolean } = {}): void {
    if (!ops.length) return;
    const before = this.definition();
    if (options.record !== false) {
      this.history.record(label, before, ops);
      this.historyTick.update((n) => n + 1);
    }
    this.definition.set(applyOps(before, ops));
    this.send(ops);
  }

  undo(): void {
    const entry = this.history.undo();
    this.historyTick.update((n) => n + 1);
    if (!entry) return;
    this.definition.set(applyOps(this.definition(), entry.inverse));
    this.send(entry.inverse);
    this.toasts.show(`Undid: ${entry.label}`);
  }

  redo(): void {
    const entry = this.history.redo();
    this.historyTick.update((n) => n + 1);
    if (!entry) return;
    this.definition.set(applyOps(this.definition(), entry.forward));
    this.send(entry.forward);
    this.toasts.show(`Redid: ${entry.label}`);
  }

  /** Resolves when every edit sent so far has been answered. */
  settled(): Promise<void> {
    return this.queue;
  }

  /**
   * A command of the Triggers tab, sent in the edit queue after the edits before it: If-Match when `ifMatch`, the
   * revision it answers with adopted (or the one `revisionAfter` finds, for routes that answer none). A 412 reloads
   * the draft and tells the person, like an edit; every refusal is rethrown for the form that sent it.
   */
  command<T>(method: string, url: string, options: { body?: unknown; ifMatch?: boolean; revisionAfter?: (revision: number) => Promise<number> } = {}): Promise<T> {
    const done = this.queue.then(async () => {
      try {
        const answer = await this.api.call<T & { revision?: number; position?: string }>(method, url, { body: options.body, revision: options.ifMatch ? this.revision : undefined });
        this.revision = revisionOf(answer.etag) ?? answer.body?.revision ?? (await options.revisionAfter?.(this.revision).catch(() => this.revision)) ?? this.revision;
        if (answer.body?.position) this.lastPosition = answer.body.position;
        this.scheduleRefresh();
        return answer.body;
      } catch (err) {
        if (hasStatus(err, 412)) await this.recover(err);
        throw err;
      }
    });
    this.queue = done.then(() => undefined, () => undefined);
    return done;
  }

  private send(ops: GraphOp[]): void {
    this.pending++;
    this.saveState.set('saving');
    this.queue = this.queue
      .then(() => this.sendNow(ops))
      .finally(() => {
        this.pending--;
        if (this.pending === 0) {
          if (this.saveState() === 'saving') this.saveState.set('saved');
          this.scheduleRefresh();
        }
      });
  }

  private async sendNow(ops: GraphOp[]): Promise<void> {
    for (const op of ops) {
      if (this.stopped) return;
      const call = toHttp(this.workflowId(), op);
      try {
        const answer = await this.api.call<{ revision: number; position?: string }>(call.method, call.url, { body: call.body, revision: this.revision });
        this.revision = revisionOf(answer.etag) ?? answer.body.revision;
        if (answer.body.position) this.lastPosition = answer.body.position;
      } catch (err) {
        await this.recover(err);
        return;
      }
    }
  }

  /** A refused edit: reload the server's draft so what is shown is what is stored, and say why. */
  private async recover(err: unknown): Promise<void> {
    this.stopped = true;
    if (hasStatus(err, 412)) {
      this.toasts.show('Someone else changed this workflow. The latest draft has been loaded; your last change was not saved.', 'warn', 9000);
    } else {
      this.toasts.show(`Change not saved: ${describeError(err)}`, 'error');
    }
    this.saveState.set('error');
    this.history.clear();
    this.historyTick.update((n) => n + 1);
    try {
      await this.reload();
      this.saveState.set('saved');
    } catch (reloadErr) {
      this.toasts.show(`Could not reload: ${describeError(reloadErr)}`, 'error');
    } finally {
      this.stopped = false;
    }
  }

  /** After the queue drains, reads the draft back (with its validation) once the read model has our last write. */
  private scheduleRefresh(): void {
    clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => void this.refreshValidation(), 120);
  }

  async refreshValidation(): Promise<void> {
    if (this.pending > 0 || !this.workflowId()) return;
    try {
      const answer = await this.api.call<WorkflowDetailDto>('GET', `/api/workflows/${this.workflowId()}`, {
        params: this.lastPosition ? { minPosition: this.lastPosition } : undefined,
      });
      if (this.pending > 0) return; // a newer edit is on its way; its own refresh follows
      const rev = revisionOf(answer.etag) ?? answer.body.revision;
      if (rev === this.revision) this.adopt(answer.body, rev);
      else this.validation.set(answer.body.validation ?? []);
    } catch {
      /* validation stays as it was; the next edit tries again */
    }
  }

  /** Publishes the draft; resolves to the new version, or null (the reason has been shown). */
  async publish(note: string): Promise<number | null> {
    await this.settled();
    try {
      const answer = await this.api.call<{ version?: number; revision: number }>('POST', `/api/workflows/${this.workflowId()}/versions`, {
        body: { note },
        revision: this.revision,
      });
      this.revision = revisionOf(answer.etag) ?? answer.body.revision;
      await Promise.all([this.reload(), this.loadVersions()]);
      return answer.body.version ?? this.summary()?.version ?? null;
    } catch (err) {
      if (hasStatus(err, 422)) this.toasts.show(`Not published: fix the ${this.errors().length || ''} error(s) first. ${describeError(err)}`, 'error');
      else if (hasStatus(err, 412)) {
        this.toasts.show('Someone else changed this workflow; the latest draft has been loaded. Check it and publish again.', 'warn');
        await this.reload();
      } else this.toasts.show(`Not published: ${describeError(err)}`, 'error');
      return null;
    }
  }

  async rollback(version: number): Promise<number | null> {
    await this.settled();
    try {
      const answer = await this.api.call<{ version?: number; revision: number }>('POST', `/api/workflows/${this.workflowId()}/rollback/${version}`, {
        revision: this.revision,
      });
      this.history.clear();
      this.historyTick.update((n) => n + 1);
      await Promise.all([this.reload(), this.loadVersions()]);
      return answer.body.version ?? null;
    } catch (err) {
      if (hasStatus(err, 412)) await this.reload();
      this.toasts.show(`Rollback failed: ${describeError(err)}`, 'error');
      return null;
    }
  }

  async rename(name: string): Promise<void> {
    await this.settled();
    try {
      const answer = await this.api.call<{ revision: number }>('PUT', `/api/workflows/${this.workflowId()}`, { body: { name }, revision: this.revision });
      this.revision = revisionOf(answer.etag) ?? answer.body.revision;
      this.summary.update((s) => (s ? { ...s, name } : s));
    } catch (err) {
      this.toasts.show(`Not renamed: ${describeError(err)}`, 'error');
      if (hasStatus(err, 412)) await this.reload();
    }
  }

  /** The graph of version `n` as published: carried by its WorkflowVersionPublished event (else the draft as of that event). */
  async versionDefinition(n: number): Promise<WorkflowDefinition> {
    let from = 0;
    for (let page = 0; page < 50; page++) {
      const history = await this.api.get<{
        items: { revision: number; type: string; data: { version?: number; definition?: WorkflowDefinition } }[];
        nextFromRevision?: number;
      }>(
        `/api/workflows/${this.workflowId()}/history`,
        { limit: 500, fromRevision: from },
      );
      const hit = history.items.find((e) => e.type === 'WorkflowVersionPublished' && e.data?.version === n);
      if (hit?.data.definition) return hit.data.definition;
      if (hit) {
        const detail = await this.api.get<WorkflowDetailDto>(`/api/workflows/${this.workflowId()}`, { asOf: String(hit.revision) });
        return detail.definition;
      }
      if (history.nextFromRevision === undefined) break;
      from = history.nextFromRevision;
    }
    throw new Error(`Version ${n} not found in the history`);
  }
}
