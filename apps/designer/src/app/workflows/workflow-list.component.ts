import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, computed, effect, ElementRef, inject, signal, untracked, viewChild } from '@angular/core';
import { Router, RouterLink } from '@angular/router';
import type { CommandAcceptedDto, Page, WorkflowSummaryDto } from '@contracts/read-models';

import { ApiService } from '../core/api.service';
import { describeError } from '../core/http-error';
import { IconComponent } from '../core/icon.component';
import { ToastService } from '../core/toast.service';
import { sortWorkflows, type WorkflowSort } from './workflow-sort';

type Status = 'active' | 'archived' | 'all';
type Load = { state: 'loading' } | { state: 'ok' } | { state: 'error'; message: string };

const PAGE_SIZE = 20;

/** Workflows of the workspace: search, filters, sort, paging; create, duplicate, archive/restore, import, export. */
@Component({
  selector: 'bb-workflow-list',
  standalone: true,
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [RouterLink, DatePipe, IconComponent],
  template: `
    <div class="wrap">
      <div class="page-head">
        <div>
          <h1>Workflows</h1>
          <p>Everything {{ api.workspace()?.name ?? 'this workspace' }} automates. Open one to edit it on the canvas.</p>
        </div>
        <div class="toolbar">
          <input #file type="file" accept="application/json,.json" hidden (change)="importFile($event)" data-testid="import-file" />
          <button class="btn" type="button" (click)="file.click()" data-testid="import-workflow"><bb-icon name="upload" />Import</button>
          <button class="btn btn-primary" type="button" (click)="openCreate()" data-testid="new-workflow"><bb-icon name="plus" />New workflow</button>
        </div>
      </div>

      <div class="card">
        <form class="filters" role="search" (submit)="$event.preventDefault(); applySearch()">
          <label class="search">
            <bb-icon name="search" />
            <span class="sr-only">Search workflows</span>
            <input class="input" type="search" placeholder="Search by name or description" [value]="q()" (input)="onSearchInput($event)"
              data-testid="workflow-search" />
          </label>
          <label><span class="sr-only">Status</span>
            <select class="select" [value]="status()" (change)="setStatus($event)" data-testid="workflow-status-filter">
              <option value="active">Active</option>
              <option value="archived">Archived</option>
              <option value="all">All</option>
            </select>
          </label>
          <label><span class="sr-only">Tag</span>
            <input class="input tag" placeholder="Tag" [value]="tag()" (change)="setTag($event)" data-testid="workflow-tag-filter" />
          </label>
          <label><span class="sr-only">Sort</span>
            <select class="select" [value]="sort()" (change)="setSort($event)" data-testid="workflow-sort">
              <option value="updated">Recently updated</option>
              <option value="name">Name A–Z</option>
              <option value="steps">Most steps</option>
              <option value="version">Latest version</option>
            </select>
          </label>
        </form>

        @switch (load().state) {
          @case ('loading') {
            <div class="rows" aria-busy="true" aria-label="Loading workflows">
              @for (i of [1, 2, 3, 4]; track i) { <div class="sk-row"><span class="skeleton" style="width: 40%"></span><span class="skeleton" style="width: 15%"></span></div> }
            </div>
          }
          @case ('error') {
            <div class="state state-error" role="alert" data-testid="workflows-error">
              <bb-icon name="error" /><h3>Could not load workflows</h3><p>{{ loadError() }}</p>
              <button class="btn" type="button" (click)="reload()">Try again</button>
            </div>
          }
          @case ('ok') {
            @if (rows().length === 0) {
              <div class="state" data-testid="workflows-empty">
                <bb-icon name="workflow" />
                @if (q() || tag() || status() !== 'active') {
                  <h3>No workflow matches</h3><p>Try another search or clear the filters.</p>
                  <button class="btn" type="button" (click)="clearFilters()">Clear filters</button>
                } @else {
                  <h3>No workflows yet</h3><p>Create your first workflow, or import one exported from another workspace.</p>
                  <button class="btn btn-primary" type="button" (click)="openCreate()"><bb-icon name="plus" />New workflow</button>
                }
              </div>
            } @else {
              <table class="table" data-testid="workflow-table">
                <thead><tr><th>Name</th><th>Status</th><th>Tags</th><th class="num">Steps</th><th class="num">Version</th><th>Updated</th><th><span class="sr-only">Actions</span></th></tr></thead>
                <tbody>
                  @for (wf of rows(); track wf.id) {
                    <tr data-testid="workflow-row">
                      <td class="name-cell">
                        <a [routerLink]="['/workflows', wf.id]" data-testid="workflow-name">{{ wf.name }}</a>
                        @if (wf.description) { <div class="desc">{{ wf.description }}</div> }
                      </td>
                      <td><span class="pill" [class.pill-ok]="wf.status === 'active'">{{ wf.status }}</span></td>
                      <td><div class="tags">@for (t of wf.tags; track t) { <button type="button" class="pill pill-brand tagbtn" [attr.aria-label]="'Only workflows tagged ' + t" (click)="filterTag(t)">{{ t }}</button> }</div></td>
                      <td class="num">{{ wf.stepCount }}</td>
                      <td class="num">{{ wf.version ? 'v' + wf.version : '—' }}</td>
                      <td class="muted">{{ wf.updatedAt | date: 'MMM d, HH:mm' }}</td>
                      <td class="actions">
                        <button class="btn btn-sm btn-ghost btn-icon" type="button" title="Duplicate" [attr.aria-label]="'Duplicate ' + wf.name" (click)="duplicate(wf)" data-testid="duplicate-workflow"><bb-icon name="copy" /></button>
                        <button class="btn btn-sm btn-ghost btn-icon" type="button" title="Export as JSON" [attr.aria-label]="'Export ' + wf.name" (click)="exportWorkflow(wf)" data-testid="export-workflow"><bb-icon name="download" /></button>
                        @if (wf.status === 'archived') {
                          <button class="btn btn-sm btn-ghost btn-icon" type="button" title="Restore" [attr.aria-label]="'Restore ' + wf.name" (click)="restore(wf)"><bb-icon name="restore" /></button>
                        } @else {
                          <button class="btn btn-sm btn-ghost btn-icon btn-danger" type="button" title="Archive" [attr.aria-label]="'Archive ' + wf.name" (click)="archive(wf)" data-testid="archive-workflow"><bb-icon name="archive" /></button>
                        }
                      </td>
                    </tr>
                  }
                </tbody>
              </table>
            }
            <div class="pager">
              <span class="muted">Page {{ cursors().length + 1 }}</span>
              <button class="btn btn-sm" type="button" [disabled]="cursors().length === 0" (click)="prevPage()">Previous</button>
              <button class="btn btn-sm" type="button" [disabled]="!nextCursor()" (click)="nextPage()" data-testid="next-page">Next</button>
            </div>
          }
        }
      </div>
    </div>

    @if (creating()) {
      <div class="backdrop" (click)="closeCreate()" (keydown.escape)="closeCreate()">
        <form class="dialog" role="dialog" aria-modal="true" aria-labelledby="create-title" (click)="$event.stopPropagation()" (submit)="create($event)">
          <div class="dialog-head"><h2 id="create-title">New workflow</h2></div>
          <div class="dialog-body">
            <div class="field"><label for="wf-name">Name <span class="req">*</span></label>
              <input #nameInput id="wf-name" name="name" class="input" required maxlength="200" data-testid="new-workflow-name" /></div>
            <div class="field"><label for="wf-desc">Description</label>
              <textarea id="wf-desc" name="description" class="textarea" maxlength="2000" data-testid="new-workflow-description"></textarea></div>
            @if (createError()) { <p class="err" role="alert">{{ createError() }}</p> }
          </div>
          <div class="dialog-foot">
            <button class="btn" type="button" (click)="closeCreate()">Cancel</button>
            <button class="btn btn-primary" type="submit" [disabled]="busy()" data-testid="create-workflow">Create and open</button>
          </div>
        </form>
      </div>
    }
  `,
  styles: `
    .wrap { width: 100%; max-width: 1200px; margin: 0 auto; padding: 1.75rem 1.5rem; }
    .filters { display: flex; gap: 0.6rem; padding: 0.8rem 1rem; border-bottom: 1px solid var(--bb-border); flex-wrap: wrap; }
    .search { flex: 1; min-width: 220px; position: relative; display: flex; align-items: center; }
    .search bb-icon { position: absolute; left: 0.55rem; color: var(--bb-faint); }
    .search .input { padding-left: 2rem; }
    .tag { width: 140px; }
    .name-cell a { font-weight: 600; text-decoration: none; color: var(--bb-text); }
    .name-cell a:hover { color: var(--bb-brand); text-decoration: underline; }
    .desc { color: var(--bb-muted); font-size: 0.82rem; max-width: 420px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
    .tags { display: flex; gap: 0.25rem; flex-wrap: wrap; }
    .tagbtn { cursor: pointer; }
    .actions { text-align: right; white-space: nowrap; }
    .pager { display: flex; align-items: center; justify-content: flex-end; gap: 0.5rem; padding: 0.6rem 1rem; border-top: 1px solid var(--bb-border); }
    .pager .muted { margin-right: auto; font-size: 0.85rem; }
    .sk-row { display: flex; justify-content: space-between; padding: 0.9rem 1rem; border-bottom: 1px solid var(--bb-border); }
    .err { color: var(--bb-error); }
  `,
})
export class WorkflowListComponent {
  readonly api = inject(ApiService);
  private readonly toasts = inject(ToastService);
  private readonly router = inject(Router);
  private readonly nameInput = viewChild<ElementRef<HTMLInputElement>>('nameInput');

