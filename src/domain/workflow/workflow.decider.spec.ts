import type { WorkflowCommand } from '@contracts';
import { DomainError } from '../decider';
import { decideWorkflow, evolveWorkflow, initialWorkflowState, type WorkflowDecidedEvent } from './workflow.decider';

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
function given(...events: WorkflowDecidedEvent[]) {
  const state = events.reduce(evolveWorkflow, initialWorkflowState());
  return {
    when: (command: Omit<WorkflowCommand, 'metadata'>) => {
      const run = () => decideWorkflow({ ...command, metadata } as WorkflowCommand, state);
      return {
        then: (expected: WorkflowDecidedEvent[]) => expect(run()).toEqual(expected),
        thenFails: (code: string, kind: DomainError['kind']) => {
          try {
            run();
          } catch (error) {
            expect(error).toBeInstanceOf(DomainError);
            expect(error).toMatchObject({ code, kind });
            return;
          }
          throw new Error(`expected ${code}, but the command was accepted`);
        },
      };
    },
  };
}

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
});
