import { ChangeDetectionStrategy, Component, computed, input, output, signal } from '@angular/core';
import { FFlowModule } from '@foblex/flow';

import { IconComponent } from '../core/icon.component';
import type { Catalogue, CatalogueAction } from './designer-store';

/** The action catalogue as a palette: grouped, searchable; drag an item onto the canvas, or press Enter on it. */
@Component({
  selector: 'bb-palette',
  standalone: true,
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [FFlowModule, IconComponent],
  template: `
    <div class="search">
      <bb-icon name="search" />
      <label class="sr-only" for="palette-search">Search actions</label>
      <input id="palette-search" class="input" type="search" placeholder="Search actions" [value]="query()" (input)="query.set($any($event.target).value)"
        data-testid="palette-search" />
    </div>
    <div class="groups">
      @for (g of groups(); track g.name) {
        <section>
          <h3>{{ g.name }}</h3>
          @for (a of g.actions; track a.type) {
            <div class="bb-palette-item" fExternalItem [fData]="a.type" [fDisabled]="disabled()" tabindex="0" role="button"
              [attr.aria-label]="'Add ' + a.title + ' step'" [attr.data-testid]="'palette-' + a.type" [title]="a.description"
              (keydown.enter)="add.emit(a)" (keydown.space)="$event.preventDefault(); add.emit(a)" (dblclick)="add.emit(a)">
              <span class="tile"><bb-icon [name]="a.icon" /></span>
              <span class="text"><span class="title">{{ a.title }}</span><span class="sub">{{ a.type }}</span></span>
            </div>
          }
        </section>
      } @empty {
        <p class="state">No action matches “{{ query() }}”.</p>
      }
    </div>
    <p class="tip">Drag onto the canvas, or focus and press <kbd>Enter</kbd>.</p>
  `,
  styles: `
    :host { display: flex; flex-direction: column; flex: 1; min-height: 0; overflow: hidden; }
    .search { position: relative; display: flex; align-items: center; padding: 0.7rem 0.7rem 0.4rem; }
    .search bb-icon { position: absolute; left: 1.2rem; color: var(--bb-faint); width: 16px; height: 16px; }
    .search .input { padding-left: 1.9rem; }
    .groups { overflow: auto; flex: 1; padding: 0 0.5rem 0.5rem; }
    h3 { font-size: 0.7rem; text-transform: uppercase; letter-spacing: 0.06em; color: var(--bb-muted); margin: 0.7rem 0.3rem 0.3rem; }
    .tip { margin: 0; padding: 0.5rem 0.8rem; font-size: 0.75rem; color: var(--bb-muted); border-top: 1px solid var(--bb-border); }
    .state { padding: 1rem; color: var(--bb-muted); }
  `,
})
export class PaletteComponent {
  readonly catalogue = input.required<Catalogue>();
  readonly disabled = input(false);
  readonly add = output<CatalogueAction>();
  readonly query = signal('');

  readonly groups = computed(() => {
    const q = this.query().trim().toLowerCase();
    const match = (a: CatalogueAction) =>
      !q || [a.title, a.type, a.description, a.group, ...a.aliases].some((t) => t.toLowerCase().includes(q));
    return this.catalogue()
      .groups.map((name) => ({ name, actions: this.catalogue().actions.filter((a) => a.group === name && match(a)) }))
      .filter((g) => g.actions.length > 0);
  });
}