  readonly q = signal('');
  readonly status = signal<Status>('active');
  readonly tag = signal('');
  readonly sort = signal<WorkflowSort>('updated');
  readonly cursors = signal<(string | undefined)[]>([]);
  private readonly cursor = signal<string | undefined>(undefined);
  readonly nextCursor = signal<string | undefined>(undefined);
  private readonly items = signal<WorkflowSummaryDto[]>([]);
  readonly load = signal<Load>({ state: 'loading' });
  readonly loadError = computed(() => {
    const l = this.load();
    return l.state === 'error' ? l.message : '';
  });
  readonly rows = computed(() => sortWorkflows(this.items(), this.sort()));

  readonly creating = signal(false);
  readonly createError = signal<string | null>(null);
  readonly busy = signal(false);
  private searchTimer: ReturnType<typeof setTimeout> | undefined;
  private minPosition: string | undefined;
  private requestNo = 0;

  constructor() {
    // Reload whenever the workspace or a query parameter changes.
    effect(() => {
      this.api.workspaceId();
      this.q();
      this.status();
      this.tag();
      this.cursor();
      untracked(() => void this.fetch());
    });
  }

  reload(): void {
    void this.fetch();
  }

  private async fetch(): Promise<void> {
    const no = ++this.requestNo;
    this.load.set({ state: 'loading' });
    try {
      const page = await this.api.get<Page<WorkflowSummaryDto>>('/api/workflows', {
        q: this.q() || undefined,
        status: this.status(),
        tag: this.tag() || undefined,
        limit: PAGE_SIZE,
        cursor: this.cursor(),
        minPosition: this.minPosition,
      });
      if (no !== this.requestNo) return;
      this.items.set(Array.isArray(page?.items) ? page.items : []);
      this.nextCursor.set(page?.nextCursor);
      this.load.set({ state: 'ok' });
    } catch (err) {
      if (no === this.requestNo) this.load.set({ state: 'error', message: describeError(err) });
    }
  }

