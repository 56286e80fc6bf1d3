import { ChangeDetectionStrategy, Component, inject, input, signal } from '@angular/core';
import { VARIABLE_TYPES, type VariableDefinition, type VariableType } from '@contracts/workflow';

import { IconComponent } from '../core/icon.component';
import { DesignerStore } from './designer-store';
import { normaliseTags } from './graph-state';

/** Input variables of the workflow (name, type, required, default) and its tags. */
@Component({
  selector: 'bb-variables-panel',
  standalone: true,
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [IconComponent],
  template: `
    <p class="muted small">Variables are the inputs of a run. Steps read them as <code>{{ example }}</code>.</p>
    @if (store.definition().variables.length === 0) {
      <div class="empty"><bb-icon name="variable" /><span>No variables yet.</span></div>
    } @else {
      <ul class="vars" data-testid="variable-list">
        @for (v of store.definition().variables; track v.name) {
          <li>
            <div class="min">
              <div><span class="mono name">{{ v.name }}</span> <span class="pill">{{ v.type }}</span> @if (v.required) { <span class="pill pill-warn">required</span> }</div>
              @if (v.description) { <div class="muted small">{{ v.description }}</div> }
              @if (v.default !== undefined) { <div class="muted small">Default: <span class="mono">{{ json(v.default) }}</span></div> }
            </div>
            @if (!readonly()) {
              <button class="btn btn-sm btn-ghost btn-icon btn-danger" type="button" [attr.aria-label]="'Remove variable ' + v.name" (click)="remove(v)"><bb-icon name="trash" /></button>
            }
          </li>
        }
      </ul>
    }
    @if (!readonly()) {
      <form class="add" (submit)="declare($event)">
        <h3>Add a variable</h3>
        <div class="row">
          <div class="field"><label for="var-name">Name</label><input id="var-name" name="name" class="input mono" required pattern="[A-Za-z_][A-Za-z0-9_]{0,63}" data-testid="variable-name" /></div>
          <div class="field"><label for="var-type">Type</label>
            <select id="var-type" name="type" class="select" data-testid="variable-type">@for (t of types; track t) { <option [value]="t">{{ t }}</option> }</select></div>
        </div>
        <div class="field"><label for="var-default">Default (JSON for non-text)</label><input id="var-default" name="default" class="input" /></div>
        <div class="field"><label for="var-desc">Description</label><input id="var-desc" name="description" class="input" maxlength="500" /></div>
        <label class="check"><input type="checkbox" name="required" /> Required when a run starts</label>
        @if (error()) { <p class="err" role="alert">{{ error() }}</p> }
        <button class="btn btn-primary btn-sm" type="submit" data-testid="variable-add"><bb-icon name="plus" />Add variable</button>
      </form>
    }
    <div class="tags">
      <h3>Tags</h3>
      <input class="input" [value]="store.definition().tags.join(', ')" [readOnly]="readonly()" placeholder="sales, onboarding" (change)="setTags($any($event.target).value)"
        aria-label="Tags, separated by commas" data-testid="workflow-tags" />
    </div>
  `,
  styles: `
    :host { display: block; }
    .small { font-size: 0.8rem; }
    .empty { display: flex; gap: 0.5rem; align-items: center; color: var(--bb-muted); padding: 0.8rem; border: 1px dashed var(--bb-border-strong); border-radius: 8px; }
    .vars { list-style: none; margin: 0; padding: 0; }
    .vars li { display: flex; justify-content: space-between; gap: 0.5rem; padding: 0.55rem 0; border-bottom: 1px solid var(--bb-border); }
    .name { font-weight: 600; }
    .min { min-width: 0; }
    h3 { font-size: 0.72rem; text-transform: uppercase; letter-spacing: 0.06em; color: var(--bb-muted); margin: 1rem 0 0.5rem; }
    .row { display: grid; grid-template-columns: 1.3fr 1fr; gap: 0.5rem; }
    .add .check { margin-bottom: 0.7rem; }
    .err { color: var(--bb-error); font-size: 0.82rem; }
  `,
})
export class VariablesPanelComponent {
  readonly store = inject(DesignerStore);
  readonly readonly = input(false);
  readonly types = VARIABLE_TYPES;
  readonly error = signal<string | null>(null);
  readonly example = '{{ vars.name }}';

  json(v: unknown): string {
    return JSON.stringify(v);
  }

  declare(event: SubmitEvent): void {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const data = new FormData(form);
    const name = String(data.get('name') ?? '').trim();
    const type = String(data.get('type') ?? 'string') as VariableType;
    const rawDefault = String(data.get('default') ?? '').trim();
    const description = String(data.get('description') ?? '').trim();
    if (!/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(name)) {
      this.error.set('A name has letters, digits and _, and does not start with a digit');
      return;
    }
    let def: unknown;
    if (rawDefault) {
      if (type === 'string' || type === 'date') def = rawDefault;
      else {
        try {
          def = JSON.parse(rawDefault);
        } catch {
          this.error.set(`The default of a ${type} is written as JSON`);
          return;
        }
      }
    }
    const variable: VariableDefinition = { name, type, required: data.get('required') === 'on', ...(def !== undefined ? { default: def } : {}), ...(description ? { description } : {}) };
    this.error.set(null);
    this.store.edit(`Declare variable ${name}`, [{ kind: 'declareVariable', variable }]);
    form.reset();
  }

  remove(v: VariableDefinition): void {
    this.store.edit(`Remove variable ${v.name}`, [{ kind: 'removeVariable', name: v.name }]);
  }

  setTags(raw: string): void {
    const tags = normaliseTags(raw.split(','));
    if (JSON.stringify(tags) !== JSON.stringify(this.store.definition().tags)) this.store.edit('Change tags', [{ kind: 'setTags', tags }]);
  }
}
