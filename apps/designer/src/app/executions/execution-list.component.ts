import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, computed, effect, inject, input, OnDestroy, signal, untracked } from '@angular/core';
import { Router, RouterLink } from '@angular/router';
import type { Page, WorkflowSummaryDto } from '@contracts/read-models';

import { ApiService } from '../core/api.service';
import { describeError, hasStatus } from '../core/http-error';
import { IconComponent } from '../core/icon.component';
import { statusTone, type ExecutionSummary } from './execution-model';

type Load = { state: 'loading' } | { state: 'ok' } | { state: 'error'; message: string } | { state: 'unavailable' };

/** Runs of the workspace, newest first, filtered by workflow and status; refreshes while any is running. */
@Component({
  selector: 'bb-execution-list',
  standalone: true,
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [RouterLink, DatePipe, IconComponent],
  template: `
    <div class="wrap">
      <div class="page-head">
        <div><h1>Executions</h1><p>Every run, live. Open one to watch it on the canvas or replay it event by event.</p></div>
        <div class="toolbar">
          <label><span class="sr-only">Workflow</span>
            <select class="select" [value]="workflowId() ?? ''" (change)="setWorkflow($any($event.target).value)" data-testid="execution-workflow-filter">
              <option value="">All workflows</option>
              @for (w of workflows(); track w.id) { <option [value]="w.id">{{ w.name }}</option> }
            </select></label>
          <label><span class="sr-only">Status</span>
            <select class="select" [value]="status()" (change)="status.set($any($event.target).value)" data-testid="execution-status-filter">
              <option value="">Any status</option>
              @for (s of statuses; track s) { <option [value]="s">{{ s }}</option> }
            </select></label>
          <button class="btn" type="button" (click)="reload()"><bb-icon name="retry" />Refresh</button>
        </div>
      </div>
      <div class="card">
        @switch (load().state) {
          @case ('loading') { <div class="state" role="status"><span class="spinner"></span><p>Loading runs…</p></div> }
          @case ('unavailable') {
            <div class="state" data-testid="executions-unavailable"><bb-icon name="bolt" /><h3>Runs are not available yet</h3>
              <p>This server does not run workflows yet. Designing, versioning and publishing work; runs will appear here once the engine is on.</p></div>
          }
          @case ('error') {
            <div class="state state-error" role="alert"><bb-icon name="error" /><h3>Could not load runs</h3><p>{{ errorText() }}</p>
              <button class="btn" type="button" (click)="reload()">Try again</button></div>
          }
          @case ('ok') {
            @if (items().length === 0) {
              <div class="state" data-testid="executions-empty"><bb-icon name="play" /><h3>No runs yet</h3>
                <p>Publish a workflow and press Run in the designer; its runs show up here.</p></div>
            } @else {
              <table class="table" data-testid="execution-table">
                <thead><tr><th>Workflow</th><th>Status</th><th>Started</th><th class="num">Duration</th><th class="num">Steps</th><th>Trigger</th></tr></thead>
                <tbody>
                  @for (x of items(); track x.id) {
                    <tr class="clickable" (click)="open(x)" data-testid="execution-row">
                      <td><a [routerLink]="['/executions', x.id]" (click)="$event.stopPropagation()">{{ nameOf(x.workflowId) }}</a> <span class="muted">v{{ x.version }}</span></td>
                      <td><span class="pill" [class]="'pill pill-' + tone(x.status)">{{ x.status }}</span></td>
                      <td class="muted">{{ x.startedAt | date: 'MMM d, HH:mm:ss' }}</td>
                      <td class="num">{{ x.durationMs !== null ? duration(x.durationMs) : '—' }}</td>
                      <td class="num">{{ x.stepsDone }}/{{ x.stepsTotal }}</td>
                      <td class="muted">{{ x.trigger?.kind ?? '' }}</td>
                    </tr>
                  }
                </tbody>
              </table>
            }
          }
        }
      </div>
    </div>
  `,
  styles: `
    .wrap { width: 100%; max-width: 1200px; margin: 0 auto; padding: 1.75rem 1.5rem; }
    .clickable { cursor: pointer; }
    td .muted { margin-left: 0.35rem; }
    td a { font-weight: 600; color: var(--bb-text); text-decoration: none; }
    td a:hover { color: var(--bb-brand); text-decoration: underline; }
  `,
})
export class ExecutionListComponent implements OnDestroy {
  private readonly api = inject(ApiService);
  private readonly router = inject(Router);
  /** Query parameter (withComponentInputBinding). */
  readonly workflowId = input<string | undefined>();
  readonly status = signal('');
  readonly statuses = ['running', 'paused', 'succeeded', 'failed', 'cancelled'];
  readonly items = signal<ExecutionSummary[]>([]);
  readonly workflows = signal<WorkflowSummaryDto[]>([]);
  readonly load = signal<Load>({ state: 'loading' });
  readonly errorText = computed(() => {
    const l = this.load();
    return l.state === 'error' ? l.message : '';
  });
  private timer: ReturnType<typeof setTimeout> | undefined;
  private names = computed(() => new Map(this.workflows().map((w) => [w.id, w.name])));

  constructor() {
    effect(() => {
      this.api.workspaceId();
      this.workflowId();
      this.status();
      untracked(() => void this.fetch(true));
    });
    void this.api
      .get<Page<WorkflowSummaryDto>>('/api/workflows', { limit: 100, status: 'all' })
      .then((p) => this.workflows.set(p.items ?? []))
      .catch(() => undefined);
  }

  ngOnDestroy(): void {
    clearTimeout(this.timer);
  }

  reload(): void {
    void this.fetch(true);
  }

  private async fetch(showLoading: boolean): Promise<void> {
    clearTimeout(this.timer);
    if (showLoading) this.load.set({ state: 'loading' });
    try {
      const page = await this.api.get<Page<ExecutionSummary>>('/api/workflows/executions', {
        workflowId: this.workflowId() || undefined,
        status: this.status() || undefined,
        limit: 50,
      });
      this.items.set(page.items ?? []);
      this.load.set({ state: 'ok' });
      // Keep the list live while something runs.
      if (this.items().some((x) => x.status === 'running' || x.status === 'paused')) this.timer = setTimeout(() => void this.fetch(false), 2000);
    } catch (err) {
      this.load.set(hasStatus(err, 404) ? { state: 'unavailable' } : { state: 'error', message: describeError(err) });
    }
  }

  setWorkflow(id: string): void {
    void this.router.navigate([], { queryParams: { workflowId: id || null }, queryParamsHandling: 'merge' });
  }

  open(x: ExecutionSummary): void {
    void this.router.navigate(['/executions', x.id]);
  }

  nameOf(id: string): string {
    return this.names().get(id) ?? id.slice(0, 8);
  }

  tone(status: string): string {
    return statusTone(status);
  }

  duration(ms: number): string {
    return ms < 1000 ? `${ms} ms` : ms < 60_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
  }
}
