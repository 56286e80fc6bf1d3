import { ChangeDetectionStrategy, Component, computed, effect, ElementRef, inject, input, OnDestroy, signal, untracked, viewChild } from '@angular/core';
import { RouterLink } from '@angular/router';
import type { FCreateConnectionEvent, FCreateNodeEvent, FMoveNodesEvent } from '@foblex/flow';
import type { StepDefinition } from '@contracts/workflow';

import { describeError } from '../core/http-error';
import { IconComponent } from '../core/icon.component';
import { ToastService } from '../core/toast.service';
import { ApiService } from '../core/api.service';
import { ConfigPanelComponent } from './config-panel.component';
import { DesignerStore, type CatalogueAction } from './designer-store';
import { diffView, type DiffView, type VersionDiff } from './diff-highlight';
import { connectionFromPorts, newStepId, type GraphOp } from './graph-state';
import { PaletteComponent } from './palette.component';
import { initialConfig } from './schema-form';
import { useDesignerTheme } from './theme';
import { VariablesPanelComponent } from './variables-panel.component';
import { VersionsPanelComponent } from './versions-panel.component';
import { TriggersPanelComponent } from './triggers-panel.component';
import { WorkflowCanvasComponent } from './workflow-canvas.component';
import { RunDialogComponent } from '../executions/run-dialog.component';
import type { VariableDefinition } from '@contracts/workflow';

type Tab = 'step' | 'issues' | 'variables' | 'versions' | 'triggers';

/** The designer: palette, canvas, and a side panel (step, issues, variables, versions); lazy-loaded with @foblex/flow. */
@Component({
  selector: 'bb-designer-page',
  standalone: true,
  changeDetection: ChangeDetectionStrategy.OnPush,
  providers: [DesignerStore],
  imports: [RouterLink, IconComponent, RunDialogComponent, PaletteComponent, WorkflowCanvasComponent, ConfigPanelComponent, VariablesPanelComponent, VersionsPanelComponent, TriggersPanelComponent],
  host: { '(document:keydown)': 'onKey($event)' },
  templateUrl: './designer-page.component.html',
  styleUrl: './designer-page.component.css',
})
export class DesignerPageComponent implements OnDestroy {
  readonly store = inject(DesignerStore);
  private readonly toasts = inject(ToastService);
  private readonly api = inject(ApiService);
  private readonly releaseTheme = useDesignerTheme();

  /** Route parameter (withComponentInputBinding). */
  readonly id = input.required<string>();

  readonly canvas = viewChild(WorkflowCanvasComponent);
  private readonly publishNote = viewChild<ElementRef<HTMLTextAreaElement>>('publishNote');

  readonly tab = signal<Tab>('step');
  readonly selectedSteps = signal<string[]>([]);
  readonly selectedEdges = signal<string[]>([]);
  readonly publishing = signal(false);
  readonly publishBusy = signal(false);
  readonly diff = signal<DiffView | null>(null);
  readonly diffLabel = signal('');
  readonly diffLoading = signal(false);
  readonly editingName = signal(false);
  readonly running = signal(false);
  readonly runVariables = signal<readonly VariableDefinition[]>([]);

  readonly readonly = computed(() => this.diff() !== null || this.store.summary()?.status === 'archived');
  readonly shown = computed(() => this.diff()?.definition ?? this.store.definition());
  readonly stepMarks = computed(() => {
    const d = this.diff();
    return d ? new Map([...d.steps].map(([k, v]) => [k, v as string])) : new Map<string, string>();
  });
  readonly edgeMarks = computed(() => {
    const d = this.diff();
    if (d) return new Map([...d.edges].map(([k, v]) => [k, v as string]));
    return new Map([...this.store.issuesByEdge()].map((id) => [id, 'invalid']));
  });
  readonly canvasIssues = computed(() => (this.diff() ? new Map() : this.store.issuesByStep()));
  readonly selectedStep = computed<StepDefinition | null>(() => {
    const ids = this.selectedSteps();
    if (ids.length !== 1) return null;
    return this.shown().steps.find((s) => s.id === ids[0]) ?? null;
  });
  readonly errorCount = computed(() => this.store.errors().length);
  readonly warningCount = computed(() => this.store.validation().length - this.store.errors().length);
  readonly stepName = (id?: string) => (id ? (this.store.definition().steps.find((s) => s.id === id)?.name ?? id) : '');

