import { ChangeDetectionStrategy, Component, computed, ElementRef, input, output, signal, viewChild } from '@angular/core';
import {
  FCanvasComponent,
  FFlowComponent,
  FFlowModule,
  FZoomDirective,
  provideFFlow,
  withA11y,
  type FCreateConnectionEvent,
  type FDeleteSelectedEvent,
  type FCreateNodeEvent,
  type FMoveNodesEvent,
  type FSelectionChangeEvent,
} from '@foblex/flow';
import type { EdgeDefinition, StepDefinition, ValidationIssue, WorkflowDefinition } from '@contracts/workflow';

import { IconComponent, iconPath } from '../core/icon.component';
import type { CatalogueAction } from './designer-store';
import { inPort, outPort } from './graph-state';

/** Runs `fn` when the browser is idle (at the latest after a second). */
function whenIdle(fn: () => void): void {
  const w = globalThis as { requestIdleCallback?: (cb: () => void, opts?: { timeout: number }) => number };
  if (w.requestIdleCallback) w.requestIdleCallback(fn, { timeout: 1000 });
  else setTimeout(fn, 200);
}

export interface NodeView {
  step: StepDefinition;
  action?: CatalogueAction;
  /** Output ports: '' (the plain output), branch labels, and `error` for an error branch. */
  outputs: string[];
  issues: ValidationIssue[];
  mark?: string;
  /** SVG path of the action's icon (inlined: a component per step costs more than the drawing). */
  icon: string;
}

/**
 * The canvas (@foblex/flow): steps as nodes with an input port and one output port per branch,
 * edges as connections. Marks colour steps and edges (validation, diff, execution state). It owns
 * no graph: every gesture is reported as an output and the parent decides.
 */
@Component({
  selector: 'bb-workflow-canvas',
  standalone: true,
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [FFlowModule, IconComponent],
  // Keyboard layer: Tab into the canvas, arrows walk between steps, Space grabs and moves one, C connects, Delete removes.
  providers: [provideFFlow(withA11y({ moveStep: 20 }))],
  host: { '[attr.data-rendered-steps]': 'renderedSteps()', '[class.drawing]': 'drawing()' },
  template: `
    <f-flow fDraggable [fDraggableDisabled]="readonly()" (fCreateNode)="createNode.emit($event)" (fCreateConnection)="createConnection.emit($event)"
      (fMoveNodes)="moveNodes.emit($event)" (fDeleteSelected)="onDeleteSelected($event)" aria-label="Workflow canvas" (fSelectionChange)="onSelection($event)" (fNodesRendered)="onNodesRendered()"
      (fFullRendered)="onFullRendered()" [class.readonly]="readonly()" [fCache]="true">
      <f-background><f-circle-pattern /></f-background>
      <f-canvas fZoom [fZoomMinimum]="0.1" [fZoomMaximum]="2.5">
        <f-connection-for-create fType="bezier" />
        <ng-container ngProjectAs="[fConnections]">
          @for (e of edges(); track e.id) {
            <f-connection [fConnectionId]="e.id" [fSourceId]="sourceOf(e)" [fTargetId]="targetOf(e)" fType="bezier" fBehavior="fixed"
              [class]="'edge ' + (edgeMarks().get(e.id) ?? '') + (e.label ? ' label-' + e.label : '')" [attr.data-testid]="'edge-' + e.id"
              [attr.aria-label]="edgeLabel(e)" aria-roledescription="connection" [fReassignDisabled]="true">
              @if (arrows()) { <f-connection-marker-arrow type="end" /> }
              @if (e.label || e.condition) { <div fConnectionContent [position]="0.5" class="edge-label">{{ e.label ?? 'if' }}</div> }
            </f-connection>
          }
        </ng-container>
        <ng-container ngProjectAs="[fNodes]">
          @for (n of nodes(); track n.step.id) {
            <div fNode [fNodeId]="n.step.id" [fNodePosition]="n.step.position" fDragHandle class="node" [class]="'node ' + (n.mark ?? '')"
              [class.has-error]="hasError(n)" [class.multi-out]="n.outputs.length > 1" [class.has-warning]="!hasError(n) && n.issues.length > 0"
              [attr.data-testid]="'node-' + n.step.id" [attr.data-step-id]="n.step.id" [attr.aria-label]="n.step.name + ' (' + (n.action?.title ?? n.step.type) + ')'"
              [attr.id]="'bb-step-' + n.step.id" role="group" aria-roledescription="step">
              <div fConnector fConnectorType="target" [fConnectorId]="inPort(n.step.id)" class="port in" [fConnectorMultiple]="true" fConnectorConnectableSide="left"
                [attr.data-testid]="'port-in-' + n.step.id"></div>
              <span class="tile"><svg class="ico" viewBox="0 0 24 24" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="1.8"
                stroke-linecap="round" stroke-linejoin="round"><path [attr.d]="n.icon" /></svg></span>
              <div class="body">
                <div class="name">{{ n.step.name }}</div>
                <div class="type">{{ n.action?.title ?? n.step.type }}</div>
              </div>
              @if (n.issues.length) {
                <button type="button" class="badge" fDragBlocker [class.warn]="!hasError(n)" [attr.data-testid]="'step-badge-' + n.step.id"
                  [title]="issueText(n)" [attr.aria-label]="n.issues.length + ' problem(s): ' + issueText(n)" (click)="badgeClick.emit(n.step.id)">
                  {{ n.issues.length }}
                </button>
              }
              @if (stateLabel(n.mark); as st) { <span class="state-chip">{{ st }}</span> }
              <div class="outs">
                @for (o of n.outputs; track o) {
                  <div class="out-row">
                    @if (o) { <span class="out-label" [class.err]="o === 'error'">{{ o }}</span> }
                    <div fConnector fConnectorType="source" [fConnectorId]="outPort(n.step.id, o)" class="port out" [class.port-error]="o === 'error'"
                      [fConnectorMultiple]="true" fConnectorConnectableSide="right" [attr.data-testid]="'port-out-' + n.step.id + (o ? '-' + o : '')"></div>
                  </div>
                }
              </div>
            </div>
          }
        </ng-container>
      </f-canvas>
      <f-selection-area />
      @if (minimap() && minimapReady()) { <f-minimap [fMinSize]="1200" [fNodeRenderLimit]="150" /> }
    </f-flow>
    @if (drawing()) {
      <div class="drawing-note" role="status"><span class="spinner"></span>Drawing {{ definition().steps.length }} steps…</div>
    }
    @if (definition().steps.length === 0 && emptyText()) {
      <div class="empty-canvas"><bb-icon name="workflow" /><h3>Start by dragging a step here</h3><p>{{ emptyText() }}</p></div>
    }
  `,
  styles: `
    :host { display: block; position: relative; width: 100%; height: 100%; }
    f-flow { display: block; width: 100%; height: 100%; }
    .drawing-note { position: absolute; inset: 0; display: flex; align-items: center; justify-content: center; gap: 0.5rem; color: var(--bb-muted); }
    .empty-canvas { position: absolute; inset: 0; display: flex; flex-direction: column; align-items: center; justify-content: center; gap: 0.4rem;
      pointer-events: none; color: var(--bb-muted); }
    .empty-canvas bb-icon { width: 40px; height: 40px; color: var(--bb-faint); }
    .empty-canvas h3 { color: var(--bb-text); font-size: 1rem; }
    .empty-canvas p { margin: 0; }
  `,
})
export class WorkflowCanvasComponent {
  readonly definition = input.required<WorkflowDefinition>();
  readonly actions = input<Map<string, CatalogueAction>>(new Map());
  readonly issues = input<Map<string, ValidationIssue[]>>(new Map());
  readonly stepMarks = input<Map<string, string>>(new Map());
  readonly edgeMarks = input<Map<string, string>>(new Map());
  readonly readonly = input(false);
  readonly minimap = input(true);
  readonly emptyText = input('');

