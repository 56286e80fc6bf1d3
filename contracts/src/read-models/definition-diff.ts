import type { EdgeDefinition, StepDefinition, TriggerDefinition, VariableDefinition } from '../workflow/definition';

/**
 * What `GET /api/workflows/:id/versions/:a/diff/:b` answers: the field-by-field difference between
 * two definitions (computed in src/domain/workflow/definition-diff.ts, painted by the designer).
 */
export interface FieldChange {
  /** A top-level field (`name`, `position`, ...) or a config key (`config.to`). */
  field: string;
  before: unknown;
  after: unknown;
}

export interface EntityChange {
  /** The entity's id (for variables: its name). */
  id: string;
  fields: FieldChange[];
}

export interface EntityDiff<T> {
  added: T[];
  removed: T[];
  changed: EntityChange[];
  /** b's ids in b's order; present only when that is not the natural order (see above). */
  order?: string[];
}

export interface TagsDiff {
  added: string[];
  removed: string[];
  /** b's tags as they are; present only when they are not a's minus removed plus added. */
  order?: string[];
}

export interface DefinitionDiff {
  steps: EntityDiff<StepDefinition>;
  edges: EntityDiff<EdgeDefinition>;
  variables: EntityDiff<VariableDefinition>;
  triggers: EntityDiff<TriggerDefinition>;
  tags: TagsDiff;
}
