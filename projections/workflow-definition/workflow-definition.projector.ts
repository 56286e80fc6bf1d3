import { sql, type Transaction } from 'kysely';
import type { RecordedEvent, WorkflowDefinition, WorkflowEvent } from '@contracts';
import { StreamCategory, emptyDefinition } from '@contracts';
import type { Database } from '../../src/adapters/database/tables';
import { evolveGraph, isGraphEvent } from '../../src/domain/workflow/workflow-graph';
import type { Projector } from '../projector';

/**
 * `workflow_definition` (the draft graph) and `workflow_version` (published versions). The draft
 * is folded with the same `evolveGraph` the decider uses, so both always agree.
 */
export const workflowDefinitionProjector: Projector = {
  name: 'workflow_definition',
  categories: [StreamCategory.workflow],
  tables: ['workflow_definition', 'workflow_version'],

  async apply(trx: Transaction<Database>, events: readonly RecordedEvent[]): Promise<void> {
    const drafts = new Map<string, WorkflowDefinition>();
    const load = async (workflowId: string): Promise<WorkflowDefinition | undefined> => {
      if (drafts.has(workflowId)) return drafts.get(workflowId);
      const row = await trx.selectFrom('workflow_definition').select('definition').where('workflow_id', '=', workflowId).executeTakeFirst();
      if (row) drafts.set(workflowId, row.definition);
      return row?.definition;
    };
    const save = async (workflowId: string, definition: WorkflowDefinition, event: RecordedEvent) => {
      drafts.set(workflowId, definition);
      const values = { definition: JSON.stringify(definition), revision: event.revision.toString(), updated_at: event.metadata.occurredAt };
      await trx
        .insertInto('workflow_definition')
        .values({ workflow_id: workflowId, ...values, definition: sql<string>`${values.definition}::jsonb` })
        .onConflict((oc) => oc.column('workflow_id').doUpdateSet({ ...values, definition: sql<string>`${values.definition}::jsonb` }))
        .execute();
    };

    for (const recorded of events) {
      const event = recorded as RecordedEvent & WorkflowEvent;
      const workflowId = (event.data as { workflowId: string }).workflowId;
      if (event.type === 'WorkflowCreated') {
        if (!(await load(workflowId))) await save(workflowId, emptyDefinition(), recorded);
      } else if (isGraphEvent(event)) {
        const draft = (await load(workflowId)) ?? emptyDefinition();
        await save(workflowId, evolveGraph(draft, event), recorded);
      } else if (event.type === 'WorkflowRolledBack') {
        const version = await trx
          .selectFrom('workflow_version')
          .select('definition')
          .where('workflow_id', '=', workflowId)
          .where('version', '=', event.data.toVersion)
          .executeTakeFirst();
        if (version) await save(workflowId, version.definition, recorded);
      } else if (event.type === 'WorkflowVersionPublished') {
        await trx
          .insertInto('workflow_version')
          .values({
            workflow_id: workflowId,
            version: event.data.version,
            note: event.data.note,
            definition: sql<string>`${JSON.stringify(event.data.definition)}::jsonb`,
            rolled_back_from: event.data.rolledBackFrom ?? null,
            published_at: event.metadata.occurredAt,
            published_by: event.metadata.actor.id,
            published_by_name: event.metadata.actor.name ?? null,
          })
          .onConflict((oc) => oc.columns(['workflow_id', 'version']).doNothing())
          .execute();
      }
    }
  },
};
