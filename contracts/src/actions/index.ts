import type { ActionDefinition } from './define-action';
import { createTaskAction } from './create_task.action';
import { updateTaskAction } from './update_task.action';
import { sendEmailAction } from './send_email.action';
import { sendNotificationAction } from './send_notification.action';
import { httpRequestAction } from './http_request.action';
import { webhookOutAction } from './webhook_out.action';
import { aiClassifyAction } from './ai_classify.action';
import { aiAnalyzeAction } from './ai_analyze.action';
import { fileOperationAction } from './file_operation.action';
import { approvalAction } from './approval.action';
import { conditionAction } from './condition.action';
import { loopAction } from './loop.action';
import { transformAction } from './transform.action';
import { delayAction } from './delay.action';
import { subWorkflowAction } from './sub_workflow.action';

export * from './define-action';
export * from './expressions';
export { PATTERNS, PATTERN_MESSAGES } from './schema-parts';

/** Every action type, in palette order. Adding an action type is one line here (and its import). */
export const ACTION_CATALOGUE = [
  createTaskAction,
  updateTaskAction,
  sendEmailAction,
  sendNotificationAction,
  httpRequestAction,
  webhookOutAction,
  aiClassifyAction,
  aiAnalyzeAction,
  fileOperationAction,
  approvalAction,
  conditionAction,
  loopAction,
  transformAction,
  delayAction,
  subWorkflowAction,
] as const;

export type ActionType = (typeof ACTION_CATALOGUE)[number]['type'];
export type AnyActionDefinition = ActionDefinition<ActionType>;

export const ACTION_TYPES: readonly ActionType[] = Object.freeze(ACTION_CATALOGUE.map((action) => action.type));

const BY_NAME = new Map<string, AnyActionDefinition>();
for (const action of ACTION_CATALOGUE) {
  for (const name of [action.type, ...action.aliases]) {
    const key = name.toLowerCase();
    const taken = BY_NAME.get(key);
    if (taken && taken !== action) throw new Error(`Action name "${name}" is used by ${taken.type} and ${action.type}`);
    BY_NAME.set(key, action);
  }
}

/** The action of a type or alias, in any letter case (`SEND_EMAIL` and `send_email` alike); undefined when unknown. */
export function findAction(typeOrAlias: string): AnyActionDefinition | undefined {
  return BY_NAME.get(typeOrAlias.trim().toLowerCase());
}

export function isActionType(name: string): name is ActionType {
  return (ACTION_TYPES as readonly string[]).includes(name);
}
