import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';

/**
 * Stroke icons drawn for this app (24x24, currentColor). Action types name Material Symbols icons
 * (`mail`, `http`, ...); each of those has a drawing here, and unknown names fall back to a dot.
 */
const PATHS: Record<string, string> = {
  // action catalogue
  add_task: 'M9 11l2 2 4-4M5 4h14a1 1 0 0 1 1 1v14a1 1 0 0 1-1 1H5a1 1 0 0 1-1-1V5a1 1 0 0 1 1-1z',
  edit_note: 'M4 6h10M4 10h10M4 14h6M14.5 19.5l6-6a1.4 1.4 0 0 0-2-2l-6 6-.8 2.8z',
  mail: 'M3 6h18v12H3zM3 7l9 6 9-6',
  notifications: 'M6 16V11a6 6 0 0 1 12 0v5l1.5 2h-15zM10 20a2 2 0 0 0 4 0',
  http: 'M12 3a9 9 0 1 0 0 18 9 9 0 0 0 0-18zM3 12h18M12 3c2.5 2.5 3.5 5.5 3.5 9s-1 6.5-3.5 9M12 3C9.5 5.5 8.5 8.5 8.5 12s1 6.5 3.5 9',
  webhook: 'M9 8a3 3 0 1 1 4.5 2.6L16 15M7 17a3 3 0 1 1 1-5.8M17 13a3 3 0 1 1-2.6 4.5H8.5',
  category: 'M4 4h7v7H4zM13 4h7v7h-7zM4 13h7v7H4zM16.5 13a3.5 3.5 0 1 1 0 7 3.5 3.5 0 0 1 0-7z',
  insights: 'M3 17l5-5 4 4 8-8M15 8h5v5',
  folder_open: 'M3 7V5h6l2 2h8v3M3 7v12h15l3-9H6l-3 9',
  approval: 'M12 3l7 3v6c0 4.5-3 7.5-7 9-4-1.5-7-4.5-7-9V6zM9 12l2 2 4-4',
  call_split: 'M12 21v-7L6 8M6 8V3M6 3h5M18 3l-5 5M18 3h-5M18 3v5',
  repeat: 'M17 2l3 3-3 3M4 11V9a4 4 0 0 1 4-4h12M7 22l-3-3 3-3M20 13v2a4 4 0 0 1-4 4H4',
  data_object: 'M8 4H7a2 2 0 0 0-2 2v4l-2 2 2 2v4a2 2 0 0 0 2 2h1M16 4h1a2 2 0 0 1 2 2v4l2 2-2 2v4a2 2 0 0 1-2 2h-1',
  hourglass_top: 'M6 3h12M6 21h12M7 3c0 5 5 6 5 9s-5 4-5 9M17 3c0 5-5 6-5 9s5 4 5 9M9 7h6',
  account_tree: 'M3 4h6v5H3zM15 4h6v5h-6zM15 15h6v5h-6zM6 9v8h9M6 6.5h9',
  // app
  workflow: 'M4 5h6v4H4zM14 15h6v4h-6zM7 9v3a3 3 0 0 0 3 3h4',
  play: 'M7 4l13 8-13 8z',
  pause: 'M7 4h3v16H7zM14 4h3v16h-3z',
  stop: 'M6 6h12v12H6z',
  retry: 'M3 12a9 9 0 1 0 3-6.7L3 8M3 3v5h5',
  inbox: 'M3 13l3-8h12l3 8v6H3zM3 13h5l1 3h6l1-3h5',
  history: 'M3 12a9 9 0 1 0 3-6.7L3 8M3 3v5h5M12 7v5l3 2',
  plus: 'M12 5v14M5 12h14',
  search: 'M11 4a7 7 0 1 0 0 14 7 7 0 0 0 0-14zM20 20l-4-4',
  copy: 'M9 9h11v11H9zM5 15H4V4h11v1',
  archive: 'M3 4h18v4H3zM5 8v12h14V8M10 12h4',
  restore: 'M3 12a9 9 0 1 0 3-6.7L3 8M3 3v5h5',
  download: 'M12 4v11M7 10l5 5 5-5M4 20h16',
  upload: 'M12 20V9M7 14l5-5 5 5M4 4h16',
  trash: 'M4 7h16M9 7V4h6v3M6 7l1 13h10l1-13',
  undo: 'M9 14L4 9l5-5M4 9h11a5 5 0 0 1 0 10h-3',
  redo: 'M15 14l5-5-5-5M20 9H9a5 5 0 0 0 0 10h3',
  zoom_in: 'M11 4a7 7 0 1 0 0 14 7 7 0 0 0 0-14zM20 20l-4-4M11 8v6M8 11h6',
  zoom_out: 'M11 4a7 7 0 1 0 0 14 7 7 0 0 0 0-14zM20 20l-4-4M8 11h6',
  fit: 'M4 9V4h5M15 4h5v5M20 15v5h-5M9 20H4v-5',
  check: 'M5 12l5 5 9-10',
  x: 'M6 6l12 12M18 6L6 18',
  warning: 'M12 3l10 18H2zM12 10v5M12 18v.5',
  error: 'M12 3a9 9 0 1 0 0 18 9 9 0 0 0 0-18zM12 7v6M12 16v.5',
  info: 'M12 3a9 9 0 1 0 0 18 9 9 0 0 0 0-18zM12 11v6M12 7.5v.5',
  publish: 'M12 16V4M7 9l5-5 5 5M5 20h14',
  diff: 'M6 3v12M3 6h6M15 15h6M18 3a3 3 0 1 1 0 6 3 3 0 0 1 0-6zM6 18a3 3 0 1 1 0 .1',
  variable: 'M7 4c-2 3-2 13 0 16M17 4c2 3 2 13 0 16M9.5 9l5 6M14.5 9l-5 6',
  back: 'M15 5l-7 7 7 7',
  chevron: 'M9 5l7 7-7 7',
  logout: 'M15 4h4v16h-4M10 8l-4 4 4 4M6 12h10',
  menu: 'M4 6h16M4 12h16M4 18h16',
  settings: 'M12 9a3 3 0 1 0 0 6 3 3 0 0 0 0-6zM4 12h2M18 12h2M12 4v2M12 18v2M6.3 6.3l1.4 1.4M16.3 16.3l1.4 1.4M6.3 17.7l1.4-1.4M16.3 7.7l1.4-1.4',
  bolt: 'M13 3L4 14h7l-1 7 9-11h-7z',
  list: 'M8 6h12M8 12h12M8 18h12M4 6h.01M4 12h.01M4 18h.01',
  clock: 'M12 3a9 9 0 1 0 0 18 9 9 0 0 0 0-18zM12 7v5l3 2',
  grip: 'M9 5h.01M15 5h.01M9 12h.01M15 12h.01M9 19h.01M15 19h.01',
};

/** The drawing of an icon (for places that inline the SVG instead of using the component, e.g. 300 canvas steps). */
export function iconPath(name: string): string {
  return PATHS[name] ?? 'M12 9a3 3 0 1 0 0 6 3 3 0 0 0 0-6z';
}

@Component({
  selector: 'bb-icon',
  standalone: true,
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'ico', 'aria-hidden': 'true' },
  template: `<svg viewBox="0 0 24 24" width="100%" height="100%" fill="none" stroke="currentColor" stroke-width="1.8"
    stroke-linecap="round" stroke-linejoin="round"><path [attr.d]="d()" /></svg>`,
  styles: `:host { display: inline-flex; } svg { display: block; }`,
})
export class IconComponent {
  readonly name = input.required<string>();
  readonly d = computed(() => iconPath(this.name()));
}
