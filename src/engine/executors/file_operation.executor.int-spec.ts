import * as fs from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type AppConfig } from '../../config';
import { StepFailure } from '../step-failure';
import { fileOperationExecutor } from './file_operation.executor';
import { TEST_IDS, stepContext } from './testing/step-context';

type Output = { operation: string; path: string; bytes?: number; content?: string; entries?: { name: string; isDirectory: boolean; size: number; modifiedAt: string }[]; [more: string]: unknown };

describe('file_operation executor in a real storage directory', () => {
  let base: string;
  let storage: string;
  let outside: string;
  let workspace: string;
  let config: AppConfig;

  beforeAll(async () => {
    base = await fs.mkdtemp(join(tmpdir(), 'bluebird-files-'));
    storage = join(base, 'storage');
    outside = join(base, 'outside');
    await fs.mkdir(outside, { recursive: true });
    await fs.writeFile(join(outside, 'secret.txt'), 'not yours');
    config = loadConfig({ ...process.env, STORAGE_DIR: storage });
    workspace = join(storage, TEST_IDS.workspaceId);
  });
  afterAll(() => fs.rm(base, { recursive: true, force: true }));
  beforeEach(() => fs.rm(workspace, { recursive: true, force: true }));

  const run = async (stepConfig: Record<string, unknown>, options: { scope?: object; workspaceId?: string } = {}) => {
    const ctx = await stepContext({ type: 'file_operation', config: stepConfig, scope: options.scope, workspaceId: options.workspaceId, services: { config } });
    return ((await fileOperationExecutor.execute(ctx)) as { output: Output }).output;
  };
  const failureOf = async (stepConfig: Record<string, unknown>, options?: Parameters<typeof run>[1]): Promise<StepFailure> => {
    const error = await run(stepConfig, options).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(StepFailure);
    return error as StepFailure;
  };
  const write = (path: string, content: string, more: object = {}) => run({ operation: 'write', path, content, ...more });

  it('writes into <storageDir>/<workspaceId>/, creating folders, and reads it back', async () => {
    const written = await run({ operation: 'write', path: 'reports/{{ input.month }}/summary.txt', content: 'Total: {{ input.total }}' }, { scope: { input: { month: '2025-01', total: 42 } } });
    expect(written).toEqual({ operation: 'write', path: 'reports/2025-01/summary.txt', bytes: 9 });
    expect(await fs.readFile(join(workspace, 'reports/2025-01/summary.txt'), 'utf8')).toBe('Total: 42');
    expect(await run({ operation: 'read', path: './reports//2025-01/summary.txt' })).toEqual({ operation: 'read', path: 'reports/2025-01/summary.txt', bytes: 9, content: 'Total: 42' });
  });

  it('writes and reads base64, and refuses content that is not base64', async () => {
    const bytes = Buffer.from([0, 1, 2, 250, 255]);
    await write('bin/data.bin', bytes.toString('base64'), { encoding: 'base64' });
    expect(await fs.readFile(join(workspace, 'bin/data.bin'))).toEqual(bytes);
    expect(await run({ operation: 'read', path: 'bin/data.bin', encoding: 'base64' })).toMatchObject({ bytes: 5, content: bytes.toString('base64') });
    expect(await failureOf({ operation: 'write', path: 'bin/bad.bin', content: 'not base64!', encoding: 'base64' })).toMatchObject({ kind: 'InvalidConfig' });
  });

  it('refuses to replace a file unless overwrite is set, but a repeated attempt writing the same bytes succeeds', async () => {
    await write('notes.txt', 'first');
    expect(await write('notes.txt', 'first')).toMatchObject({ bytes: 5 });
    expect(await failureOf({ operation: 'write', path: 'notes.txt', content: 'second' })).toMatchObject({ kind: 'FileExists', retryable: false });
    await write('notes.txt', 'second', { overwrite: true });
    expect(await fs.readFile(join(workspace, 'notes.txt'), 'utf8')).toBe('second');
    expect((await fs.readdir(workspace)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('copies files and folders, refusing to replace without overwrite', async () => {
    await write('in/a.txt', 'A');
    await write('in/sub/b.txt', 'B');
    expect(await run({ operation: 'copy', path: 'in/a.txt', targetPath: 'out/a.txt' })).toMatchObject({ operation: 'copy', path: 'in/a.txt', targetPath: 'out/a.txt', bytes: 1 });
    expect(await run({ operation: 'copy', path: 'in/a.txt', targetPath: 'out/a.txt' })).toMatchObject({ bytes: 1 });
    await write('in/a.txt', 'A2', { overwrite: true });
    expect(await failureOf({ operation: 'copy', path: 'in/a.txt', targetPath: 'out/a.txt' })).toMatchObject({ kind: 'FileExists' });
    await run({ operation: 'copy', path: 'in/a.txt', targetPath: 'out/a.txt', overwrite: true });
    expect(await fs.readFile(join(workspace, 'out/a.txt'), 'utf8')).toBe('A2');
    await run({ operation: 'copy', path: 'in', targetPath: 'backup/in' });
    expect(await fs.readFile(join(workspace, 'backup/in/sub/b.txt'), 'utf8')).toBe('B');
    expect(await failureOf({ operation: 'copy', path: 'in', targetPath: 'backup/in' })).toMatchObject({ kind: 'FileExists' });
  });

  it('moves, treating a move already done as done', async () => {
    await write('inbox/order.json', '{"id":1}');
    expect(await run({ operation: 'move', path: 'inbox/order.json', targetPath: 'done/order.json' })).toMatchObject({ operation: 'move', targetPath: 'done/order.json' });
    expect(await fs.readFile(join(workspace, 'done/order.json'), 'utf8')).toBe('{"id":1}');
    expect(await run({ operation: 'move', path: 'inbox/order.json', targetPath: 'done/order.json' })).toMatchObject({ alreadyMoved: true });
    expect(await failureOf({ operation: 'move', path: 'inbox/missing.json', targetPath: 'done/missing.json' })).toMatchObject({ kind: 'FileNotFound', retryable: false });
    await write('inbox/order.json', 'again');
    expect(await failureOf({ operation: 'move', path: 'inbox/order.json', targetPath: 'done/order.json' })).toMatchObject({ kind: 'FileExists' });
    await run({ operation: 'move', path: 'inbox/order.json', targetPath: 'done/order.json', overwrite: true });
    expect(await fs.readFile(join(workspace, 'done/order.json'), 'utf8')).toBe('again');
  });

  it('deletes files and folders; deleting what is gone succeeds; the root cannot be deleted', async () => {
    await write('tmp/a.txt', 'a');
    await write('tmp/deep/b.txt', 'b');
    expect(await run({ operation: 'delete', path: 'tmp/a.txt' })).toEqual({ operation: 'delete', path: 'tmp/a.txt', deleted: true });
    expect(await run({ operation: 'delete', path: 'tmp' })).toMatchObject({ deleted: true });
    expect(await run({ operation: 'delete', path: 'tmp' })).toMatchObject({ deleted: false });
    await expect(fs.stat(join(workspace, 'tmp'))).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await failureOf({ operation: 'delete', path: '.' })).toMatchObject({ kind: 'InvalidConfig' });
  });

  it('lists a folder, sorted, with sizes and modification times', async () => {
    await write('docs/b.txt', 'bbb');
    await write('docs/a.txt', 'a');
    await write('docs/sub/c.txt', 'c');
    const listed = await run({ operation: 'list', path: 'docs' });
    expect(listed.entries).toEqual([
      { name: 'a.txt', isDirectory: false, size: 1, modifiedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/) },
      { name: 'b.txt', isDirectory: false, size: 3, modifiedAt: expect.any(String) },
      { name: 'sub', isDirectory: true, size: 0, modifiedAt: expect.any(String) },
    ]);
    expect((await run({ operation: 'list', path: '.' })).entries?.map((e) => e.name)).toEqual(['docs']);
    expect(await failureOf({ operation: 'list', path: 'nowhere' })).toMatchObject({ kind: 'FileNotFound' });
    expect(await failureOf({ operation: 'list', path: 'docs/a.txt' })).toMatchObject({ kind: 'NotADirectory' });
  });

  it('names missing files and folders read as files', async () => {
    expect(await failureOf({ operation: 'read', path: 'missing.txt' })).toMatchObject({ kind: 'FileNotFound', retryable: false });
    await write('folder/x.txt', 'x');
    expect(await failureOf({ operation: 'read', path: 'folder' })).toMatchObject({ kind: 'NotAFile', retryable: false });
    expect(await failureOf({ operation: 'read', path: 'folder/x.txt/deeper' })).toMatchObject({ kind: 'NotADirectory', retryable: false });
  });

  describe('paths that leave the workspace storage', () => {
    it.each([
      ['a parent segment', { operation: 'read', path: '../outside/secret.txt' }],
      ['a parent segment deeper in', { operation: 'read', path: 'a/../../../outside/secret.txt' }],
      ['just ..', { operation: 'list', path: '..' }],
      ['an absolute path', { operation: 'read', path: '/etc/passwd' }],
      ['a Windows path', { operation: 'read', path: 'C:\\Windows\\win.ini' }],
      ['backslashes', { operation: 'read', path: '..\\..\\outside' }],
      ['a write', { operation: 'write', path: '../escaped.txt', content: 'x' }],
      ['a delete', { operation: 'delete', path: '../outside' }],
      ['a copy target', { operation: 'copy', path: 'x.txt', targetPath: '../../copied.txt' }],
      ['a move target', { operation: 'move', path: 'x.txt', targetPath: '/tmp/moved.txt' }],
      ['another workspace', { operation: 'read', path: `../${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}/x.txt` }],
      ['an expression that renders ..', { operation: 'read', path: '{{ input.file }}' }],
    ])('refuses %s as PathOutsideStorage', async (_name, stepConfig) => {
      await write('x.txt', 'x');
      const failure = await failureOf(stepConfig, { scope: { input: { file: '../../outside/secret.txt' } } });
      expect(failure).toMatchObject({ kind: 'PathOutsideStorage', retryable: false });
      expect(await fs.readdir(base)).toEqual(['outside', 'storage']);
      expect(await fs.readFile(join(outside, 'secret.txt'), 'utf8')).toBe('not yours');
    });

    it('refuses to go through a folder link that points outside', async () => {
      await fs.mkdir(workspace, { recursive: true });
      await fs.symlink(outside, join(workspace, 'escape'));
      for (const stepConfig of [
        { operation: 'read', path: 'escape/secret.txt' },
        { operation: 'list', path: 'escape' },
        { operation: 'write', path: 'escape/planted.txt', content: 'x' },
        { operation: 'write', path: 'escape/new/deeper.txt', content: 'x' },
        { operation: 'delete', path: 'escape/secret.txt' },
        { operation: 'copy', path: 'escape/secret.txt', targetPath: 'stolen.txt' },
      ]) {
        expect(await failureOf(stepConfig)).toMatchObject({ kind: 'PathOutsideStorage' });
      }
      expect((await fs.readdir(outside)).sort()).toEqual(['secret.txt']);
    });

    it('refuses file links pointing outside, and links to nowhere, for reading and writing', async () => {
      await fs.mkdir(workspace, { recursive: true });
      await fs.symlink(join(outside, 'secret.txt'), join(workspace, 'secret-link'));
      await fs.symlink(join(outside, 'not-there-yet'), join(workspace, 'dangling'));
      expect(await failureOf({ operation: 'read', path: 'secret-link' })).toMatchObject({ kind: 'PathOutsideStorage' });
      expect(await failureOf({ operation: 'write', path: 'secret-link', content: 'overwritten', overwrite: true })).toMatchObject({ kind: 'PathOutsideStorage' });
      expect(await failureOf({ operation: 'write', path: 'dangling', content: 'x', overwrite: true })).toMatchObject({ kind: 'PathOutsideStorage' });
      expect(await failureOf({ operation: 'write', path: 'dangling/inside.txt', content: 'x' })).toMatchObject({ kind: 'PathOutsideStorage' });
      await write('x.txt', 'x');
      expect(await failureOf({ operation: 'copy', path: 'x.txt', targetPath: 'dangling', overwrite: true })).toMatchObject({ kind: 'PathOutsideStorage' });
      expect(await fs.readFile(join(outside, 'secret.txt'), 'utf8')).toBe('not yours');
      expect((await fs.readdir(outside)).sort()).toEqual(['secret.txt']);
    });

    it('follows links that stay inside the workspace', async () => {
      await write('real/data.txt', 'inside');
      await fs.symlink(join(workspace, 'real'), join(workspace, 'alias'));
      expect(await run({ operation: 'read', path: 'alias/data.txt' })).toMatchObject({ content: 'inside' });
    });
  });
});
