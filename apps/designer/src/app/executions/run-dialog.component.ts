import { ChangeDetectionStrategy, Component, computed, inject, input, output, signal } from '@angular/core';
import { Router } from '@angular/router';
import type { VariableDefinition } from '@contracts/workflow';

import { ApiService } from '../core/api.service';
import { describeError, hasStatus } from '../core/http-error';
import { ToastService } from '../core/toast.service';
import { buildInput, runFields } from './execution-model';

/** Start a run: a form generated from the workflow's variables; on success, opens the live view. */
@Component({
  selector: 'bb-run-dialog',
  standalone: true,
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="backdrop" (click)="closed.emit()" (keydown.escape)="closed.emit()">
      <form class="dialog" role="dialog" aria-modal="true" aria-labelledby="run-title" (click)="$event.stopPropagation()" (submit)="run($event)" data-testid="run-form">
        <div class="dialog-head"><h2 id="run-title">Run {{ workflowName() }}</h2>
          <p class="muted small">Runs the latest published version{{ version() ? ' (v' + version() + ')' : '' }}.</p></div>
        <div class="dialog-body">
          @for (f of fields(); track f.name) {
            <div class="field">
              @if (f.type === 'boolean') {
                <label class="check"><input type="checkbox" [name]="f.name" [checked]="f.initial === true" [attr.data-testid]="'run-' + f.name" /> {{ f.name }}</label>
              } @else {
                <label [for]="'run-' + f.name">{{ f.name }} @if (f.required) { <span class="req">*</span> } <span class="pill">{{ f.type }}</span></label>
                @if (f.type === 'object' || f.type === 'array') {
                  <textarea class="textarea mono" [id]="'run-' + f.name" [name]="f.name" [value]="f.initial" [attr.aria-invalid]="!!problems()[f.name]"
                    [attr.data-testid]="'run-' + f.name"></textarea>
                } @else {
                  <input class="input" [id]="'run-' + f.name" [name]="f.name" [value]="f.initial" [type]="f.type === 'number' ? 'number' : f.type === 'date' ? 'date' : 'text'"
                    [attr.step]="f.type === 'number' ? 'any' : null" [attr.aria-invalid]="!!problems()[f.name]" [attr.data-testid]="'run-' + f.name" />
                }
              }
              @if (problems()[f.name]) { <span class="err" role="alert">{{ problems()[f.name] }}</span> }
              @else if (f.description) { <span class="hint">{{ f.description }}</span> }
            </div>
          } @empty {
            <p class="muted">This workflow declares no variables: it runs with an empty input.</p>
          }
          @if (error()) { <p class="err" role="alert">{{ error() }}</p> }
        </div>
        <div class="dialog-foot">
          <button class="btn" type="button" (click)="closed.emit()">Cancel</button>
          <button class="btn btn-primary" type="submit" [disabled]="busy()" data-testid="run-start">{{ busy() ? 'Starting…' : 'Start run' }}</button>
        </div>
      </form>
    </div>
  `,
  styles: `.small { font-size: 0.82rem; margin: 0.2rem 0 0; } .err { color: var(--bb-error); font-size: 0.82rem; }`,
})
export class RunDialogComponent {
  private readonly api = inject(ApiService);
  private readonly router = inject(Router);
  private readonly toasts = inject(ToastService);
  readonly workflowId = input.required<string>();
  readonly workflowName = input('');
  readonly version = input<number | undefined>();
  readonly variables = input<readonly VariableDefinition[]>([]);
  readonly closed = output<void>();

  readonly fields = computed(() => runFields(this.variables()));
  readonly problems = signal<Record<string, string>>({});
  readonly error = signal<string | null>(null);
  readonly busy = signal(false);

  async run(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const raw: Record<string, string | boolean> = {};
    for (const f of this.fields()) {
      const el = form.elements.namedItem(f.name) as HTMLInputElement | HTMLTextAreaElement | null;
      raw[f.name] = f.type === 'boolean' ? !!(el as HTMLInputElement | null)?.checked : (el?.value ?? '');
    }
    const { input, problems } = buildInput(this.fields(), raw);
    this.problems.set(problems);
    if (Object.keys(problems).length) return;
    this.busy.set(true);
    this.error.set(null);
    try {
      const { body } = await this.api.call<{ executionId: string }>('POST', `/api/workflows/${this.workflowId()}/execute`, { body: { input } });
      this.toasts.show('Run started', 'ok');
      this.closed.emit();
      void this.router.navigate(['/executions', body.executionId]);
    } catch (err) {
      this.error.set(hasStatus(err, 404) ? 'Runs are not available on this server yet (the engine API answered 404).' : describeError(err));
    } finally {
      this.busy.set(false);
    }
  }
}
