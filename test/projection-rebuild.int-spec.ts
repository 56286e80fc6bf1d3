import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { workflowSummaryProjector } from '../projections/workflow-summary/workflow-summary.projector';
import { ProjectionRunner, type RebuildProgress } from '../projections/runner';
import { allProjectors } from '../projections';
import { as, startTestApp, type TestApp } from './support/test-app';
import { TEST_DATABASE_URL } from './support/test-database';

/** G1 for the first read model: drop and rebuild `workflow_summary`; it equals the live table. */
describe('rebuilding workflow_summary', () => {
  let t: TestApp;
  let lastPosition = '';

  const snapshot = () => t.infra.database.db.selectFrom('workflow_summary').selectAll().orderBy('workflow_id').execute();

  beforeAll(async () => {
    t = await startTestApp();
    const http = as(t.app.getHttpServer(), await t.login());
    for (let i = 0; i < 30; i++) {
      const created = await http.post('/api/workflows').send({ name: `Workflow ${i}`, description: `number ${i}` }).expect(201);
      lastPosition = created.body.position;
      if (i % 2 === 0) lastPosition = (await http.put(`/api/workflows/${created.body.id}`).send({ name: `Renamed ${i}` }).expect(200)).body.position;
      if (i % 3 === 0) lastPosition = (await http.delete(`/api/workflows/${created.body.id}`).expect(200)).body.position;
      if (i % 6 === 0) lastPosition = (await http.post(`/api/workflows/${created.body.id}/restore`).expect(200)).body.position;
    }
    await http.get('/api/workflows').query({ minPosition: lastPosition }).expect(200);
  });
  afterAll(async () => t?.close());

  it('gives back, row for row, the table the live projection built', async () => {
    const live = await snapshot();
    expect(live).toHaveLength(30);
    expect(live.filter((r) => r.status === 'archived')).toHaveLength(5); // 0..27 step 3 = 10 archived, 5 restored

    const runner = new ProjectionRunner(t.infra.database.db, t.infra.store, t.infra.broker, allProjectors);
    const progress: RebuildProgress[] = [];
    const applied = await runner.rebuild(workflowSummaryProjector, (p) => progress.push(p));

    expect(applied).toBe(30 + 15 + 10 + 5);
    expect(progress[progress.length - 1]).toMatchObject({ projection: 'workflow_summary', applied });
    expect(await snapshot()).toEqual(live);
  });

  (TEST_DATABASE_URL ? it : it.skip)('does the same from the command line, with progress', async () => {
    const live = await snapshot();
    const cli = spawnSync(process.execPath, [join(__dirname, '../dist/src/cli/rebuild-projection.js'), 'workflow_summary'], {
      env: { ...process.env, DATABASE_URL: TEST_DATABASE_URL, DATABASE_SCHEMA: t.config.databaseSchema, AMQP_URL: '' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(cli.stderr).toBe('');
    expect(cli.status).toBe(0);
    expect(cli.stdout).toContain('workflow_summary: rebuilt from 60 events');
    expect(await snapshot()).toEqual(live);

    const unknown = spawnSync(process.execPath, [join(__dirname, '../dist/src/cli/rebuild-projection.js'), 'no_such_model'], { encoding: 'utf8' });
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('read models: workflow_summary');
  });
});

/** The same for the draft and version read models, after graph edits, publishes and a rollback. */
describe('rebuilding workflow_definition and workflow_summary after graph edits', () => {
  let t: TestApp;

  const snapshot = async () => ({
    drafts: await t.infra.database.db.selectFrom('workflow_definition').selectAll().orderBy('workflow_id').execute(),
    versions: await t.infra.database.db.selectFrom('workflow_version').selectAll().orderBy('workflow_id').orderBy('version').execute(),
    summaries: await t.infra.database.db.selectFrom('workflow_summary').selectAll().orderBy('workflow_id').execute(),
  });

  beforeAll(async () => {
    t = await startTestApp();
    const http = as(t.app.getHttpServer(), await t.login());
    for (let i = 0; i < 5; i++) {
      const { id } = (await http.post('/api/workflows').send({ name: `Graph ${i}` }).expect(201)).body;
      await http.post(`/api/workflows/${id}/steps`).send({ id: 'a', name: 'A', type: 'create_task', config: { title: `a${i}` } }).expect(201);
      await http.post(`/api/workflows/${id}/versions`).send({ note: 'one' }).expect(201);
      await http.post(`/api/workflows/${id}/steps`).send({ id: 'b', name: 'B', type: 'create_task', config: { title: 'b' } }).expect(201);
      await http.post(`/api/workflows/${id}/edges`).send({ id: 'e', from: 'a', to: 'b' }).expect(201);
      await http.put(`/api/workflows/${id}/tags`).send({ tags: ['Finance', `t${i}`] }).expect(200);
      await http.post(`/api/workflows/${id}/versions`).send({ note: 'two' }).expect(201);
      if (i % 2 === 0) await http.post(`/api/workflows/${id}/rollback/1`).expect(201);
      const last = await http.put(`/api/workflows/${id}/steps/a/position`).send({ x: i, y: i }).expect(200);
      await http.get(`/api/workflows/${id}`).query({ minPosition: last.body.position }).expect(200);
    }
  });
  afterAll(async () => t?.close());

  it('gives back the live tables row for row', async () => {
    const live = await snapshot();
    expect(live.drafts).toHaveLength(5);
    expect(live.versions).toHaveLength(5 * 2 + 3);
    const runner = new ProjectionRunner(t.infra.database.db, t.infra.store, t.infra.broker, allProjectors);
    for (const name of ['workflow_definition', 'workflow_summary']) await runner.rebuild(allProjectors.find((p) => p.name === name)!);
    expect(await snapshot()).toEqual(live);
  });
});
