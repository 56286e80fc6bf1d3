import { DatePipe, JsonPipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, computed, effect, inject, input, OnDestroy, signal, untracked } from '@angular/core';
import { RouterLink } from '@angular/router';
import type { WorkflowDefinition } from '@contracts/workflow';

import { ApiService } from '../core/api.service';
import { AuthService } from '../core/auth.service';
import { describeError, hasStatus } from '../core/http-error';
import { IconComponent } from '../core/icon.component';
import { ToastService } from '../core/toast.service';
import type { Catalogue } from '../designer/designer-store';
import { useDesignerTheme } from '../designer/theme';
import { WorkflowCanvasComponent } from '../designer/workflow-canvas.component';
import {
  controlsFor,
  describeEvent,
  FINISHED,
  latestAttempts,
  marksFromDetail,
  marksFromState,
  pinnedDefinition,
  statusTone,
  type ExecutionDetail,
  type StateAt,
  type TimelineEvent,
} from './execution-model';
import { followSse } from './follow';

/**
 * One run: its pinned graph on the canvas with steps coloured by state, live (SSE, polling as a
 * fallback) or replayed at any event with the scrubber; control buttons; each step's attempts.
 */
@Component({
  selector: 'bb-execution-view',
  standalone: true,
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [RouterLink, DatePipe, JsonPipe, IconComponent, WorkflowCanvasComponent],
  templateUrl: './execution-view.component.html',
  styleUrl: './execution-view.component.css',
})
export class ExecutionViewComponent implements OnDestroy {
  private readonly api = inject(ApiService);
  private readonly auth = inject(AuthService);
  private readonly toasts = inject(ToastService);
  private readonly releaseTheme = useDesignerTheme();
  readonly id = input.required<string>();

  readonly load = signal<'loading' | 'ok' | 'error' | 'unavailable'>('loading');
  readonly error = signal('');
  readonly detail = signal<ExecutionDetail | null>(null);
  readonly events = signal<TimelineEvent[]>([]);
  readonly definition = signal<WorkflowDefinition>({ steps: [], edges: [], variables: [], triggers: [], tags: [] });
  readonly actions = signal<Catalogue['actions']>([]);
  readonly live = signal(false);
  /** Replay: the event number shown (null: live, the latest state). */
  readonly at = signal<number | null>(null);
  readonly replayState = signal<StateAt | null>(null);
  readonly playing = signal(false);
  readonly selected = signal<string | null>(null);
  readonly busy = signal(false);

  readonly actionsByType = computed(() => new Map(this.actions().map((a) => [a.type, a])));
  readonly status = computed(() => (this.at() !== null ? (this.replayState()?.status ?? '…') : (this.detail()?.status ?? '…')));
  readonly tone = computed(() => statusTone(this.status()));
  readonly controls = computed(() => (this.at() !== null ? [] : controlsFor(this.detail()?.status ?? '')));
  readonly marks = computed(() => {
    const state = this.replayState();
    if (this.at() !== null && state) return marksFromState(this.definition(), state);
    return marksFromDetail(this.definition(), this.detail()?.steps ?? []);
  });
  readonly attempts = computed(() => {
    const id = this.selected();
    return (this.detail()?.steps ?? []).filter((s) => s.stepId === id).sort((a, b) => a.attempt - b.attempt);
  });
  readonly stepRows = computed(() => {
    const replay = this.at() !== null ? this.replayState() : null;
    const latest = latestAttempts(this.detail()?.steps ?? []);
    const marks = this.marks();
    return this.definition().steps.map((s) => ({
      step: s,
      status: (marks.get(s.id) ?? 'run-pending').slice(4),
      attempt: replay ? (replay.steps[s.id]?.attempt ?? 0) : (latest.get(s.id)?.attempt ?? 0),
      // Durations are known for finished attempts only; a replayed moment shows none.
      durationMs: replay ? null : (latest.get(s.id)?.durationMs ?? null),
    }));
  });
  readonly currentEvent = computed(() => {
    const n = this.at();
    return n === null ? null : (this.events().find((e) => e.number === n) ?? null);
  });

  private abort: AbortController | null = null;
  private pollTimer: ReturnType<typeof setTimeout> | undefined;
  /** The log position of the newest live event seen. */
  private latestPosition: string | undefined;
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;
  private playTimer: ReturnType<typeof setInterval> | undefined;

  constructor() {
    effect(() => {
      const id = this.id();
      untracked(() => void this.open(id));
    });
  }

  ngOnDestroy(): void {
    this.stopFollowing();
    clearInterval(this.playTimer);
    this.releaseTheme();
  }

  private async open(id: string): Promise<void> {
    this.stopFollowing();
    this.load.set('loading');
    this.at.set(null);
    this.latestPosition = undefined;
    try {
      const [detail, timeline, catalogue] = await Promise.all([
        this.api.get<ExecutionDetail>(`/api/workflows/executions/${id}`),
        this.api.get<{ events: TimelineEvent[] }>(`/api/workflows/executions/${id}/timeline`).catch(() => ({ events: [] as TimelineEvent[] })),
        this.api.get<Catalogue>('/api/actions'),
      ]);
      this.detail.set(detail);
      this.events.set(timeline.events ?? []);
      this.actions.set(catalogue.actions ?? []);
      const pinned = pinnedDefinition(this.events());
      this.definition.set(pinned ?? (await this.versionDefinition(detail)));
      this.load.set('ok');
      if (!FINISHED.has(detail.status)) void this.follow(id);
    } catch (err) {
      this.load.set(hasStatus(err, 404) ? 'unavailable' : 'error');
      this.error.set(describeError(err));
    }
  }

