import { ChangeDetectionStrategy, Component, computed, inject, OnInit } from '@angular/core';

import { AuthService } from './auth.service';
import { LiveStatusComponent } from './live-status.component';
import { LoginFormComponent } from './login-form.component';

@Component({
  selector: 'bb-root',
  standalone: true,
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [LiveStatusComponent, LoginFormComponent],
  template: `
    <header class="bar">
      <div class="brand">
        <span class="logo" aria-hidden="true"></span>
        <h1 data-testid="app-title">BlueBirdHub Workflows</h1>
      </div>
      <div class="side">
        <span class="tag">Designer</span>
        @if (auth.user(); as user) {
          <span class="user" data-testid="current-user">
            <span class="user-name">{{ user.displayName || user.email }}</span>&ngsp;<span class="user-email">{{ user.email }}</span>
          </span>
          <button type="button" class="logout" data-testid="logout" (click)="auth.logout()">Log out</button>
        }
      </div>
    </header>

    <main class="page">
      <section class="hero">
        <h2>Designer coming soon</h2>
        <p>Draw, version and run business workflows. The visual designer is on its way; the engine is already listening.</p>
      </section>

      @switch (auth.session().state) {
        @case ('checking') {
          <p class="muted" role="status">Checking your session…</p>
        }
        @case ('anonymous') {
          <bb-login-form [notice]="notice()" />
        }
        @case ('authenticated') {
          @if (mustChangePassword()) {
            <p class="notice" data-testid="must-change-password">Your password must be changed.</p>
          }
          <bb-live-status />
        }
      }
    </main>

    <footer class="foot">BlueBirdHub Workflows · event-sourced workflow automation</footer>
  `,
  styles: `
    :host { display: flex; flex-direction: column; min-height: 100vh; }
    .bar { display: flex; align-items: center; justify-content: space-between; gap: 1rem;
      padding: 0 1.5rem; height: 56px; background: var(--bb-brand-dark); color: #fff;
      box-shadow: 0 1px 3px rgb(0 0 0 / 0.15); }
    .brand { display: flex; align-items: center; gap: 0.6rem; min-width: 0; }
    .logo { flex-shrink: 0; width: 22px; height: 22px; border-radius: 50%;
      background: radial-gradient(circle at 35% 35%, #93c5fd, var(--bb-brand) 70%); }
    h1 { margin: 0; font-size: 1.1rem; font-weight: 600; letter-spacing: 0.01em;
      overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
    .side { display: flex; align-items: center; gap: 0.9rem; flex-shrink: 0; min-width: 0; max-width: 60%; }
    .tag { flex-shrink: 0; font-size: 0.8rem; padding: 0.15rem 0.6rem; border-radius: 999px;
      background: rgb(255 255 255 / 0.15); }
    .user { display: flex; flex-direction: column; align-items: flex-end; min-width: 0; line-height: 1.2; }
    .user-name { font-weight: 600; font-size: 0.9rem; }
    .user-email { font-size: 0.8rem; opacity: 0.8; }
    .user-name, .user-email { max-width: 100%; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
    .logout { flex-shrink: 0; padding: 0.3rem 0.8rem; border-radius: 6px; border: 1px solid rgb(255 255 255 / 0.4);
      background: transparent; color: #fff; cursor: pointer; }
    .logout:hover { background: rgb(255 255 255 / 0.12); }
    .logout:focus-visible { outline-color: #bfdbfe; }
    .page { flex: 1; width: 100%; max-width: 760px; margin: 0 auto; padding: 2.5rem 1.5rem; }
    .hero h2 { margin: 0 0 0.4rem; font-size: 1.6rem; font-weight: 650; }
    .hero p { margin: 0 0 2rem; color: var(--bb-muted); }
    .muted { color: var(--bb-muted); }
    .notice { margin: 0 0 1rem; padding: 0.6rem 0.9rem; border-radius: 6px; background: var(--bb-warn-bg);
      color: var(--bb-warn); }
    .foot { padding: 1rem 1.5rem; text-align: center; font-size: 0.8rem; color: var(--bb-muted); }
    @media (max-width: 560px) {
      .bar { padding: 0 1rem; }
      .tag, .user-email { display: none; }
    }
  `,
})
export class AppComponent implements OnInit {
  readonly auth = inject(AuthService);

  readonly notice = computed(() => {
    const s = this.auth.session();
    return s.state === 'anonymous' ? s.message : undefined;
  });
  readonly mustChangePassword = computed(() => {
    const s = this.auth.session();
    return s.state === 'authenticated' && s.mustChangePassword;
  });

  ngOnInit(): void {
    void this.auth.restore();
  }
}
