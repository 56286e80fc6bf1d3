import { ChangeDetectionStrategy, Component, computed, inject, input } from '@angular/core';
import { ERROR_STRATEGIES, type ErrorStrategy, type JoinMode, type RetryPolicy, type StepDefinition } from '@contracts/workflow';

import { IconComponent } from '../core/icon.component';
import { DesignerStore } from './designer-store';
import { SchemaFormComponent, type FieldChangeEvent } from './schema-form.component';
import { describeJoin, incomingCount, joinChoice as joinChoiceOf, joinFrom, type JoinChoice } from './join-mode';
import { fieldsOf, setAt } from './schema-form';

const STRATEGY_TEXT: Record<ErrorStrategy, string> = {
  fail: 'Fail the execution',
  continue: 'Continue with the next steps',
  retry_then_fail: 'Retry, then fail',
  error_branch: 'Route to the error branch',
};

/** The selected step: name, config form from the action's schema, join mode (several inputs), error strategy, retry policy, timeout. */
@Component({
  selector: 'bb-config-panel',
  standalone: true,
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [SchemaFormComponent, IconComponent],
  template: `
    @let s = step();
    @let a = action();
    <div class="head">
      <span class="icon-tile"><bb-icon [name]="a?.icon ?? 'settings'" /></span>
      <div class="min">
        <div class="kind">{{ a?.title ?? s.type }}</div>
        <div class="sid mono" title="Step id: reach its output with steps.{{ s.id }}.output">{{ s.id }}</div>
      </div>
    </div>
    @if (a?.description) { <p class="desc">{{ a!.description }}</p> }

    @if (issues().length) {
      <ul class="issues" data-testid="step-issues">
        @for (i of issues(); track $index) {
          <li [class.warn]="i.severity === 'warning'"><bb-icon [name]="i.severity === 'error' ? 'error' : 'warning'" />{{ i.message }}</li>
        }
      </ul>
    }

    <div class="field">
      <label for="step-name">Step name</label>
      <input id="step-name" class="input" [value]="s.name" maxlength="200" [readOnly]="readonly()" (change)="rename($any($event.target).value)"
        data-testid="step-name" />
    </div>

    <h3 class="section">Configuration</h3>
    @if (a) {
      @if (hasExpressions()) {
        <p class="expr-hint">Fields marked <span class="expr-chip">{{ chip }}</span> take expressions: <code>{{ exprExample }}</code>,
          <code>{{ varsExample }}</code> or <code>{{ stepsExample }}</code>.</p>
      }
      @if (fields().length) {
        <bb-schema-form [collapseOptional]="true" [fields]="fields()" [config]="s.config" [serverProblems]="serverProblems()" [readonly]="readonly()"
          [idPrefix]="'cfg-' + s.id + '-'" (fieldChange)="configure($event)" />
      } @else {
        <p class="muted">This action needs no configuration.</p>
      }
    } @else {
      <p class="err">Unknown action type “{{ s.type }}”: remove this step or replace it.</p>
    }

    @if (incoming() > 1) {
      @let jc = joinChoice();
      <h3 class="section">When several paths lead here</h3>
      <div class="field" data-testid="step-join-field">
        <label for="step-join">Join</label>
        <select id="step-join" class="select" [disabled]="readonly()" (change)="setJoinChoice($any($event.target).value)" data-testid="step-join">
          <option value="all" [selected]="jc === 'all'">All of its {{ incoming() }} inputs (default)</option>
          <option value="any" [selected]="jc === 'any'">Any one input</option>
          <option value="count" [selected]="jc === 'count'">N of {{ incoming() }} inputs</option>
        </select>
      </div>
      @if (jc === 'count') {
        <div class="field">
          <label for="step-join-n">Inputs needed (N)</label>
          <input id="step-join-n" class="input" type="number" min="1" [max]="incoming()" step="1" [value]="joinCount()" [readOnly]="readonly()"
            (change)="setJoinCount($any($event.target).value)" data-testid="step-join-n" />
        </div>
      }
      <p class="join-hint" data-testid="step-join-hint">{{ joinText() }}</p>
    }

    <h3 class="section">When it fails</h3>
    <div class="field">
      <label for="step-strategy">Error strategy</label>
      <select id="step-strategy" class="select" [disabled]="readonly()" (change)="setStrategy($any($event.target).value)" data-testid="step-error-strategy">
        @for (k of strategies; track k) { <option [value]="k" [selected]="s.errorStrategy === k">{{ strategyText[k] }}</option> }
      </select>
      @if (s.errorStrategy === 'error_branch') { <span class="hint">Connect the red “error” port to the steps that handle the failure.</span> }
    </div>
    <div class="field">
      <label class="check"><input type="checkbox" [checked]="!!s.retryPolicy" [disabled]="readonly()" (change)="toggleRetry($any($event.target).checked)"
        data-testid="step-custom-retry" /> Custom retry policy</label>
      @if (!s.retryPolicy && a) {
        <span class="hint">Default: {{ a.defaults.retryPolicy.maxAttempts }} attempts, from {{ a.defaults.retryPolicy.initialIntervalMs }} ms, ×{{ a.defaults.retryPolicy.backoffCoefficient }}.</span>
      }
    </div>
    @if (s.retryPolicy; as r) {
      <div class="grid">
        <div class="field"><label for="rp-max">Max attempts</label>
          <input id="rp-max" class="input" type="number" min="1" max="100" step="1" [value]="r.maxAttempts" [readOnly]="readonly()" (change)="setRetry('maxAttempts', $any($event.target).value)" data-testid="retry-max-attempts" /></div>
        <div class="field"><label for="rp-init">First wait (ms)</label>
          <input id="rp-init" class="input" type="number" min="0" step="100" [value]="r.initialIntervalMs" [readOnly]="readonly()" (change)="setRetry('initialIntervalMs', $any($event.target).value)" /></div>
        <div class="field"><label for="rp-coef">Backoff ×</label>
          <input id="rp-coef" class="input" type="number" min="1" max="10" step="0.1" [value]="r.backoffCoefficient" [readOnly]="readonly()" (change)="setRetry('backoffCoefficient', $any($event.target).value)" /></div>
        <div class="field"><label for="rp-maxint">Max wait (ms)</label>
          <input id="rp-maxint" class="input" type="number" min="0" step="1000" [value]="r.maxIntervalMs" [readOnly]="readonly()" (change)="setRetry('maxIntervalMs', $any($event.target).value)" /></div>
        <div class="field"><label for="rp-jit">Jitter (0–1)</label>
          <input id="rp-jit" class="input" type="number" min="0" max="1" step="0.05" [value]="r.jitter" [readOnly]="readonly()" (change)="setRetry('jitter', $any($event.target).value)" /></div>
      </div>
      <div class="field"><label for="rp-non">Never retry these error kinds</label>
        <input id="rp-non" class="input" [value]="r.nonRetryableErrors.join(', ')" [readOnly]="readonly()" placeholder="InvalidConfig, ExpressionError"
          (change)="setNonRetryable($any($event.target).value)" /></div>
    }
    <div class="field">
      <label for="step-timeout">Timeout per attempt (seconds)</label>
      <input id="step-timeout" class="input" type="number" min="0.001" step="1" [value]="s.timeoutMs ? s.timeoutMs / 1000 : ''" [readOnly]="readonly()"
        [attr.placeholder]="a ? 'Default: ' + a.defaults.timeoutMs / 1000 : null" (change)="setTimeout($any($event.target).value)" data-testid="step-timeout" />
    </div>
  `,
  styles: `
    :host { display: block; }
    .head { display: flex; gap: 0.6rem; align-items: center; margin-bottom: 0.5rem; }
    .icon-tile { width: 34px; height: 34px; border-radius: 8px; display: grid; place-items: center; background: var(--bb-brand-soft); color: var(--bb-brand); flex-shrink: 0; }
    .kind { font-weight: 650; }
    .sid { font-size: 0.75rem; color: var(--bb-muted); overflow: hidden; text-overflow: ellipsis; }
    .min { min-width: 0; }
    .desc { color: var(--bb-muted); font-size: 0.83rem; margin: 0 0 0.8rem; }
    .section { font-size: 0.72rem; text-transform: uppercase; letter-spacing: 0.06em; color: var(--bb-muted); margin: 1rem 0 0.6rem;
      padding-top: 0.8rem; border-top: 1px solid var(--bb-border); }
    .issues { list-style: none; margin: 0 0 0.8rem; padding: 0.5rem 0.6rem; border-radius: var(--bb-radius-sm); background: var(--bb-error-bg); color: var(--bb-error); }
    .issues li { display: flex; gap: 0.35rem; align-items: flex-start; font-size: 0.82rem; }
    .issues li.warn { color: var(--bb-warn); }
    .grid { display: grid; grid-template-columns: 1fr 1fr; gap: 0 0.6rem; }
    .err { color: var(--bb-error); }
    .expr-hint { font-size: 0.78rem; color: var(--bb-muted); margin: 0 0 0.8rem; padding: 0.45rem 0.6rem; background: var(--bb-surface-2);
      border: 1px solid var(--bb-border); border-radius: var(--bb-radius-sm); }
    code { font-family: var(--bb-mono); font-size: 0.74rem; color: var(--bb-brand-dark); }
    .join-hint { font-size: 0.78rem; color: var(--bb-muted); margin: -0.4rem 0 0.8rem; }
  `,
})
export class ConfigPanelComponent {
  private readonly store = inject(DesignerStore);
  readonly step = input.required<StepDefinition>();
  readonly readonly = input(false);

