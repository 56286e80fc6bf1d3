import type { ExecutorRegistry } from '../executor';
import { createTaskExecutor } from './create_task.executor';
import { updateTaskExecutor } from './update_task.executor';
import { sendEmailExecutor } from './send_email.executor';
import { sendNotificationExecutor } from './send_notification.executor';
import { httpRequestExecutor } from './http_request.executor';
import { webhookOutExecutor } from './webhook_out.executor';
import { fileOperationExecutor } from './file_operation.executor';
import { aiClassifyExecutor } from './ai_classify.executor';
import { aiAnalyzeExecutor } from './ai_analyze.executor';
import { approvalExecutor } from './approval.executor';
import { conditionExecutor } from './condition.executor';
import { loopExecutor } from './loop.executor';
import { transformExecutor } from './transform.executor';
import { delayExecutor } from './delay.executor';
import { subWorkflowExecutor } from './sub_workflow.executor';

/** Every action type's executor; the type makes a missing one a compile error. */
export const executorRegistry: ExecutorRegistry = {
  create_task: createTaskExecutor,
  update_task: updateTaskExecutor,
  send_email: sendEmailExecutor,
  send_notification: sendNotificationExecutor,
  http_request: httpRequestExecutor,
  webhook_out: webhookOutExecutor,
  file_operation: fileOperationExecutor,
  ai_classify: aiClassifyExecutor,
  ai_analyze: aiAnalyzeExecutor,
  approval: approvalExecutor,
  condition: conditionExecutor,
  loop: loopExecutor,
  transform: transformExecutor,
  delay: delayExecutor,
  sub_workflow: subWorkflowExecutor,
};
