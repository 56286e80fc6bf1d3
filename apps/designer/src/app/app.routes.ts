import type { Routes } from '@angular/router';

import { WorkflowListComponent } from './workflows/workflow-list.component';

/** The designer, executions and approvals are lazy chunks: @foblex/flow stays out of the first load. */
export const routes: Routes = [
  { path: '', pathMatch: 'full', redirectTo: 'workflows' },
  { path: 'workflows', component: WorkflowListComponent, title: 'Workflows · BlueBirdHub' },
  {
    path: 'workflows/:id',
    loadComponent: () => import('./designer/designer-page.component').then((m) => m.DesignerPageComponent),
    title: 'Designer · BlueBirdHub',
  },
  {
    path: 'executions',
    loadComponent: () => import('./executions/execution-list.component').then((m) => m.ExecutionListComponent),
    title: 'Executions · BlueBirdHub',
  },
  {
    path: 'executions/:id',
    loadComponent: () => import('./executions/execution-view.component').then((m) => m.ExecutionViewComponent),
    title: 'Execution · BlueBirdHub',
  },
  {
    path: 'approvals',
    loadComponent: () => import('./executions/approval-inbox.component').then((m) => m.ApprovalInboxComponent),
    title: 'Approvals · BlueBirdHub',
  },
  { path: '**', redirectTo: 'workflows' },
];
