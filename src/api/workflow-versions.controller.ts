import { Body, Controller, Get, Headers, HttpException, Inject, Param, ParseIntPipe, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import type { WorkflowVersionDto } from '@contracts';
import { formatPosition, workflowStream } from '@contracts';
import { Access } from '../auth/access.decorator';
import { Commands } from '../commands/dispatch';
import type { Infrastructure } from '../infrastructure';
import { INFRASTRUCTURE } from '../runtime/tokens';
import { diffDefinitions } from '../domain/workflow/definition-diff';
import { commandMetadata } from './request-metadata';
import { etagOf, expectedRevisionFrom } from './etag';
import { problem } from './problem';
import { PublishRequest } from './workflow-graph.dto';
import { HistoryParams } from './workflow.dto';

/** Versions (SPEC A4) and the audit trail (A6) of one workflow. */
@ApiTags('workflow versions')
@ApiBearerAuth()
@Controller('api/workflows/:id')
export class WorkflowVersionsController {
  constructor(
    private readonly commands: Commands,
    @Inject(INFRASTRUCTURE) private readonly infra: Infrastructure,
  ) {}

  /** Publishes the draft as the next version; 422 while the validator reports errors. */
  @Post('versions')
  @Access({ workflow: 'edit' })
  async publish(@Param('id') id: string, @Body() body: PublishRequest, @Headers('if-match') ifMatch: string | undefined, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    const result = await this.commands.sendAndProject(
      'workflow',
      { type: 'PublishVersion', data: { workflowId: id, note: body.note ?? '' }, metadata: commandMetadata(req) },
      ['workflow_definition', 'workflow_summary'],
      { expectedRevision: expectedRevisionFrom(ifMatch) },
    );
    res.setHeader('ETag', etagOf(result.revision));
    const published = result.events.find((e) => e.type === 'WorkflowVersionPublished')?.data as { version: number } | undefined;
    return { id, version: published?.version, revision: Number(result.revision), ...(result.position ? { position: formatPosition(result.position) } : {}) };
  }

  @Get('versions')
  @Access({ workflow: 'view' })
  async list(@Param('id') id: string): Promise<WorkflowVersionDto[]> {
    const rows = await this.infra.database.db.selectFrom('workflow_version').selectAll().where('workflow_id', '=', id).orderBy('version', 'desc').execute();
    return rows.map((r) => ({
      version: r.version,
      note: r.note,
      publishedAt: new Date(r.published_at).toISOString(),
      publishedBy: r.published_by,
      ...(r.published_by_name ? { publishedByName: r.published_by_name } : {}),
      ...(r.rolled_back_from !== null ? { rolledBackFrom: r.rolled_back_from } : {}),
      stepCount: r.definition.steps.length,
    }));
  }

  @Get('versions/:a/diff/:b')
  @Access({ workflow: 'view' })
  async diff(@Param('id') id: string, @Param('a', ParseIntPipe) a: number, @Param('b', ParseIntPipe) b: number) {
    const rows = await this.infra.database.db.selectFrom('workflow_version').select(['version', 'definition']).where('workflow_id', '=', id).where('version', 'in', [a, b]).execute();
    const of = (v: number) => rows.find((r) => r.version === v)?.definition;
    const from = of(a);
    const to = of(b);
    if (!from || !to) throw new HttpException(problem(404, 'version-not-found', 'Version not found', `No version ${!from ? a : b}`), 404);
    return { from: a, to: b, ...diffDefinitions(from, to) };
  }

  /** Records WorkflowRolledBack and publishes version `ver`'s graph as a new version. */
  @Post('rollback/:ver')
  @Access({ workflow: 'edit' })
  async rollback(@Param('id') id: string, @Param('ver', ParseIntPipe) version: number, @Headers('if-match') ifMatch: string | undefined, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    const result = await this.commands.sendAndProject(
      'workflow',
      { type: 'RollbackToVersion', data: { workflowId: id, version }, metadata: commandMetadata(req) },
      ['workflow_definition', 'workflow_summary'],
      { expectedRevision: expectedRevisionFrom(ifMatch) },
    );
    res.setHeader('ETag', etagOf(result.revision));
    const published = result.events.find((e) => e.type === 'WorkflowVersionPublished')?.data as { version: number } | undefined;
    return { id, rolledBackTo: version, version: published?.version, revision: Number(result.revision) };
  }

  /** The workflow's own event stream, oldest first, paged by revision: who did what, when. */
  @Get('history')
  @Access({ workflow: 'view' })
  async history(@Param('id') id: string, @Query() params: HistoryParams) {
    const limit = params.limit ?? 50;
    const from = BigInt(params.fromRevision ?? 0);
    const events = await this.infra.store.readStream(workflowStream(id), { from, limit: limit + 1 });
    const page = events.slice(0, limit);
    return {
      items: page.map((e) => ({
        revision: Number(e.revision),
        type: e.type,
        actor: e.metadata.actor,
        occurredAt: e.metadata.occurredAt,
        data: redact(e.data),
      })),
      ...(events.length > limit ? { nextFromRevision: Number(events[limit].revision) } : {}),
    };
  }
}

/** What changed, minus secrets (a public link's token hash). */
function redact(data: unknown): unknown {
  if (!data || typeof data !== 'object') return data;
  const { tokenHash: _hidden, ...rest } = data as Record<string, unknown>;
  return rest;
}
