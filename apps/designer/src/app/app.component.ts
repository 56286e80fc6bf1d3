import { HttpClient, HttpErrorResponse } from '@angular/common/http';
import { ChangeDetectionStrategy, Component, computed, effect, inject, OnInit, signal } from '@angular/core';
import { RouterLink, RouterLinkActive, RouterOutlet } from '@angular/router';

import { ApiService } from './core/api.service';
import { AuthService } from './core/auth.service';
import { describeError } from './core/http-error';
import { IconComponent } from './core/icon.component';
import { ToastService } from './core/toast.service';
import { LoginFormComponent } from './shell/login-form.component';

/** The shell: sign-in page when anonymous; otherwise the top bar (navigation, workspace, who, logout) and the routed page. */
@Component({
  selector: 'bb-root',
  standalone: true,
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [LoginFormComponent, RouterOutlet, RouterLink, RouterLinkActive, IconComponent],
  template: `
    <a class="skip" href="#main">Skip to content</a>
    <header class="bar">
      <a class="brand" routerLink="/workflows" aria-label="BlueBirdHub Workflows home">
        <span class="logo" aria-hidden="true"></span>
        <h1 data-testid="app-title">BlueBirdHub Workflows</h1>
      </a>
      @if (auth.user(); as user) {
        <nav class="nav" aria-label="Main">
          <a routerLink="/workflows" routerLinkActive="active" data-testid="nav-workflows"><bb-icon name="workflow" />Workflows</a>
          <a routerLink="/executions" routerLinkActive="active" data-testid="nav-executions"><bb-icon name="bolt" />Executions</a>
          <a routerLink="/approvals" routerLinkActive="active" data-testid="nav-approvals"><bb-icon name="inbox" />Approvals</a>
        </nav>
        <div class="side">
          <span class="health" title="API health">API
            @switch (health()) {
              @case ('checking') { <span class="pill" data-testid="health-status">checking…</span> }
              @case ('ok') { <span class="pill pill-ok" data-testid="health-status">ok</span> }
              @default { <span class="pill pill-error" data-testid="health-status">{{ health() }}</span> }
            }
          </span>
          @if (api.workspaces().length) {
            <label class="ws">
              <span class="sr-only">Workspace</span>
              <select class="select" data-testid="workspace-switcher" [value]="api.workspace()?.id ?? ''" (change)="switchWorkspace($event)">
                @for (w of api.workspaces(); track w.id) {
                  <option [value]="w.id">{{ w.name }} · {{ w.role }}</option>
                }
              </select>
            </label>
          }
          <span class="user" data-testid="current-user">
            <span class="avatar" aria-hidden="true">{{ initials() }}</span>
            <span class="who">
              <span class="user-name">{{ user.displayName || user.email }}</span>&ngsp;<span class="user-email">{{ user.email }}</span>
            </span>
          </span>
          <button type="button" class="logout" data-testid="logout" (click)="auth.logout()"><bb-icon name="logout" />Log out</button>
        </div>
      }
    </header>

    <main id="main" class="page" tabindex="-1">
      @switch (auth.session().state) {
        @case ('anonymous') {
          <div class="login-page">
            <section class="pitch">
              <h2>Draw, version and run business workflows</h2>
              <p>Approvals, e-mails, HTTP calls, AI classification and tasks, wired together on a canvas. Every edit is an
                event: roll back any version, replay any run.</p>
              <ul>
                <li><bb-icon name="check" />Visual designer with validation as you edit</li>
                <li><bb-icon name="check" />Versions, diffs and one-click rollback</li>
                <li><bb-icon name="check" />Durable engine with retries and human approvals</li>
              </ul>
            </section>
            <bb-login-form [notice]="notice()" />
          </div>
        }
        @default {
          <!-- 'checking' and 'authenticated' share this branch: with a stored token and workspace the page starts loading
               while the session is checked (in parallel, not after it), and the same outlet carries on once it is confirmed.
               A refused token ends in the sign-in page as before. -->
          @if (mustChangePassword()) {
            <p class="notice" data-testid="must-change-password">Your password must be changed.</p>
          }
          @if (workspaceError()) {
            <div class="state state-error" role="alert"><p>Could not load your workspaces ({{ workspaceError() }}).</p>
              <button class="btn" type="button" (click)="loadWorkspaces()">Try again</button></div>
          } @else if (api.workspaceId()) {
            <router-outlet />
          } @else if (auth.session().state === 'checking') {
            <div class="state" role="status"><span class="spinner"></span><p>Checking your session…</p></div>
          } @else {
            <div class="state" role="status"><span class="spinner"></span><p>Loading your workspaces…</p></div>
          }
        }
      }
    </main>

    <div class="toasts" role="status" aria-live="polite">
      @for (t of toasts.toasts(); track t.id) {
        <div class="toast" [class]="t.kind" data-testid="toast">
          <span>{{ t.text }}</span>
          <button type="button" aria-label="Dismiss" (click)="toasts.dismiss(t.id)">✕</button>
        </div>
      }
    </div>
  `,
  styles: `
    :host { display: flex; flex-direction: column; min-height: 100vh; }
    .skip { position: absolute; left: -999px; top: 0; z-index: 2000; background: #fff; padding: 0.5rem 1rem; }
    .skip:focus { left: 0.5rem; top: 0.5rem; }
    .bar { display: flex; align-items: center; gap: 1.25rem; padding: 0 1.25rem; height: 52px; flex-shrink: 0;
      background: var(--bb-brand-dark); color: #fff; box-shadow: 0 1px 3px rgb(0 0 0 / 0.15); position: relative; z-index: 50; }
    .brand { display: flex; align-items: center; gap: 0.55rem; min-width: 0; color: #fff; text-decoration: none; }
    .logo { flex-shrink: 0; width: 22px; height: 22px; border-radius: 50%;
      background: radial-gradient(circle at 35% 35%, #93c5fd, var(--bb-brand) 70%); }
    h1 { font-size: 1rem; font-weight: 650; letter-spacing: 0.01em; white-space: nowrap; }
    .nav { display: flex; gap: 0.2rem; }
    .nav a { display: inline-flex; align-items: center; gap: 0.35rem; color: rgb(255 255 255 / 0.8); text-decoration: none;
      padding: 0.35rem 0.7rem; border-radius: 6px; font-weight: 500; }
    .nav a:hover { background: rgb(255 255 255 / 0.1); color: #fff; }
    .nav a.active { background: rgb(255 255 255 / 0.16); color: #fff; }
    .nav a:focus-visible, .logout:focus-visible, .brand:focus-visible { outline-color: #bfdbfe; }
    .side { margin-left: auto; display: flex; align-items: center; gap: 0.8rem; min-width: 0; }
    .health { display: inline-flex; align-items: center; gap: 0.35rem; font-size: 0.78rem; opacity: 0.9; }
    .ws .select { height: 30px; min-height: 30px; padding: 0 0.4rem; background: rgb(255 255 255 / 0.1); color: #fff;
      border-color: rgb(255 255 255 / 0.3); max-width: 220px; }
    .ws option { color: var(--bb-text); }
    .user { display: flex; align-items: center; gap: 0.5rem; min-width: 0; }
    .avatar { width: 28px; height: 28px; border-radius: 50%; background: #3b5bdb; display: grid; place-items: center;
      font-size: 0.75rem; font-weight: 700; flex-shrink: 0; }
    .who { display: flex; flex-direction: column; line-height: 1.15; min-width: 0; }
    .user-name { font-weight: 600; font-size: 0.85rem; }
    .user-email { font-size: 0.74rem; opacity: 0.75; }
    .user-name, .user-email { max-width: 180px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
    .logout { display: inline-flex; align-items: center; gap: 0.3rem; flex-shrink: 0; padding: 0.3rem 0.7rem; border-radius: 6px;
      border: 1px solid rgb(255 255 255 / 0.35); background: transparent; color: #fff; cursor: pointer; }
    .logout:hover { background: rgb(255 255 255 / 0.12); }
    .page { flex: 1; display: flex; flex-direction: column; min-height: 0; outline: none; }
    .login-page { flex: 1; display: grid; grid-template-columns: minmax(0, 1fr) 380px; gap: 3rem; align-items: center;
      max-width: 980px; width: 100%; margin: 0 auto; padding: 3rem 1.5rem; }
    .pitch h2 { font-size: 1.9rem; line-height: 1.2; font-weight: 750; letter-spacing: -0.02em; margin-bottom: 0.8rem; }
    .pitch p { color: var(--bb-muted); font-size: 1.02rem; margin: 0 0 1.2rem; }
    .pitch ul { list-style: none; padding: 0; margin: 0; display: grid; gap: 0.5rem; }
    .pitch li { display: flex; gap: 0.5rem; align-items: center; }
    .pitch li bb-icon { color: var(--bb-ok); }
    .notice { margin: 1rem; padding: 0.6rem 0.9rem; border-radius: 6px; background: var(--bb-warn-bg); color: var(--bb-warn); }
    @media (max-width: 900px) {
      .login-page { grid-template-columns: 1fr; }
      .user-email, .health, .nav a bb-icon { display: none; }
    }
  `,
})
export class AppComponent implements OnInit {
  readonly auth = inject(AuthService);
  readonly api = inject(ApiService);
  readonly toasts = inject(ToastService);
  private readonly http = inject(HttpClient);

