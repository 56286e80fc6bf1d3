import type { WorkflowStatus } from '../workflow/events';

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
