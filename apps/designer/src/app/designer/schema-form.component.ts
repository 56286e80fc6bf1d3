import { NgTemplateOutlet } from '@angular/common';
import { ChangeDetectionStrategy, Component, computed, input, output, signal } from '@angular/core';

import { checkValue, fromInput, getAt, toInput, type FormField } from './schema-form';

/** A change to one config field: its path and new value (undefined removes it). */
export interface FieldChangeEvent {
  path: string[];
  value: unknown;
}

/**
 * The form of an action's config, generated from its JSON Schema (see schema-form.ts). Each field
 * reports its change on `change`/blur, once per edit, so one edit is one ConfigureStep command.
 */
@Component({
  selector: 'bb-schema-form',
  standalone: true,
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <ng-template #fieldList let-list>
    @for (f of list; track f.path.join('.')) {
      @let id = idPrefix() + f.path.join('-');
      @let value = valueOf(f);
      @let problem = problemOf(f);
      @if (f.kind === 'group') {
        <fieldset class="group" [attr.data-field]="f.path.join('.')">
          <legend>{{ f.label }} @if (f.required) { <span class="req" aria-hidden="true">*</span> }</legend>
          @if (f.description) { <p class="hint">{{ f.description }}</p> }
          <bb-schema-form [fields]="f.children ?? []" [config]="config()" [serverProblems]="serverProblems()" [idPrefix]="idPrefix()"
            [readonly]="readonly()" (fieldChange)="fieldChange.emit($event)" />
        </fieldset>
      } @else {
        <div class="field" [attr.data-field]="f.path.join('.')">
          @if (f.kind === 'boolean') {
            <label class="check" [for]="id">
              <input type="checkbox" [id]="id" [checked]="value === true" [disabled]="readonly()"
                (change)="emit(f, $any($event.target).checked)" [attr.data-testid]="'config-' + f.path.join('.')" />
              {{ f.label }}
            </label>
          } @else {
            <label [for]="id">
              {{ f.label }} @if (f.required) { <span class="req" aria-label="required">*</span> }
              @if (f.expression === true) { <span class="expr-chip" [title]="chipTitle">{{ chip }}</span> }
              @if (f.expression === 'jsonata' || f.kind === 'jsonata') { <span class="expr-chip" title="A JSONata expression">JSONata</span> }
            </label>
            @switch (f.kind) {
              @case ('enum') {
                <select class="select" [id]="id" [disabled]="readonly()" (change)="emit(f, $any($event.target).value)"
                  [attr.aria-invalid]="!!problem" [attr.data-testid]="'config-' + f.path.join('.')">
                  <option value="" [selected]="value === ''">{{ f.required ? 'Choose…' : '(default' + (f.default !== undefined ? ': ' + f.default : '') + ')' }}</option>
                  @for (o of f.options ?? []; track o) {
                    <option [value]="json(o)" [selected]="value === json(o)">{{ o }}</option>
                  }
                </select>
              }
              @case ('multi-enum') {
                <div class="multi" role="group" [attr.aria-label]="f.label">
                  @for (o of f.options ?? []; track o) {
                    <label class="check"><input type="checkbox" [disabled]="readonly()" [checked]="isChecked(value, o)"
                      (change)="toggle(f, value, o, $any($event.target).checked)" />{{ o }}</label>
                  }
                </div>
              }
              @case ('number') { <ng-container *ngTemplateOutlet="num" /> }
              @case ('integer') { <ng-container *ngTemplateOutlet="num" /> }
              @case ('text') {
                <input class="input" [class.mono]="f.expression === true && hasBraces(value)" [id]="id" [value]="value" [readOnly]="readonly()"
                  [attr.placeholder]="placeholder(f)" (change)="emit(f, $any($event.target).value)" [attr.aria-invalid]="!!problem"
                  [attr.aria-describedby]="id + '-msg'" [attr.data-testid]="'config-' + f.path.join('.')" />
              }
              @default {
                <textarea class="textarea" [class.mono]="f.kind !== 'textarea'" [id]="id" [value]="value" [readOnly]="readonly()"
                  [attr.rows]="f.kind === 'textarea' ? 4 : 3" [attr.placeholder]="placeholder(f)" (change)="emit(f, $any($event.target).value)"
                  [attr.aria-invalid]="!!problem" [attr.aria-describedby]="id + '-msg'" [attr.data-testid]="'config-' + f.path.join('.')"></textarea>
              }
            }
            <ng-template #num>
              <input class="input" type="number" [id]="id" [value]="value" [readOnly]="readonly()" [attr.min]="f.schema.minimum ?? null"
                [attr.max]="f.schema.maximum ?? null" [attr.step]="f.kind === 'integer' ? 1 : 'any'" [attr.placeholder]="placeholder(f)"
                (change)="emit(f, $any($event.target).value)" [attr.aria-invalid]="!!problem" [attr.aria-describedby]="id + '-msg'"
                [attr.data-testid]="'config-' + f.path.join('.')" />
            </ng-template>
          }
          <div [id]="id + '-msg'">
            @if (problem) { <span class="err" role="alert">{{ problem }}</span> }
            @else if (f.description) { <span class="hint">{{ f.description }}</span> }
          </div>
        </div>
      }
    }
    </ng-template>
    <ng-container *ngTemplateOutlet="fieldList; context: { $implicit: primary() }" />
    @if (secondary().length) {
      <details class="more" [open]="showAll()">
        <summary data-testid="config-more">More options ({{ secondary().length }})</summary>
        <ng-container *ngTemplateOutlet="fieldList; context: { $implicit: secondary() }" />
      </details>
    }
  `,
  imports: [NgTemplateOutlet],
  styles: `
    :host { display: block; }
    .group { border: 1px solid var(--bb-border); border-radius: var(--bb-radius-sm); padding: 0.5rem 0.75rem 0.1rem; margin: 0 0 0.8rem; }
    .group legend { font-weight: 600; font-size: 0.85rem; padding: 0 0.3rem; }
    .multi { display: flex; flex-wrap: wrap; gap: 0.4rem 0.9rem; }
    .hint { display: inline; }
    .more { margin: 0.2rem 0 0.8rem; }
    .more > summary { cursor: pointer; font-weight: 600; font-size: 0.85rem; color: var(--bb-brand); margin-bottom: 0.6rem; }
  `,
})
export class SchemaFormComponent {
  readonly fields = input.required<FormField[]>();
  readonly config = input.required<Record<string, unknown>>();
  /** Problems the server reported, by field path (`to`, `recipients.role`). */
  readonly serverProblems = input<Map<string, string>>(new Map());
  readonly idPrefix = input('cfg-');
  readonly readonly = input(false);
  readonly fieldChange = output<FieldChangeEvent>();
  /** Top level: optional fields without a value go under "More options" (unless the schema picks between alternatives). */
  readonly collapseOptional = input(false);
  /** Open "More options" from the start (a field in it has a problem). */
  readonly showAll = computed(() => this.secondary().some((f) => !!this.problemOf(f)));
  readonly primary = computed(() => (this.collapseOptional() ? this.fields().filter((f) => this.isPrimary(f)) : this.fields()));
  readonly secondary = computed(() => (this.collapseOptional() ? this.fields().filter((f) => !this.isPrimary(f)) : []));

  private isPrimary(f: FormField): boolean {
    const all = this.fields();
    if (!all.some((x) => x.required)) return true;
    return f.required || getAt(this.config(), f.path) !== undefined;
  }

  /** Problems of values typed that could not be turned into config (bad JSON, bad number). */
  private readonly typed = signal<ReadonlyMap<string, string>>(new Map());
  readonly chip = '{{ }}';
  readonly chipTitle = 'Text with {{ expression }} parts (JSONata inside the braces)';

  valueOf(f: FormField): string | boolean | string[] {
    return toInput(f, getAt(this.config(), f.path));
  }

  problemOf(f: FormField): string | null {
    const key = f.path.join('.');
    return this.typed().get(key) ?? checkValue(f, getAt(this.config(), f.path)) ?? this.serverProblems().get(key) ?? null;
  }

  emit(f: FormField, raw: string | boolean | string[]): void {
    const parsed = fromInput(f, raw);
    const key = f.path.join('.');
    const typed = new Map(this.typed());
    if (!parsed.ok) {
      typed.set(key, parsed.error);
      this.typed.set(typed);
      return;
    }
    typed.delete(key);
    this.typed.set(typed);
    this.fieldChange.emit({ path: f.path, value: parsed.value });
  }

  toggle(f: FormField, current: string | boolean | string[], option: unknown, on: boolean): void {
    const list = Array.isArray(current) ? current : [];
    const next = on ? [...list, String(option)] : list.filter((v) => v !== String(option));
    this.emit(f, next);
  }

  isChecked(value: string | boolean | string[], option: unknown): boolean {
    return Array.isArray(value) && value.includes(String(option));
  }

  json(v: unknown): string {
    return JSON.stringify(v);
  }

  hasBraces(v: unknown): boolean {
    return typeof v === 'string' && v.includes('{{');
  }

  placeholder(f: FormField): string | null {
    if (f.kind === 'map') return 'name: value (one per line)';
    if (f.kind === 'list') return 'One per line';
    if (f.kind === 'json') return 'JSON';
    if (f.kind === 'jsonata') return 'e.g. input.amount > 1000';
    if (f.default !== undefined) return `Default: ${typeof f.default === 'object' ? JSON.stringify(f.default) : String(f.default)}`;
    return f.expression === true ? 'Text or {{ expression }}' : null;
  }
}