  readonly health = signal<string>('checking');
  readonly workspaceError = signal<string | null>(null);

  readonly notice = computed(() => {
    const s = this.auth.session();
    return s.state === 'anonymous' ? s.message : undefined;
  });
  readonly mustChangePassword = computed(() => {
    const s = this.auth.session();
    return s.state === 'authenticated' && s.mustChangePassword;
  });
  readonly initials = computed(() => {
    const u = this.auth.user();
    const name = (u?.displayName || u?.email || '?').trim();
    return name
      .split(/[\s@.]+/)
      .filter(Boolean)
      .slice(0, 2)
      .map((p) => p[0]!.toUpperCase())
      .join('');
  });

  constructor() {
    // Whenever someone signs in: their workspaces and the API health.
    effect(() => {
      if (this.auth.session().state === 'authenticated') {
        void this.loadWorkspaces();
        this.checkHealth();
      }
    });
  }

  ngOnInit(): void {
    void this.auth.restore();
  }

  async loadWorkspaces(): Promise<void> {
    this.workspaceError.set(null);
    try {
      await this.api.loadWorkspaces();
    } catch (err) {
      if (this.auth.session().state === 'authenticated') this.workspaceError.set(describeError(err));
    }
  }

  switchWorkspace(event: Event): void {
    const id = (event.target as HTMLSelectElement).value;
    this.api.chooseWorkspace(id);
    this.toasts.show(`Switched to ${this.api.workspace()?.name ?? 'workspace'}`);
  }

  private checkHealth(): void {
    this.health.set('checking');
    this.http.get<{ status?: string }>('/api/health').subscribe({
      next: (b) => this.health.set(b?.status === 'ok' || b?.status === 'up' ? 'ok' : (b?.status ?? 'unknown')),
      error: (err: unknown) =>
        this.health.set(err instanceof HttpErrorResponse && typeof err.error?.status === 'string' ? String(err.error.status) : 'unavailable'),
    });
  }
}
