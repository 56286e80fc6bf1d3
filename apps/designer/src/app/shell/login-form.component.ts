import { ChangeDetectionStrategy, Component, computed, ElementRef, inject, input, signal, viewChild } from '@angular/core';

import { AuthService } from '../core/auth.service';

@Component({
  selector: 'bb-login-form',
  standalone: true,
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <section class="card" aria-labelledby="login-title">
      <h3 id="login-title">Log in</h3>
      <form data-testid="login-form" (submit)="submit($event)" [attr.aria-busy]="submitting()">
        <label for="login-email">E-mail</label>
        <input #email id="login-email" name="email" type="email" autocomplete="username" required
          data-testid="login-email" [readOnly]="submitting()" [attr.aria-invalid]="invalid()"
          [attr.aria-describedby]="shownError() ? 'login-error' : null" />

        <label for="login-password">Password</label>
        <input #password id="login-password" name="password" type="password" autocomplete="current-password" required
          data-testid="login-password" [readOnly]="submitting()" [attr.aria-invalid]="invalid()"
          [attr.aria-describedby]="shownError() ? 'login-error' : null" />

        <p id="login-error" class="error" role="alert" data-testid="login-error" [hidden]="!shownError()">{{ shownError() }}</p>

        <button type="submit" data-testid="login-submit" [disabled]="submitting()">
          {{ submitting() ? 'Logging in…' : 'Log in' }}
        </button>
      </form>
    </section>
  `,
  styles: `
    .card { max-width: 380px; padding: 1.25rem; background: var(--bb-surface); border: 1px solid var(--bb-border);
      border-radius: var(--bb-radius); box-shadow: 0 1px 2px rgb(16 24 40 / 0.05); }
    h3 { margin: 0 0 1rem; font-size: 1rem; font-weight: 600; }
    form { display: flex; flex-direction: column; }
    label { font-weight: 500; margin-bottom: 0.25rem; }
    input { font: inherit; padding: 0.45rem 0.6rem; margin-bottom: 0.9rem; border: 1px solid var(--bb-border);
      border-radius: 6px; background: var(--bb-surface); color: var(--bb-text); }
    input[aria-invalid='true'] { border-color: var(--bb-error); }
    input:read-only { background: var(--bb-bg); }
    .error { margin: -0.3rem 0 0.9rem; color: var(--bb-error); font-weight: 500; }
    button { align-self: flex-start; padding: 0.45rem 1.2rem; border-radius: 6px; border: 1px solid var(--bb-brand);
      background: var(--bb-brand); color: #fff; font-weight: 500; cursor: pointer; }
    button:hover:not(:disabled) { background: var(--bb-brand-dark); }
    button:disabled { opacity: 0.6; cursor: default; }
  `,
})
export class LoginFormComponent {
  private readonly auth = inject(AuthService);
  private readonly passwordInput = viewChild.required<ElementRef<HTMLInputElement>>('password');

  /** A message from outside the form (session expired, API down at start); replaced by the form's own errors. */
  readonly notice = input<string | undefined>();

  readonly submitting = signal(false);
  readonly error = signal<string | null>(null);
  readonly invalid = signal(false);
  private readonly submitted = signal(false);
  readonly shownError = computed(() => (this.submitted() ? this.error() : (this.notice() ?? null)));

  async submit(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    if (this.submitting()) return;
    const data = new FormData(event.target as HTMLFormElement);
    const email = String(data.get('email') ?? '').trim();
    const password = String(data.get('password') ?? '');
    if (!email || !password) return;

    this.submitting.set(true);
    this.submitted.set(true);
    this.error.set(null);
    const error = await this.auth.login(email, password);
    this.submitting.set(false);
    // On success this component is removed; on failure put the person back in the password field.
    this.error.set(error);
    this.invalid.set(error === 'Wrong e-mail or password');
    if (error) {
      const field = this.passwordInput().nativeElement;
      queueMicrotask(() => {
        field.focus();
        field.select();
      });
    }
  }
}
