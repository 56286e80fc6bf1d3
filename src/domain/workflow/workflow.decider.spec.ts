import { specFor } from '../testing/given-when-then';
import { workflowDecider, type WorkflowDecidedEvent } from './workflow.decider';

const workflowId = '7f1c1c5e-5f1a-4c43-9a58-2d0c7f3f9b10';
const metadata = {
  commandId: 'c1',
  correlationId: 'c1',
  causationId: 'c1',
  actor: { kind: 'user' as const, id: 'u1' },
  workspaceId: 'ws1',
  occurredAt: '2026-11-28T10:00:00.000Z',
};

/** given events, when a command, then events (or an error code). */
const given = specFor(workflowDecider, metadata);

const created: WorkflowDecidedEvent = {
  type: 'WorkflowCreated',
  data: { workflowId, workspaceId: 'ws1', name: 'Onboarding', description: '' },
};
const archived: WorkflowDecidedEvent = { type: 'WorkflowArchived', data: { workflowId } };

describe('workflow decider', () => {
  it('creates a workflow in the command workspace, with a trimmed name', () =>
    given()
      .when({ type: 'CreateWorkflow', data: { workflowId, name: '  Onboarding ', description: ' New hires ' } })
      .then([{ type: 'WorkflowCreated', data: { workflowId, workspaceId: 'ws1', name: 'Onboarding', description: 'New hires' } }]));

  it('refuses to create a workflow twice', () =>
    given(created).when({ type: 'CreateWorkflow', data: { workflowId, name: 'Again' } }).thenFails('workflow-exists', 'conflict'));

  it('refuses a blank name and an over-long one', () => {
    given().when({ type: 'CreateWorkflow', data: { workflowId, name: '   ' } }).thenFails('name-required', 'rule_violated');
    given().when({ type: 'CreateWorkflow', data: { workflowId, name: 'x'.repeat(201) } }).thenFails('name-too-long', 'rule_violated');
    given(created).when({ type: 'RenameWorkflow', data: { workflowId, name: '' } }).thenFails('name-required', 'rule_violated');
  });

  it('refuses an over-long description', () =>
    given(created)
      .when({ type: 'ChangeWorkflowDescription', data: { workflowId, description: 'd'.repeat(5001) } })
      .thenFails('description-too-long', 'rule_violated'));

  it('renames, remembering the previous name; the same name changes nothing', () => {
    given(created)
      .when({ type: 'RenameWorkflow', data: { workflowId, name: 'Hiring' } })
      .then([{ type: 'WorkflowRenamed', data: { workflowId, name: 'Hiring', previousName: 'Onboarding' } }]);
    given(created).when({ type: 'RenameWorkflow', data: { workflowId, name: 'Onboarding ' } }).then([]);
  });

  it('updates name and description in one decision, only what changed', () => {
    given(created)
      .when({ type: 'UpdateWorkflow', data: { workflowId, name: 'Hiring', description: 'For new hires' } })
      .then([
        { type: 'WorkflowRenamed', data: { workflowId, name: 'Hiring', previousName: 'Onboarding' } },
        { type: 'WorkflowDescriptionChanged', data: { workflowId, description: 'For new hires' } },
      ]);
    given(created)
      .when({ type: 'UpdateWorkflow', data: { workflowId, name: 'Onboarding', description: 'x' } })
      .then([{ type: 'WorkflowDescriptionChanged', data: { workflowId, description: 'x' } }]);
  });

  it('edits nothing that does not exist', () => {
    given().when({ type: 'RenameWorkflow', data: { workflowId, name: 'X' } }).thenFails('workflow-not-found', 'not_found');
    given().when({ type: 'ArchiveWorkflow', data: { workflowId } }).thenFails('workflow-not-found', 'not_found');
    given().when({ type: 'RestoreWorkflow', data: { workflowId } }).thenFails('workflow-not-found', 'not_found');
    given().when({ type: 'UpdateWorkflow', data: { workflowId, name: 'X' } }).thenFails('workflow-not-found', 'not_found');
  });

  it('archives once and restores once; repeating either changes nothing', () => {
    given(created).when({ type: 'ArchiveWorkflow', data: { workflowId } }).then([archived]);
    given(created, archived).when({ type: 'ArchiveWorkflow', data: { workflowId } }).then([]);
    given(created, archived).when({ type: 'RestoreWorkflow', data: { workflowId } }).then([{ type: 'WorkflowRestored', data: { workflowId } }]);
    given(created).when({ type: 'RestoreWorkflow', data: { workflowId } }).then([]);
  });

  it('refuses edits to an archived workflow until it is restored', () => {
    given(created, archived).when({ type: 'RenameWorkflow', data: { workflowId, name: 'X' } }).thenFails('workflow-archived', 'rule_violated');
    given(created, archived)
      .when({ type: 'ChangeWorkflowDescription', data: { workflowId, description: 'x' } })
      .thenFails('workflow-archived', 'rule_violated');
  });

  describe('sharing and public links', () => {
    const shared: WorkflowDecidedEvent = {
      type: 'WorkflowShared',
      data: { workflowId, shareId: 's1', grantee: { kind: 'user', id: 'u2' }, permission: 'edit' },
    };

    it('shares once per grantee', () => {
      given(created).when({ type: 'ShareWorkflow', data: { workflowId, shareId: 's1', grantee: { kind: 'user', id: 'u2' }, permission: 'edit' } }).then([shared]);
      given(created, shared)
        .when({ type: 'ShareWorkflow', data: { workflowId, shareId: 's2', grantee: { kind: 'user', id: 'u2' }, permission: 'view' } })
        .thenFails('share-exists', 'conflict');
    });

    it('changes and revokes existing shares only', () => {
      given(created, shared)
        .when({ type: 'ChangeShare', data: { workflowId, shareId: 's1', permission: 'admin' } })
        .then([{ type: 'WorkflowShareChanged', data: { workflowId, shareId: 's1', permission: 'admin', previousPermission: 'edit' } }]);
      given(created, shared).when({ type: 'ChangeShare', data: { workflowId, shareId: 's1', permission: 'edit' } }).then([]);
      given(created, shared).when({ type: 'RevokeShare', data: { workflowId, shareId: 's1' } }).then([{ type: 'WorkflowShareRevoked', data: { workflowId, shareId: 's1' } }]);
      given(created, shared, { type: 'WorkflowShareRevoked', data: { workflowId, shareId: 's1' } })
        .when({ type: 'RevokeShare', data: { workflowId, shareId: 's1' } })
        .thenFails('share-not-found', 'not_found');
      given(created).when({ type: 'ChangeShare', data: { workflowId, shareId: 'nope', permission: 'view' } }).thenFails('share-not-found', 'not_found');
    });

    const link = (expiresAt: string) => ({
      type: 'CreatePublicLink' as const,
      data: { workflowId, linkId: 'l1', tokenHash: 'a'.repeat(64), expiresAt, includeExecutions: false },
    });

    it('creates a public link that expires in the future, within a year', () => {
      given(created)
        .when(link('2026-12-05T10:00:00.000Z'))
        .then([{ type: 'PublicLinkCreated', data: { ...link('2026-12-05T10:00:00.000Z').data } }]);
      given(created).when(link('2026-11-28T09:59:59.000Z')).thenFails('link-expiry-in-past', 'rule_violated');
      given(created).when(link('2028-01-01T00:00:00.000Z')).thenFails('link-expiry-too-far', 'rule_violated');
    });

    it('revokes a link once', () => {
      const createdLink: WorkflowDecidedEvent = { type: 'PublicLinkCreated', data: link('2026-12-05T10:00:00.000Z').data };
      given(created, createdLink).when({ type: 'RevokePublicLink', data: { workflowId, linkId: 'l1' } }).then([{ type: 'PublicLinkRevoked', data: { workflowId, linkId: 'l1' } }]);
      given(created, createdLink, { type: 'PublicLinkRevoked', data: { workflowId, linkId: 'l1' } })
        .when({ type: 'RevokePublicLink', data: { workflowId, linkId: 'l1' } })
        .thenFails('public-link-not-found', 'not_found');
    });
  });
});
