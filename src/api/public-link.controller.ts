import { Controller, Get, HttpException, Inject, Param } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Infrastructure } from '../infrastructure';
import { INFRASTRUCTURE } from '../runtime/tokens';
import { Public } from '../auth/public.decorator';
import { toWorkflowSummaryDto } from '../queries/workflow.queries';
import { hashToken } from './sharing.controller';
import { problem } from './problem';

/**
 * A public link, read-only, for anyone holding the token. Unknown, expired and revoked tokens, and
 * links to an archived workflow, all answer the same 404, so a probe learns nothing.
 */
@ApiTags('public links')
@Controller('api/public')
export class PublicLinkController {
  constructor(@Inject(INFRASTRUCTURE) private readonly infra: Infrastructure) {}

  @Get(':token')
  @Public()
  async view(@Param('token') token: string) {
    const notFound = new HttpException(problem(404, 'not-found', 'Not found', 'This link does not exist or has expired'), 404);
    if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) throw notFound;
    const db = this.infra.database.db;
    const link = await db.selectFrom('public_link').selectAll().where('token_hash', '=', hashToken(token)).executeTakeFirst();
    if (!link || link.revoked || new Date(link.expires_at).getTime() <= Date.now()) throw notFound;
    const workflow = await db.selectFrom('workflow_summary').selectAll().where('workflow_id', '=', link.workflow_id).executeTakeFirst();
    if (!workflow || workflow.status === 'archived') throw notFound; // archiving hides it from link holders too
    const { id, name, description, status, createdAt, updatedAt } = toWorkflowSummaryDto(workflow);
    return {
      workflow: { id, name, description, status, createdAt, updatedAt },
      expiresAt: new Date(link.expires_at).toISOString(),
      // Executions arrive with the engine; the link already says whether it shows them.
      ...(link.include_executions ? { executions: [] as unknown[] } : {}),
    };
  }
}
