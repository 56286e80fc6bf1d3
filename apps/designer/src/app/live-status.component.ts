import { HttpClient, HttpErrorResponse } from '@angular/common/http';
import { ChangeDetectionStrategy, Component, computed, inject, OnInit, signal } from '@angular/core';
import type { Page, WorkflowSummaryDto } from '@contracts/read-models';

import { AuthService } from './auth.service';
import { describeError } from './http-error';

/** What the placeholder shows of a workflow; the API may send more (see WorkflowSummaryDto). */
type WorkflowRow = Pick<WorkflowSummaryDto, 'id' | 'name'> & { status?: string };

/** Body of GET /api/health (@nestjs/terminus shape; only `status` is relied on). */
interface HealthBody {
  status?: string;
}

type Load<T> =
  | { state: 'loading' }
  | { state: 'ok'; value: T }
  | { state: 'error'; message: string };

/** The "Live status" card: API health (no token needed) and the five most recent workflows (bearer token). */
@Component({
  selector: 'bb-live-status',
  standalone: true,
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <section class="card" aria-labelledby="live-title">
      <div class="card-head">
        <h3 id="live-title">Live status</h3>
        <button type="button" (click)="refresh()" [disabled]="busy()">{{ busy() ? 'Checking…' : 'Refresh' }}</button>
      </div>

      <dl class="rows">
        <div class="row">
          <dt>API health</dt>
          <dd>
            @switch (health().state) {
              @case ('loading') {
                <span class="pill pill-muted" data-testid="health-status">checking…</span>
              }
              @case ('ok') {
                <span class="pill" [class.pill-ok]="healthy()" [class.pill-warn]="!healthy()" data-testid="health-status">{{ healthText() }}</span>
              }
              @case ('error') {
                <span class="pill pill-error" data-testid="health-status">unavailable ({{ healthError() }})</span>
              }
            }
          </dd>
        </div>

        <div class="row">
          <dt>Recent workflows</dt>
          <dd data-testid="workflows">
            @switch (workflows().state) {
              @case ('loading') {
                <span class="muted">Loading…</span>
              }
              @case ('ok') {
                @if (workflowRows().length === 0) {
                  <span class="muted" data-testid="workflows-empty">No workflows yet.</span>
                } @else {
                  <ul class="list">
                    @for (wf of workflowRows(); track wf.id) {
                      <li data-testid="workflow-name">
                        <span class="name">{{ wf.name }}</span>
                        @if (wf.status) {
                          <span class="pill pill-muted small">{{ wf.status }}</span>
                        }
                      </li>
                    }
                  </ul>
                }
              }
              @case ('error') {
                <span class="error" data-testid="workflows-error">Could not load workflows ({{ workflowsError() }}).</span>
              }
            }
          </dd>
        </div>
      </dl>
    </section>
  `,
  styles: `
    .card { background: var(--bb-surface); border: 1px solid var(--bb-border); border-radius: var(--bb-radius);
      box-shadow: 0 1px 2px rgb(16 24 40 / 0.05); }
    .card-head { display: flex; align-items: center; justify-content: space-between;
      padding: 0.9rem 1.25rem; border-bottom: 1px solid var(--bb-border); }
    .card-head h3 { margin: 0; font-size: 1rem; font-weight: 600; }
    button { padding: 0.35rem 0.9rem; border-radius: 6px; border: 1px solid var(--bb-border);
      background: var(--bb-surface); color: var(--bb-text); cursor: pointer; }
    button:hover:not(:disabled) { border-color: var(--bb-brand); color: var(--bb-brand); }
    button:disabled { opacity: 0.6; cursor: default; }
    .rows { margin: 0; }
    .row { display: grid; grid-template-columns: 170px 1fr; gap: 1rem; padding: 0.9rem 1.25rem; }
    .row + .row { border-top: 1px solid var(--bb-border); }
    dt { color: var(--bb-muted); font-weight: 500; }
    dd { margin: 0; min-width: 0; }
    .pill { display: inline-block; padding: 0.1rem 0.6rem; border-radius: 999px; font-size: 0.85rem;
      font-weight: 500; }
    .pill.small { font-size: 0.75rem; }
    .pill-ok { background: var(--bb-ok-bg); color: var(--bb-ok); }
    .pill-warn { background: var(--bb-warn-bg); color: var(--bb-warn); }
    .pill-error { background: var(--bb-error-bg); color: var(--bb-error); }
    .pill-muted { background: var(--bb-bg); color: var(--bb-muted); border: 1px solid var(--bb-border); }
    .muted { color: var(--bb-muted); }
    .error { color: var(--bb-error); }
    .list { list-style: none; margin: 0; padding: 0; }
    .list li { display: flex; align-items: center; justify-content: space-between; gap: 0.75rem; padding: 0.2rem 0; }
    .name { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
    @media (max-width: 560px) { .row { grid-template-columns: 1fr; gap: 0.25rem; } }
  `,
})
export class LiveStatusComponent implements OnInit {
  private readonly http = inject(HttpClient);
  private readonly auth = inject(AuthService);

  readonly health = signal<Load<HealthBody>>({ state: 'loading' });
  readonly workflows = signal<Load<WorkflowRow[]>>({ state: 'loading' });

  readonly busy = computed(() => this.health().state === 'loading' || this.workflows().state === 'loading');

  readonly healthText = computed(() => {
    const h = this.health();
    return h.state === 'ok' ? (h.value.status ?? 'unknown') : '';
  });
  readonly healthy = computed(() => this.healthText() === 'ok' || this.healthText() === 'up');
  readonly healthError = computed(() => {
    const h = this.health();
    return h.state === 'error' ? h.message : '';
  });

  readonly workflowRows = computed(() => {
    const w = this.workflows();
    return w.state === 'ok' ? w.value : [];
  });
  readonly workflowsError = computed(() => {
    const w = this.workflows();
    return w.state === 'error' ? w.message : '';
  });

  ngOnInit(): void {
    this.refresh();
  }

  refresh(): void {
    this.health.set({ state: 'loading' });
    this.workflows.set({ state: 'loading' });

    this.http.get<HealthBody>('/api/health').subscribe({
      next: (body) => this.health.set({ state: 'ok', value: body ?? {} }),
      error: (err: unknown) => {
        // Terminus answers 503 with the same body shape when a check is down: show that status.
        if (err instanceof HttpErrorResponse && err.status === 503 && typeof err.error?.status === 'string') {
          this.health.set({ state: 'ok', value: { status: err.error.status as string } });
        } else {
          this.health.set({ state: 'error', message: describeError(err) });
        }
      },
    });

    // Needs the bearer token (and refreshes it on 401) so it goes through AuthService.
    this.auth.get<Page<WorkflowRow>>('/api/workflows', { limit: 5 }).then(
      (body) => {
        const items = Array.isArray(body?.items) ? body.items : [];
        this.workflows.set({ state: 'ok', value: items.slice(0, 5) });
      },
      (err: unknown) => this.workflows.set({ state: 'error', message: describeError(err) }),
    );
  }
}
