import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, effect, inject, signal, untracked } from '@angular/core';
import { RouterLink } from '@angular/router';

import { ApiService } from '../core/api.service';
import { describeError, hasStatus } from '../core/http-error';
import { IconComponent } from '../core/icon.component';
import { ToastService } from '../core/toast.service';
import type { Approval } from './execution-model';

/** What waits on me: approve or reject with a comment. */
@Component({
  selector: 'bb-approval-inbox',
  standalone: true,
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [DatePipe, RouterLink, IconComponent],
  template: `
    <div class="wrap">
      <div class="page-head"><div><h1>Approvals</h1><p>Requests from running workflows that you may answer.</p></div>
        <button class="btn" type="button" (click)="reload()"><bb-icon name="retry" />Refresh</button></div>
      @switch (load()) {
        @case ('loading') { <div class="card state" role="status"><span class="spinner"></span><p>Loading your inbox…</p></div> }
        @case ('unavailable') { <div class="card state" data-testid="approvals-unavailable"><bb-icon name="inbox" /><h3>Approvals are not available yet</h3>
          <p>This server does not run workflows yet; approval requests will appear here once it does.</p></div> }
        @case ('error') { <div class="card state state-error" role="alert"><bb-icon name="error" /><h3>Could not load approvals</h3><p>{{ error() }}</p>
          <button class="btn" type="button" (click)="reload()">Try again</button></div> }
        @default {
          @for (a of items(); track a.id) {
            <article class="card item" data-testid="approval">
              <div class="card-body">
                <div class="head"><h2>{{ a.title || 'Approval requested' }}</h2><span class="muted small">{{ a.requestedAt | date: 'MMM d, HH:mm' }}</span></div>
                <p class="msg">{{ a.message }}</p>
                <p class="muted small">Step <span class="mono">{{ a.stepId }}</span> of <a [routerLink]="['/executions', a.executionId]">run {{ a.executionId.slice(0, 8) }}</a>
                  @if (a.timeoutAt) { · decide before {{ a.timeoutAt | date: 'MMM d, HH:mm' }} }</p>
                <label class="sr-only" [for]="'c-' + a.id">Comment</label>
                <textarea class="textarea" [id]="'c-' + a.id" #comment [placeholder]="a.requireComment ? 'A comment is required to reject' : 'Comment (optional)'" rows="2"
                  data-testid="approval-comment"></textarea>
                <div class="acts">
                  <button class="btn btn-danger" type="button" (click)="decide(a, 'reject', comment.value)" [disabled]="busy() === a.id" data-testid="approval-reject"><bb-icon name="x" />Reject</button>
                  <button class="btn btn-primary" type="button" (click)="decide(a, 'approve', comment.value)" [disabled]="busy() === a.id" data-testid="approval-approve"><bb-icon name="check" />Approve</button>
                </div>
              </div>
            </article>
          } @empty {
            <div class="card state" data-testid="approvals-empty"><bb-icon name="check" /><h3>Nothing waits on you</h3><p>When a workflow asks you to approve something, it shows up here.</p></div>
          }
        }
      }
    </div>
  `,
  styles: `
    .wrap { width: 100%; max-width: 860px; margin: 0 auto; padding: 1.75rem 1.5rem; }
    .item { margin-bottom: 0.8rem; }
    .head { display: flex; justify-content: space-between; gap: 1rem; align-items: baseline; }
    .head h2 { font-size: 1rem; }
    .msg { margin: 0.4rem 0; white-space: pre-wrap; }
    .small { font-size: 0.8rem; }
    .acts { display: flex; justify-content: flex-end; gap: 0.5rem; margin-top: 0.6rem; }
  `,
})
export class ApprovalInboxComponent {
  private readonly api = inject(ApiService);
  private readonly toasts = inject(ToastService);
  readonly items = signal<Approval[]>([]);
  readonly load = signal<'loading' | 'ok' | 'error' | 'unavailable'>('loading');
  readonly error = signal('');
  readonly busy = signal<string | null>(null);

  constructor() {
    effect(() => {
      this.api.workspaceId();
      untracked(() => this.reload());
    });
  }

  reload(): void {
    this.load.set('loading');
    this.api.get<Approval[] | { items: Approval[] }>('/api/approvals', { mine: 1 }).then(
      (body) => {
        this.items.set(Array.isArray(body) ? body : (body.items ?? []));
        this.load.set('ok');
      },
      (err: unknown) => {
        this.load.set(hasStatus(err, 404) ? 'unavailable' : 'error');
        this.error.set(describeError(err));
      },
    );
  }

  async decide(a: Approval, decision: 'approve' | 'reject', comment: string): Promise<void> {
    if (decision === 'reject' && a.requireComment && !comment.trim()) {
      this.toasts.show('Say why you reject it: a comment is required', 'warn');
      return;
    }
    this.busy.set(a.id);
    try {
      await this.api.call('POST', `/api/approvals/${a.id}/decision`, { body: { decision, ...(comment.trim() ? { comment: comment.trim() } : {}) } });
      this.items.update((list) => list.filter((x) => x.id !== a.id));
      this.toasts.show(decision === 'approve' ? 'Approved' : 'Rejected', 'ok');
    } catch (err) {
      this.toasts.show(`Not recorded: ${describeError(err)}`, 'error');
    } finally {
      this.busy.set(null);
    }
  }
}
