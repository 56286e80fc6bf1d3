import type { WorkflowStatus } from '../workflow/events';
import type { ValidationIssue, WorkflowDefinition } from '../workflow/definition';

/** One row of `GET /api/workflows` and the body of `GET /api/workflows/:id`. */
export interface WorkflowSummaryDto {
  id: string;
  workspaceId: string;
  name: string;
  description: string;
  status: WorkflowStatus;
  /** Revision of the workflow stream this row reflects; the ETag of reads. */
  revision: number;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  updatedBy: string;
  stepCount: number;
  /** Latest published version; 0 = never published. */
  version: number;
  tags: string[];
}

/** `GET /api/workflows/:id`: the summary plus the draft graph and what the validator says of it. */
export interface WorkflowDetailDto extends WorkflowSummaryDto {
  definition: WorkflowDefinition;
  validation: ValidationIssue[];
}

export interface WorkflowVersionDto {
  version: number;
  note: string;
  publishedAt: string;
  publishedBy: string;
  publishedByName?: string;
  rolledBackFrom?: number;
  stepCount: number;
}

export interface Page<T> {
  items: T[];
  /** Opaque; pass as `cursor` to get the next page. Absent on the last page. */
  nextCursor?: string;
}

/** Body of every accepted command. */
export interface CommandAcceptedDto {
  id: string;
  /** Stream revision after the command; also sent as the ETag. */
  revision: number;
  /** Log position of the last event appended (absent when the command changed nothing). */
  position?: string;
}
