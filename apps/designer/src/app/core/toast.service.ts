import { Injectable, signal } from '@angular/core';

export type ToastKind = 'info' | 'ok' | 'warn' | 'error';
export interface Toast {
  id: number;
  kind: ToastKind;
  text: string;
}

/** Short messages in the corner (also read out: the container is a polite live region). */
@Injectable({ providedIn: 'root' })
export class ToastService {
  private next = 1;
  readonly toasts = signal<Toast[]>([]);

  show(text: string, kind: ToastKind = 'info', ms = kind === 'error' ? 8000 : kind === 'info' ? 2500 : 4000): void {
    const id = this.next++;
    this.toasts.update((list) => [...list.slice(-2), { id, kind, text }]);
    setTimeout(() => this.dismiss(id), ms);
  }

  dismiss(id: number): void {
    this.toasts.update((list) => list.filter((t) => t.id !== id));
  }
}