  constructor() {
    performance.mark('bb:designer-created');
    effect(() => {
      const id = this.id();
      untracked(() => {
        this.diff.set(null);
        this.selectedSteps.set([]);
        void this.store.open(id);
      });
    });
  }

  ngOnDestroy(): void {
    this.releaseTheme();
  }

  // ----- canvas gestures -----

  onDrop(event: FCreateNodeEvent<string>): void {
    const action = this.store.actionsByType().get(event.data);
    if (!action || this.readonly()) return;
    const rect = event.externalItemRect ?? event.rect;
    this.addStep(action, { x: Math.round(rect.x), y: Math.round(rect.y) });
  }

  /** From the keyboard (Enter on a palette item): to the right of the selected step, connected to it. */
  addFromKeyboard(action: CatalogueAction): void {
    if (this.readonly()) return;
    const from = this.selectedStep();
    const position = from ? { x: from.position.x + 300, y: from.position.y } : (this.canvas()?.visibleCentre() ?? { x: 100, y: 100 });
    const id = this.addStep(action, position, from?.id);
    setTimeout(() => this.canvas()?.select([id]), 50);
  }

  private addStep(action: CatalogueAction, position: { x: number; y: number }, connectFrom?: string): string {
    const d = this.store.definition();
    const id = newStepId(d, action.type);
    const sameType = d.steps.filter((s) => s.type === action.type).length;
    const step: StepDefinition = {
      id,
      name: sameType ? `${action.title} ${sameType + 1}` : action.title,
      type: action.type,
      config: initialConfig(action.configSchema),
      position,
      errorStrategy: 'fail',
    };
    const ops: GraphOp[] = [{ kind: 'addStep', step }];
    if (connectFrom) ops.push({ kind: 'connect', edge: { id: `e_${connectFrom}_${id}`.slice(0, 64), from: connectFrom, to: id } });
    this.store.edit(`Add ${action.title}`, ops);
    this.selectedSteps.set([id]);
    this.tab.set('step');
    return id;
  }

  onConnect(event: FCreateConnectionEvent): void {
    if (this.readonly()) return;
    const op = connectionFromPorts(this.store.definition(), event.sourceId, event.targetId);
    if (typeof op === 'string') {
      if (event.targetId) this.toasts.show(op, 'warn');
      return;
    }
    this.store.edit(`Connect ${this.stepName(op.kind === 'connect' ? op.edge.from : '')} → ${this.stepName(op.kind === 'connect' ? op.edge.to : '')}`, [op]);
  }

  onMove(event: FMoveNodesEvent): void {
    if (this.readonly()) return;
    const steps = new Map(this.store.definition().steps.map((s) => [s.id, s]));
    const ops: GraphOp[] = event.nodes
      .filter((n) => {
        const s = steps.get(n.id);
        return s && (Math.round(s.position.x) !== Math.round(n.position.x) || Math.round(s.position.y) !== Math.round(n.position.y));
      })
      .map((n) => ({ kind: 'moveStep', stepId: n.id, position: { x: Math.round(n.position.x), y: Math.round(n.position.y) } }));
    this.store.edit(ops.length > 1 ? `Move ${ops.length} steps` : 'Move step', ops);
  }

  onSelection(sel: { steps: string[]; edges: string[] }): void {
    this.selectedSteps.set(sel.steps);
    this.selectedEdges.set(sel.edges);
    if (sel.steps.length === 1 && this.tab() !== 'versions') this.tab.set('step');
  }

  deleteSelection(selection?: { steps: string[]; edges: string[] }): void {
    if (this.readonly()) return;
    if (selection) {
      this.selectedSteps.set(selection.steps);
      this.selectedEdges.set(selection.edges);
    }
    const steps = this.selectedSteps();
    const removedBySteps = new Set(this.store.definition().edges.filter((e) => steps.includes(e.from) || steps.includes(e.to)).map((e) => e.id));
    const ops: GraphOp[] = [
      ...this.selectedEdges().filter((id) => !removedBySteps.has(id)).map((edgeId): GraphOp => ({ kind: 'disconnect', edgeId })),
      ...steps.map((stepId): GraphOp => ({ kind: 'removeStep', stepId })),
    ];
    if (!ops.length) return;
    const what = [steps.length ? `${steps.length} step${steps.length > 1 ? 's' : ''}` : '', ops.length - steps.length ? `${ops.length - steps.length} connection(s)` : '']
      .filter(Boolean)
      .join(' and ');
    this.store.edit(`Delete ${what}`, ops);
    this.selectedSteps.set([]);
    this.selectedEdges.set([]);
    this.toasts.show(`Deleted ${what}. Undo with Ctrl+Z.`);
  }