  onSearchInput(event: Event): void {
    const value = (event.target as HTMLInputElement).value;
    clearTimeout(this.searchTimer);
    this.searchTimer = setTimeout(() => this.resetPaging(() => this.q.set(value.trim())), 250);
  }
  applySearch(): void {
    /* the input already searched as you typed */
  }
  setStatus(event: Event): void {
    this.resetPaging(() => this.status.set((event.target as HTMLSelectElement).value as Status));
  }
  setTag(event: Event): void {
    this.resetPaging(() => this.tag.set((event.target as HTMLInputElement).value.trim()));
  }
  filterTag(tag: string): void {
    this.resetPaging(() => this.tag.set(tag));
  }
  setSort(event: Event): void {
    this.sort.set((event.target as HTMLSelectElement).value as WorkflowSort);
  }
  clearFilters(): void {
    this.resetPaging(() => {
      this.q.set('');
      this.tag.set('');
      this.status.set('active');
    });
  }
  nextPage(): void {
    const next = this.nextCursor();
    if (!next) return;
    this.cursors.update((c) => [...c, this.cursor()]);
    this.cursor.set(next);
  }
  prevPage(): void {
    const stack = this.cursors();
    if (!stack.length) return;
    this.cursors.set(stack.slice(0, -1));
    this.cursor.set(stack[stack.length - 1]);
  }
  private resetPaging(change: () => void): void {
    this.cursors.set([]);
    this.cursor.set(undefined);
    change();
  }

