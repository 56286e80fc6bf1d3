import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, inject, input, output, signal } from '@angular/core';
import type { WorkflowVersionDto } from '@contracts/read-models';

import { IconComponent } from '../core/icon.component';
import { ToastService } from '../core/toast.service';
import { DesignerStore } from './designer-store';

/** Published versions, newest first: compare any version with the one before it, or roll back to it. */
@Component({
  selector: 'bb-versions-panel',
  standalone: true,
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [DatePipe, IconComponent],
  template: `
    @if (store.versions().length === 0) {
      <div class="empty"><bb-icon name="history" /><div><strong>Not published yet.</strong><br />Publish the draft to create version 1; executions run published versions.</div></div>
    } @else {
      <ol class="versions" data-testid="version-list">
        @for (v of store.versions(); track v.version) {
          <li [class.current]="$first" [attr.data-testid]="'version-' + v.version">
            <div class="line">
              <span class="vnum">v{{ v.version }}</span>
              @if ($first) { <span class="pill pill-ok">latest</span> }
              @if (v.rolledBackFrom) { <span class="pill pill-warn" title="Republishes an older version">rollback of v{{ v.rolledBackFrom }}</span> }
              <span class="muted when">{{ v.publishedAt | date: 'MMM d, HH:mm' }}</span>
            </div>
            <div class="note">{{ v.note || 'No note' }}</div>
            <div class="muted by">{{ v.publishedByName ?? 'someone' }} · {{ v.stepCount }} steps</div>
            <div class="acts">
              @if (v.version > 1) {
                <button class="btn btn-sm" type="button" (click)="compare.emit({ from: v.version - 1, to: v.version })" [attr.data-testid]="'diff-' + v.version">
                  <bb-icon name="diff" />Changes from v{{ v.version - 1 }}</button>
              }
              @if (!$first) {
                @if (confirming() === v.version) {
                  <button class="btn btn-sm btn-danger" type="button" (click)="rollback(v)" [disabled]="busy()" [attr.data-testid]="'confirm-rollback-' + v.version">Roll back now</button>
                  <button class="btn btn-sm btn-ghost" type="button" (click)="confirming.set(null)">Cancel</button>
                } @else {
                  <button class="btn btn-sm" type="button" (click)="confirming.set(v.version)" [attr.data-testid]="'rollback-' + v.version">
                    <bb-icon name="restore" />Roll back to v{{ v.version }}</button>
                }
              }
            </div>
          </li>
        }
      </ol>
    }
  `,
  styles: `
    :host { display: block; }
    .empty { display: flex; gap: 0.6rem; color: var(--bb-muted); padding: 0.8rem; border: 1px dashed var(--bb-border-strong); border-radius: 8px; font-size: 0.85rem; }
    .versions { list-style: none; margin: 0; padding: 0; }
    .versions li { padding: 0.7rem 0 0.7rem 0.9rem; border-left: 2px solid var(--bb-border); position: relative; }
    .versions li::before { content: ''; position: absolute; left: -6px; top: 0.95rem; width: 10px; height: 10px; border-radius: 50%;
      background: var(--bb-surface); border: 2px solid var(--bb-border-strong); }
    .versions li.current::before { border-color: var(--bb-ok); background: var(--bb-ok); }
    .line { display: flex; align-items: center; gap: 0.4rem; }
    .vnum { font-weight: 700; }
    .when { margin-left: auto; font-size: 0.78rem; }
    .note { margin: 0.15rem 0; }
    .by { font-size: 0.78rem; }
    .acts { display: flex; gap: 0.35rem; flex-wrap: wrap; margin-top: 0.4rem; }
  `,
})
export class VersionsPanelComponent {
  readonly store = inject(DesignerStore);
  private readonly toasts = inject(ToastService);
  readonly readonly = input(false);
  readonly compare = output<{ from: number; to: number }>();
  readonly confirming = signal<number | null>(null);
  readonly busy = signal(false);

  async rollback(v: WorkflowVersionDto): Promise<void> {
    this.busy.set(true);
    const version = await this.store.rollback(v.version);
    this.busy.set(false);
    this.confirming.set(null);
    if (version) this.toasts.show(`Rolled back to v${v.version}: published as v${version}, and the draft now matches it.`, 'ok');
  }
}