  jumpTo(stepId: string): void {
    this.selectedSteps.set([stepId]);
    this.canvas()?.select([stepId]);
    this.canvas()?.center(stepId);
    this.tab.set('step');
  }

  // ----- keyboard -----

  onKey(e: KeyboardEvent): void {
    const target = e.target as HTMLElement | null;
    const typing = !!target && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName));
    if (typing || this.publishing() || this.running()) return;
    const mod = e.ctrlKey || e.metaKey;
    const key = e.key.toLowerCase();
    // Inside the canvas its keyboard layer handles selection, moving, deleting and zoom; undo/redo are ours.
    const inCanvas = !!target?.closest?.('f-flow');
    if (inCanvas && !(mod && (key === 'z' || key === 'y'))) return;
    if (mod && key === 'z' && !e.shiftKey) {
      e.preventDefault();
      if (!this.readonly()) this.store.undo();
    } else if (mod && (key === 'y' || (key === 'z' && e.shiftKey))) {
      e.preventDefault();
      if (!this.readonly()) this.store.redo();
    } else if (mod && key === 'a') {
      e.preventDefault();
      this.canvas()?.selectAll();
    } else if (!mod && (e.key === 'Delete' || e.key === 'Backspace')) {
      e.preventDefault();
      this.deleteSelection();
    } else if (!mod && (e.key === '+' || e.key === '=')) this.canvas()?.zoomIn();
    else if (!mod && e.key === '-') this.canvas()?.zoomOut();
    else if (!mod && key === 'f') this.canvas()?.fit();
    else if (e.key === 'Escape') {
      this.canvas()?.clearSelection();
      this.selectedSteps.set([]);
    }
  }

  // ----- name, publish, diff -----

  async saveName(value: string): Promise<void> {
    this.editingName.set(false);
    const name = value.trim();
    if (name && name !== this.store.summary()?.name) await this.store.rename(name);
  }

  openPublish(): void {
    this.publishing.set(true);
    setTimeout(() => this.publishNote()?.nativeElement.focus());
  }

  async publish(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const note = String(new FormData(event.target as HTMLFormElement).get('note') ?? '').trim();
    this.publishBusy.set(true);
    const version = await this.store.publish(note);
    this.publishBusy.set(false);
    if (version) {
      this.publishing.set(false);
      this.toasts.show(`Published version ${version}`, 'ok');
      this.tab.set('versions');
    }
  }

  async showDiff(range: { from: number; to: number }): Promise<void> {
    this.diffLoading.set(true);
    try {
      const id = this.store.workflowId();
      const [diff, target] = await Promise.all([
        this.api.get<VersionDiff>(`/api/workflows/${id}/versions/${range.from}/diff/${range.to}`),
        this.store.versionDefinition(range.to),
      ]);
      this.diff.set(diffView(diff, target));
      this.diffLabel.set(`v${range.from} → v${range.to}`);
      this.selectedSteps.set([]);
      setTimeout(() => this.canvas()?.fit(), 80);
    } catch (err) {
      this.toasts.show(`Could not compare: ${describeError(err)}`, 'error');
    } finally {
      this.diffLoading.set(false);
    }
  }

  closeDiff(): void {
    this.diff.set(null);
    setTimeout(() => this.canvas()?.fit(), 80);
  }

  /** Opens the run form with the variables of the version that will run (the latest published one). */
  async run(): Promise<void> {
    const latest = this.store.versions()[0]?.version;
    let variables: readonly VariableDefinition[] = this.store.definition().variables;
    if (latest) {
      try {
        variables = (await this.store.versionDefinition(latest)).variables;
      } catch {
        /* the draft's variables are the best guess */
      }
    }
    this.runVariables.set(variables);
    this.running.set(true);
  }
}