  openCreate(): void {
    this.createError.set(null);
    this.creating.set(true);
    setTimeout(() => this.nameInput()?.nativeElement.focus());
  }
  closeCreate(): void {
    this.creating.set(false);
  }

  async create(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const data = new FormData(event.target as HTMLFormElement);
    const name = String(data.get('name') ?? '').trim();
    const description = String(data.get('description') ?? '').trim();
    if (!name) {
      this.createError.set('Give the workflow a name');
      return;
    }
    this.busy.set(true);
    try {
      const { body } = await this.api.call<CommandAcceptedDto>('POST', '/api/workflows', {
        body: { name, ...(description ? { description } : {}), workspaceId: this.api.workspaceId() ?? undefined },
      });
      this.creating.set(false);
      void this.router.navigate(['/workflows', body.id]);
    } catch (err) {
      this.createError.set(describeError(err));
    } finally {
      this.busy.set(false);
    }
  }

  async duplicate(wf: WorkflowSummaryDto): Promise<void> {
    await this.run(async () => {
      const { body } = await this.api.call<CommandAcceptedDto>('POST', `/api/workflows/${wf.id}/duplicate`, { body: {} });
      this.toasts.show(`Duplicated “${wf.name}”`, 'ok');
      this.minPosition = body.position;
    });
  }

  async archive(wf: WorkflowSummaryDto): Promise<void> {
    await this.run(async () => {
      const { body } = await this.api.call<CommandAcceptedDto>('DELETE', `/api/workflows/${wf.id}`, { revision: wf.revision });
      this.minPosition = body.position;
      this.toasts.show(`Archived “${wf.name}”. Find it under Archived to restore it.`, 'ok');
    });
  }

  async restore(wf: WorkflowSummaryDto): Promise<void> {
    await this.run(async () => {
      const { body } = await this.api.call<CommandAcceptedDto>('POST', `/api/workflows/${wf.id}/restore`, { revision: wf.revision });
      this.minPosition = body.position;
      this.toasts.show(`Restored “${wf.name}”`, 'ok');
    });
  }

  async exportWorkflow(wf: WorkflowSummaryDto): Promise<void> {
    try {
      const json = await this.api.get<unknown>(`/api/workflows/${wf.id}/export`);
      const blob = new Blob([JSON.stringify(json, null, 2)], { type: 'application/json' });
      const a = document.createElement('a');
      a.href = URL.createObjectURL(blob);
      a.download = `${wf.name.replace(/[^\w.-]+/g, '-').toLowerCase() || 'workflow'}.json`;
      a.click();
      setTimeout(() => URL.revokeObjectURL(a.href), 1000);
    } catch (err) {
      this.toasts.show(`Export failed: ${describeError(err)}`, 'error');
    }
  }

  async importFile(event: Event): Promise<void> {
    const input = event.target as HTMLInputElement;
    const file = input.files?.[0];
    input.value = '';
    if (!file) return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(await file.text());
    } catch {
      this.toasts.show(`${file.name} is not JSON`, 'error');
      return;
    }
    await this.run(async () => {
      const { body } = await this.api.call<CommandAcceptedDto>('POST', '/api/workflows/import', { body: parsed });
      this.minPosition = body.position;
      this.toasts.show(`Imported ${file.name}`, 'ok');
    });
  }

  private async run(action: () => Promise<void>): Promise<void> {
    try {
      await action();
      await this.fetch();
    } catch (err) {
      this.toasts.show(describeError(err), 'error');
    }
  }
}