  readonly createNode = output<FCreateNodeEvent<string>>();
  readonly createConnection = output<FCreateConnectionEvent>();
  readonly moveNodes = output<FMoveNodesEvent>();
  readonly selection = output<{ steps: string[]; edges: string[] }>();
  readonly badgeClick = output<string>();
  readonly rendered = output<number>();
  /** Delete pressed on the canvas (the keyboard layer): the selection to remove. */
  readonly deleteSelection = output<{ steps: string[]; edges: string[] }>();

  private readonly flow = viewChild(FFlowComponent);
  private readonly canvas = viewChild(FCanvasComponent);
  private readonly zoom = viewChild(FZoomDirective);
  readonly host = viewChild.required(FFlowComponent, { read: ElementRef });
  readonly renderedSteps = signal<number | null>(null);
  /** The minimap measures every node: it joins once the canvas has rendered, not while nodes are still arriving. */
  readonly minimapReady = signal(false);
  /**
   * Until the first full render the canvas is laid out but not painted: @foblex/flow draws connections
   * in slices over many frames, and painting 300 steps on each of those frames costs more than drawing.
   */
  readonly drawing = signal(true);
  private readonly revealFallback = setTimeout(() => this.drawing.set(false), 5000);
  private fittedOnce = false;
  /**
   * The connections join the canvas one frame after the steps. While a big graph is first laid out every
   * step's size is reported on its own (one ResizeObserver each), and on each report @foblex/flow's
   * accessibility layer walks every node and connection: with the connections not registered yet, that
   * walk is less than half as long. They are still added long before @foblex/flow reports the steps
   * rendered (it waits 120 ms after the last step), so the first full render includes them.
   */
  private readonly edgesShown = signal(false);
  readonly edges = computed(() => (this.edgesShown() ? this.definition().edges : []));

  /** Arrowheads cost one SVG marker per connection; past 150 edges direction reads from the ports (left in, right out). */
  readonly arrows = computed(() => this.definition().edges.length <= 150);
  readonly inPort = inPort;
  readonly outPort = outPort;