  readonly strategies = ERROR_STRATEGIES;
  readonly strategyText = STRATEGY_TEXT;
  readonly action = computed(() => this.store.actionsByType().get(this.step().type));
  readonly fields = computed(() => (this.action() ? fieldsOf(this.action()!.configSchema) : []));
  readonly hasExpressions = computed(() => JSON.stringify(this.action()?.configSchema ?? {}).includes('"x-expression"'));
  readonly chip = '{{ }}';
  readonly exprExample = '{{ input.x }}';
  readonly varsExample = '{{ vars.x }}';
  readonly stepsExample = '{{ steps.<id>.output.x }}';
  readonly issues = computed(() => this.store.issuesByStep().get(this.step().id) ?? []);
  /** Server messages that name a config field (`config.to ...`, `/to ...`) shown under that field. */
  readonly serverProblems = computed(() => {
    const map = new Map<string, string>();
    for (const issue of this.issues()) {
      const m = /(?:config\.|\/)([A-Za-z_][\w.]*)/.exec(issue.message);
      if (m && issue.code === 'invalid-config') map.set(m[1]!.replace(/\//g, '.'), issue.message);
    }
    return map;
  });

  /** Connections into the step: the join mode only matters (and is only shown) with two or more. */
  readonly incoming = computed(() => incomingCount(this.store.definition(), this.step().id));
  readonly joinChoice = computed(() => joinChoiceOf(this.step().join));
  readonly joinCount = computed(() => {
    const j = this.step().join;
    return typeof j === 'number' ? Math.min(j, this.incoming()) : Math.min(2, this.incoming());
  });
  readonly joinText = computed(() => describeJoin(this.step().join, this.incoming()));

  setJoinChoice(choice: JoinChoice): void {
    this.setJoin(joinFrom(choice, this.joinCount(), this.incoming()));
  }

  setJoinCount(raw: string): void {
    if (raw === '') return;
    this.setJoin(joinFrom('count', raw, this.incoming()));
  }

  private setJoin(join: JoinMode | undefined): void {
    if (join === this.step().join) return;
    this.policy({ join }, join === undefined ? 'Join: all inputs' : join === 'any' ? 'Join: any input' : `Join: ${join} of ${this.incoming()} inputs`);
  }

  rename(name: string): void {
    const s = this.step();
    const trimmed = name.trim();
    if (trimmed && trimmed !== s.name) this.store.edit(`Rename step to “${trimmed}”`, [{ kind: 'renameStep', stepId: s.id, name: trimmed }]);
  }

  configure(change: FieldChangeEvent): void {
    const s = this.step();
    const config = setAt(s.config, change.path, change.value);
    if (JSON.stringify(config) === JSON.stringify(s.config)) return;
    this.store.edit(`Configure ${s.name}`, [{ kind: 'configureStep', stepId: s.id, config }]);
  }

  setStrategy(errorStrategy: ErrorStrategy): void {
    this.policy({ errorStrategy }, 'Change error strategy');
  }

  toggleRetry(on: boolean): void {
    const defaults = this.action()?.defaults.retryPolicy;
    const retryPolicy: RetryPolicy | undefined = on && defaults ? { ...defaults, nonRetryableErrors: [...defaults.nonRetryableErrors] } : undefined;
    this.policy({ retryPolicy }, on ? 'Custom retry policy' : 'Default retry policy', true);
  }

  setRetry(key: 'maxAttempts' | 'initialIntervalMs' | 'backoffCoefficient' | 'maxIntervalMs' | 'jitter', raw: string): void {
    const r = this.step().retryPolicy;
    const n = Number(raw);
    if (!r || raw === '' || !Number.isFinite(n)) return;
    const value = key === 'maxAttempts' || key.endsWith('Ms') ? Math.round(n) : n;
    this.policy({ retryPolicy: { ...r, [key]: value } }, 'Change retry policy');
  }

  setNonRetryable(raw: string): void {
    const r = this.step().retryPolicy;
    if (!r) return;
    const kinds = raw.split(',').map((s) => s.trim()).filter(Boolean);
    this.policy({ retryPolicy: { ...r, nonRetryableErrors: kinds } }, 'Change retry policy');
  }

  setTimeout(raw: string): void {
    const seconds = Number(raw);
    const timeoutMs = raw === '' || !(seconds > 0) ? undefined : Math.round(seconds * 1000);
    this.policy({ timeoutMs }, 'Change timeout', true);
  }

  /** One ChangeStepPolicy: the server resets what it leaves out (retry, timeout, join), so each is sent as it is now. */
  private policy(change: { errorStrategy?: ErrorStrategy; retryPolicy?: RetryPolicy; timeoutMs?: number; join?: JoinMode }, label: string, explicit = false): void {
    const s = this.step();
    const next = {
      errorStrategy: change.errorStrategy ?? s.errorStrategy,
      retryPolicy: 'retryPolicy' in change || explicit ? ('retryPolicy' in change ? change.retryPolicy : s.retryPolicy) : s.retryPolicy,
      timeoutMs: 'timeoutMs' in change ? change.timeoutMs : s.timeoutMs,
      join: 'join' in change ? change.join : s.join,
    };
    this.store.edit(label, [{ kind: 'setPolicy', stepId: s.id, ...next }]);
  }
}