  /** Without a timeline: the graph of the version the run is pinned to, from the workflow's history. */
  private async versionDefinition(detail: ExecutionDetail): Promise<WorkflowDefinition> {
    const history = await this.api.get<{ items: { type: string; data: { version?: number; definition?: WorkflowDefinition } }[] }>(
      `/api/workflows/${detail.workflowId}/history`,
      { limit: 500 },
    );
    const hit = history.items.find((e) => e.type === 'WorkflowVersionPublished' && e.data.version === detail.version);
    return hit?.data.definition ?? { steps: [], edges: [], variables: [], triggers: [], tags: [] };
  }

  /** Live: the run's SSE stream; each event refreshes the detail. Falls back to polling. */
  private async follow(id: string): Promise<void> {
    this.abort = new AbortController();
    this.live.set(true);
    const headers: Record<string, string> = {};
    const token = this.auth.accessToken();
    if (token) headers['Authorization'] = `Bearer ${token}`;
    const ws = this.api.workspaceId();
    if (ws) headers['X-Workspace-Id'] = ws;
    try {
      await followSse(
        `/api/workflows/executions/${id}/events`,
        headers,
        (m) => {
          let position: string | undefined;
          try {
            const event = JSON.parse(m.data) as TimelineEvent;
            position = event.position;
            if (typeof event.number === 'number' && !this.events().some((e) => e.number === event.number)) {
              this.events.update((list) => [...list, event].sort((a, b) => a.number - b.number));
            }
          } catch {
            /* a heartbeat or an unknown message */
          }
          this.scheduleRefresh(id, position);
        },
        this.abort.signal,
      );
      await this.refresh(id);
      this.live.set(false);
    } catch {
      if (this.abort?.signal.aborted) return;
      this.poll(id);
    }
  }

  private poll(id: string): void {
    this.pollTimer = setTimeout(async () => {
      await this.refresh(id);
      if (!FINISHED.has(this.detail()?.status ?? '')) this.poll(id);
      else this.live.set(false);
    }, 1000);
  }

  private scheduleRefresh(id: string, position?: string): void {
    clearTimeout(this.refreshTimer);
    if (position) this.latestPosition = position;
    this.refreshTimer = setTimeout(() => void this.refresh(id), 150);
  }

  /**
   * The detail is a read model, a moment behind the live events: asking for it as of the last
   * event's position makes the server wait for it, so a run that goes quiet (an approval waiting)
   * is not left showing the state from before its last events.
   */
  private async refresh(id: string): Promise<void> {
    try {
      const asOf = this.latestPosition ? { minPosition: this.latestPosition } : undefined;
      this.detail.set(await this.api.get<ExecutionDetail>(`/api/workflows/executions/${id}`, asOf));
      if (FINISHED.has(this.detail()!.status)) {
        const timeline = await this.api.get<{ events: TimelineEvent[] }>(`/api/workflows/executions/${id}/timeline`);
        this.events.set(timeline.events ?? this.events());
      }
    } catch {
      /* keep the last state; the next event tries again */
    }
  }

  private stopFollowing(): void {
    this.abort?.abort();
    this.abort = null;
    clearTimeout(this.pollTimer);
    clearTimeout(this.refreshTimer);
    this.live.set(false);
  }

  async control(action: 'pause' | 'resume' | 'cancel' | 'retry'): Promise<void> {
    this.busy.set(true);
    try {
      await this.api.call('POST', `/api/workflows/executions/${this.id()}/control`, { body: { action } });
      this.toasts.show(`${action[0]!.toUpperCase()}${action.slice(1)} requested`, 'ok');
      await this.refresh(this.id());
      if (!this.live() && !FINISHED.has(this.detail()?.status ?? '')) void this.follow(this.id());
    } catch (err) {
      this.toasts.show(`Could not ${action}: ${describeError(err)}`, 'error');
    } finally {
      this.busy.set(false);
    }
  }

  // ----- replay -----

  async scrub(n: number): Promise<void> {
    this.at.set(n);
    try {
      const state = await this.api.get<StateAt>(`/api/workflows/executions/${this.id()}/timeline`, { at: n });
      if (this.at() === n) this.replayState.set(state);
    } catch (err) {
      this.toasts.show(`Replay failed: ${describeError(err)}`, 'error');
    }
  }

  startReplay(): void {
    const first = this.events()[0]?.number ?? 1;
    void this.scrub(first);
  }

  step(delta: number): void {
    const list = this.events();
    if (!list.length) return;
    const n = Math.min(list[list.length - 1]!.number, Math.max(list[0]!.number, (this.at() ?? list[0]!.number) + delta));
    void this.scrub(n);
  }

  togglePlay(): void {
    if (this.playing()) {
      clearInterval(this.playTimer);
      this.playing.set(false);
      return;
    }
    if (this.at() === null) this.startReplay();
    this.playing.set(true);
    this.playTimer = setInterval(() => {
      const last = this.events().at(-1)?.number ?? 0;
      if ((this.at() ?? 0) >= last) {
        clearInterval(this.playTimer);
        this.playing.set(false);
        return;
      }
      this.step(1);
    }, 700);
  }

  exitReplay(): void {
    clearInterval(this.playTimer);
    this.playing.set(false);
    this.at.set(null);
    this.replayState.set(null);
  }

  describe(e: TimelineEvent): string {
    return describeEvent(e);
  }

  toneOf(status: string): string {
    return statusTone(status);
  }

  onSelection(sel: { steps: string[] }): void {
    if (sel.steps.length === 1) this.selected.set(sel.steps[0]!);
  }
}