  readonly nodes = computed<NodeView[]>(() => {
    const actions = this.actions();
    const issues = this.issues();
    const marks = this.stepMarks();
    // The labels each step's edges leave by, in one pass over the edges (not one per step).
    const labelsFrom = new Map<string, string[]>();
    for (const e of this.definition().edges) {
      const labels = labelsFrom.get(e.from);
      if (labels) labels.push(e.label ?? '');
      else labelsFrom.set(e.from, [e.label ?? '']);
    }
    return this.definition().steps.map((step) => {
      const action = actions.get(step.type);
      const outputs = action?.branches.length ? [...action.branches] : [''];
      if (step.errorStrategy === 'error_branch') outputs.push('error');
      // An edge whose label has no port (imported, or the strategy changed) still gets one, so it stays drawn.
      for (const label of labelsFrom.get(step.id) ?? []) if (!outputs.includes(label)) outputs.push(label);
      return { step, action, outputs, issues: issues.get(step.id) ?? [], mark: marks.get(step.id), icon: iconPath(action?.icon ?? 'settings') };
    });
  });

  constructor() {
    // After the next frame has been laid out (and its size reports delivered), not within it.
    requestAnimationFrame(() => setTimeout(() => this.edgesShown.set(true)));
  }

  /** Step names by id, for the connections' accessible names. */
  private readonly stepNames = computed(() => new Map(this.definition().steps.map((s) => [s.id, s.name])));

  /**
   * The connection's accessible name. Set here (with the steps' ids and role descriptions) so that
   * @foblex/flow's accessibility layer, which re-checks every node and connection on each change
   * notification (one per step while a large graph first lays out), finds nothing to write.
   */
  edgeLabel(e: EdgeDefinition): string {
    const names = this.stepNames();
    const label = e.label ? ` (${e.label})` : e.condition ? ' (if)' : '';
    return `Connection from ${names.get(e.from) ?? e.from} to ${names.get(e.to) ?? e.to}${label}`;
  }

  sourceOf(e: EdgeDefinition): string {
    return outPort(e.from, e.label ?? '');
  }
  targetOf(e: EdgeDefinition): string {
    return inPort(e.to);
  }
  hasError(n: NodeView): boolean {
    return n.issues.some((i) => i.severity === 'error');
  }
  issueText(n: NodeView): string {
    return n.issues.map((i) => i.message).join('\n');
  }
  stateLabel(mark: string | undefined): string | null {
    if (!mark?.startsWith('run-')) return null;
    return mark.slice(4).replace(/_/g, ' ');
  }

  onDeleteSelected(e: FDeleteSelectedEvent): void {
    if (!this.readonly()) this.deleteSelection.emit({ steps: [...e.nodeIds], edges: [...e.connectionIds] });
  }

  onSelection(e: FSelectionChangeEvent): void {
    this.selection.emit({ steps: [...e.nodeIds], edges: [...e.connectionIds] });
  }

  /** Fits a loaded workflow once; a workflow started from scratch keeps the 1:1 view its first step was dropped in. */
  onNodesRendered(): void {
    performance.mark('bb:nodes-rendered');
    if (this.fittedOnce) return;
    this.fittedOnce = true;
    if (this.definition().steps.length > 1) this.fit(false);
  }

  onFullRendered(): void {
    performance.mark('bb:full-rendered');
    // The minimap measures and draws every node: it joins once the browser is idle, not in the frame that reveals the canvas.
    whenIdle(() => this.minimapReady.set(true));
    this.drawing.set(false);
    clearTimeout(this.revealFallback);
    this.renderedSteps.set(this.definition().steps.length);
    this.rendered.emit(this.definition().steps.length);
  }

  /** Fits everything in view, but never zooms a small graph beyond 1:1. */
  fit(animated = true): void {
    const canvas = this.canvas();
    if (!canvas) return;
    canvas.fitToScreen({ x: 80, y: 80 }, false);
    if (canvas.getScale() > 1) canvas.resetScaleAndCenter(animated);
    else if (animated) canvas.redrawWithAnimation();
  }
  zoomIn(): void {
    this.zoom()?.zoomIn();
  }
  zoomOut(): void {
    this.zoom()?.zoomOut();
  }
  resetZoom(): void {
    this.canvas()?.resetScaleAndCenter(true);
  }
  center(stepId: string): void {
    this.canvas()?.centerGroupOrNode(stepId, true);
  }
  select(steps: string[], edges: string[] = []): void {
    this.flow()?.select(steps, edges);
  }
  selectAll(): void {
    this.flow()?.selectAll();
  }
  clearSelection(): void {
    this.flow()?.clearSelection();
  }
  /** Canvas coordinates of the visible centre (where a step added from the keyboard goes). */
  visibleCentre(): { x: number; y: number } {
    const el = this.host().nativeElement as HTMLElement;
    const r = el.getBoundingClientRect();
    const p = this.flow()?.getPositionInFlow({ x: r.left + r.width / 2, y: r.top + r.height / 2 });
    return p ? { x: p.x - 110, y: p.y - 30 } : { x: 100, y: 100 };
  }
}
