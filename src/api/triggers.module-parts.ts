import type { Provider } from '@nestjs/common';
import type { Infrastructure } from '../infrastructure';
import { ExecutionStarter } from '../commands/start-execution';
import { SecretBox } from '../adapters/crypto/secret-box';
import { WebhookEndpoints } from '../triggers/webhook-endpoints';
import { WebhookIngress } from '../triggers/webhook-ingress';

export { TriggersController, HooksController, EventsController } from './triggers.controller';

/** What the trigger routes need in the API role (kept here so app.module.ts grows by two lines). */
export function triggerApiProviders(infra: Infrastructure): Provider[] {
  return [
    {
      provide: WebhookEndpoints,
      useFactory: () => new WebhookEndpoints(infra.database.db, infra.config.webhookSecretsKey ? new SecretBox(infra.config.webhookSecretsKey) : undefined),
    },
    {
      provide: WebhookIngress,
      useFactory: (endpoints: WebhookEndpoints, starter: ExecutionStarter) => new WebhookIngress(infra.database.db, endpoints, starter, infra.readModels),
      inject: [WebhookEndpoints, ExecutionStarter],
    },
  ];
}
