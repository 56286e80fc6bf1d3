import { DOCUMENT, inject } from '@angular/core';

const LINK_ID = 'bb-designer-theme';

/**
 * Links the canvas stylesheet (designer-theme.css, built by angular.json with `inject: false`) the
 * first time a canvas opens, so the first page load does not carry it. It stays linked afterwards.
 * Returns a release function for symmetry with other resources (it keeps the sheet: cheap, cached).
 */
export function useDesignerTheme(): () => void {
  const doc = inject(DOCUMENT);
  if (!doc.getElementById(LINK_ID)) {
    const link = doc.createElement('link');
    link.id = LINK_ID;
    link.rel = 'stylesheet';
    link.href = 'designer-theme.css';
    doc.head.appendChild(link);
  }
  return () => undefined;
}
