import { randomUUID } from 'node:crypto';
import { constants } from 'node:fs';
import * as fs from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { StepContext, StepExecutor } from '../executor';
import { StepFailure } from '../step-failure';

/**
 * Files inside the workspace's storage folder (`<STORAGE_DIR>/<workspaceId>/`). Every path is
 * checked twice: by its text (no absolute paths, no `..`) and by where it really lands (realpath of
 * the path or of its nearest existing parent), so a symlink cannot lead out either.
 *
 * Steps run at least once (SPEC B9), so each operation is safe to repeat after a crash: writing or
 * copying the same bytes again succeeds, a move already done succeeds, deleting what is gone succeeds.
 */

type Operation = 'read' | 'write' | 'copy' | 'move' | 'delete' | 'list';
const OPERATIONS: readonly Operation[] = ['read', 'write', 'copy', 'move', 'delete', 'list'];
/** Read content goes into the step's output (and the execution log): bigger files fail rather than bloat it. */
export const MAX_READ_BYTES = 10 * 1024 * 1024;
export const MAX_LIST_ENTRIES = 10_000;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

interface Target {
  /** As the step wrote it, normalised (`reports/q1.csv`): what the output reports. */
  relativePath: string;
  /** Where it really is: inside the workspace folder, symlinks in existing parents resolved. */
  absolute: string;
}

export const fileOperationExecutor: StepExecutor<'file_operation'> = {
  type: 'file_operation',
  async execute(ctx) {
    const operation = ctx.config.operation as Operation;
    if (!OPERATIONS.includes(operation)) throw invalid(`Unknown operation "${String(operation)}" (${OPERATIONS.join(', ')})`);
    const encoding = ctx.config.encoding === 'base64' ? 'base64' : 'utf8';
    const overwrite = ctx.config.overwrite === true;
    try {
      const root = await workspaceRoot(ctx);
      const target = await resolveInside(root, ctx.config.path, 'path');
      switch (operation) {
        case 'read':
          return { output: await readFile(target, encoding) };
        case 'write':
          return { output: await writeFile(target, contentBytes(ctx.config.content, encoding), overwrite) };
        case 'copy':
        case 'move': {
          const destination = await resolveInside(root, ctx.config.targetPath, 'targetPath');
          if (target.absolute === root || destination.absolute === root) throw invalid(`Cannot ${operation} the storage root itself`);
          const done = operation === 'copy' ? await copy(target, destination, overwrite) : await move(target, destination, overwrite);
          return { output: { operation, path: target.relativePath, targetPath: destination.relativePath, ...done } };
        }
        case 'delete':
          if (target.absolute === root) throw invalid('Cannot delete the storage root itself');
          return { output: await remove(target) };
        case 'list':
          return { output: await list(target) };
      }
    } catch (error) {
      throw asFailure(error, operation, typeof ctx.config.path === 'string' ? ctx.config.path : '');
    }
  },
};

async function workspaceRoot(ctx: StepContext): Promise<string> {
  // The workspace id names a folder: it must be one plain segment (it is a uuid in practice).
  if (!/^[A-Za-z0-9_-]+$/.test(ctx.workspaceId)) throw new StepFailure('PathOutsideStorage', 'The workspace id is not a folder name', { retryable: false });
  const root = join(resolve(ctx.services.config.storageDir), ctx.workspaceId);
  await fs.mkdir(root, { recursive: true });
  return fs.realpath(root);
}

/** Refuses what leaves the root by its text, then by where it really lands. */
export async function resolveInside(root: string, raw: unknown, field: string): Promise<Target> {
  if (typeof raw !== 'string' || raw.trim() === '') throw invalid(`${field} is required`);
  const text = raw.trim();
  const segments = text.split('/').filter((s) => s !== '' && s !== '.');
  if (text.startsWith('/') || isAbsolute(text) || /^[A-Za-z]:/.test(text) || text.includes('\\') || text.includes('\0') || segments.includes('..')) {
    throw outside(field, text);
  }
  const lexical = join(root, ...segments);
  // The nearest part of the path that exists decides where the rest will be created.
  let existing = lexical;
  const missing: string[] = [];
  for (;;) {
    try {
      existing = await fs.realpath(existing);
      break;
    } catch (error) {
      if (codeOf(error) !== 'ENOENT' || existing === root) throw error;
      // A link to nowhere: where it would lead cannot be checked until something is created there.
      if (await fs.lstat(existing).then((stats) => stats.isSymbolicLink(), () => false)) throw outside(field, text);
      missing.unshift(existing.slice(existing.lastIndexOf(sep) + 1));
      existing = existing.slice(0, existing.lastIndexOf(sep));
    }
  }
  if (!isWithin(root, existing)) throw outside(field, text);
  return { relativePath: segments.join('/') || '.', absolute: join(existing, ...missing) };
}

function isWithin(root: string, candidate: string): boolean {
  const rel = relative(root, candidate);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

async function readFile(target: Target, encoding: BufferEncoding) {
  const stats = await fs.stat(target.absolute);
  if (!stats.isFile()) throw new StepFailure('NotAFile', `${target.relativePath} is not a file`, { retryable: false });
  if (stats.size > MAX_READ_BYTES) throw new StepFailure('FileTooLarge', `${target.relativePath} has ${stats.size} bytes; read takes at most ${MAX_READ_BYTES}`, { retryable: false });
  const bytes = await fs.readFile(target.absolute);
  return { operation: 'read', path: target.relativePath, bytes: bytes.length, content: bytes.toString(encoding) };
}

function contentBytes(content: unknown, encoding: BufferEncoding): Buffer {
  if (content === undefined || content === null) throw invalid('write needs content');
  // A whole-expression template may yield an object: it is written as JSON.
  const text = typeof content === 'string' ? content : JSON.stringify(content);
  if (encoding === 'base64') {
    const compact = text.replace(/\s+/g, '');
    if (!BASE64.test(compact)) throw invalid('content is not valid base64');
    return Buffer.from(compact, 'base64');
  }
  return Buffer.from(text, 'utf8');
}

/**
 * Written to a temporary file first and put in place in one step (rename, or link when it must not
 * replace anything), so readers and a crash never see half a file.
 */
async function writeFile(target: Target, bytes: Buffer, overwrite: boolean) {
  await fs.mkdir(join(target.absolute, '..'), { recursive: true });
  await rejectSymlink(target.absolute);
  const temporary = `${target.absolute}.${randomUUID()}.tmp`;
  // O_NOFOLLOW|O_EXCL: a symlink planted at the temporary name is not followed out of the root.
  const handle = await fs.open(temporary, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644);
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    if (overwrite) await fs.rename(temporary, target.absolute);
    else await placeNew(temporary, target.absolute, bytes);
  } finally {
    await fs.rm(temporary, { force: true });
  }
  return { operation: 'write', path: target.relativePath, bytes: bytes.length };
}

/** Puts `from` at `to` unless something is there; the same bytes already there count as done (a repeated attempt). */
async function placeNew(from: string, to: string, bytes: Buffer): Promise<void> {
  try {
    await fs.link(from, to);
  } catch (error) {
    if (codeOf(error) === 'EEXIST' && (await sameBytes(to, bytes))) return;
    throw error;
  }
}

async function copy(source: Target, destination: Target, overwrite: boolean) {
  const stats = await fs.stat(source.absolute);
  await fs.mkdir(join(destination.absolute, '..'), { recursive: true });
  await rejectSymlink(destination.absolute);
  if (stats.isFile()) {
    const bytes = await fs.readFile(source.absolute);
    if (!overwrite && (await exists(destination.absolute)) && (await sameBytes(destination.absolute, bytes))) return { bytes: bytes.length };
    await fs.copyFile(source.absolute, destination.absolute, overwrite ? 0 : constants.COPYFILE_EXCL);
    return { bytes: bytes.length };
  }
  // Links inside a copied folder are copied as links, never followed: reading through one is checked like any path.
  await fs.cp(source.absolute, destination.absolute, { recursive: true, force: overwrite, errorOnExist: !overwrite, verbatimSymlinks: true });
  return {};
}

async function move(source: Target, destination: Target, overwrite: boolean) {
  if (!(await exists(source.absolute))) {
    // The source gone and the target there: an earlier attempt of this step already moved it.
    if (await exists(destination.absolute)) return { alreadyMoved: true };
    throw Object.assign(new Error('source missing'), { code: 'ENOENT' });
  }
  await fs.mkdir(join(destination.absolute, '..'), { recursive: true });
  if (!overwrite && (await exists(destination.absolute))) throw Object.assign(new Error('target exists'), { code: 'EEXIST' });
  await fs.rename(source.absolute, destination.absolute);
  return {};
}

async function remove(target: Target) {
  const existed = await exists(target.absolute);
  await fs.rm(target.absolute, { recursive: true, force: true });
  return { operation: 'delete', path: target.relativePath, deleted: existed };
}

async function list(target: Target) {
  const dirents = await fs.readdir(target.absolute, { withFileTypes: true });
  if (dirents.length > MAX_LIST_ENTRIES) throw new StepFailure('TooManyEntries', `${target.relativePath} holds more than ${MAX_LIST_ENTRIES} entries`, { retryable: false });
  const entries = [];
  for (const dirent of dirents.sort((a, b) => a.name.localeCompare(b.name))) {
    // lstat: a link is listed as itself, so a listing reveals nothing about where a link points.
    const stats = await fs.lstat(join(target.absolute, dirent.name));
    entries.push({ name: dirent.name, isDirectory: stats.isDirectory(), size: stats.isDirectory() ? 0 : stats.size, modifiedAt: stats.mtime.toISOString() });
  }
  return { operation: 'list', path: target.relativePath, entries };
}

async function rejectSymlink(path: string): Promise<void> {
  const stats = await fs.lstat(path).catch(() => undefined);
  if (stats?.isSymbolicLink()) throw Object.assign(new Error('symbolic link'), { code: 'ELOOP' });
}

async function sameBytes(path: string, bytes: Buffer): Promise<boolean> {
  const stats = await fs.lstat(path).catch(() => undefined);
  if (!stats?.isFile() || stats.size !== bytes.length) return false;
  return (await fs.readFile(path)).equals(bytes);
}

const exists = (path: string) => fs.lstat(path).then(() => true, () => false);

function asFailure(error: unknown, operation: Operation, path: string): StepFailure {
  if (error instanceof StepFailure) return error;
  const code = codeOf(error);
  const where = `${operation} ${path}`;
  switch (code) {
    case 'ENOENT':
      return new StepFailure('FileNotFound', `${where}: no such file or folder`, { retryable: false });
    case 'EEXIST':
    case 'ERR_FS_CP_EEXIST':
      return new StepFailure('FileExists', `${where}: the target exists (set overwrite to replace it)`, { retryable: false });
    case 'ENOTDIR':
      return new StepFailure('NotADirectory', `${where}: a part of the path is a file, not a folder`, { retryable: false });
    case 'EISDIR':
    case 'ERR_FS_EISDIR':
      return new StepFailure('NotAFile', `${where}: is a folder`, { retryable: false });
    case 'ELOOP':
      return new StepFailure('PathOutsideStorage', `${where}: will not write through a symbolic link`, { retryable: false });
    case 'EACCES':
    case 'EPERM':
      return new StepFailure('PermissionDenied', `${where}: permission denied`, { retryable: false });
    default:
      return new StepFailure('FileError', `${where}: ${(error as { message?: string })?.message ?? String(error)}`, { retryable: true });
  }
}

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

const invalid = (message: string) => new StepFailure('InvalidConfig', message, { retryable: false });
const outside = (field: string, path: string) =>
  new StepFailure('PathOutsideStorage', `${field} "${path.length > 80 ? `${path.slice(0, 77)}...` : path}" leads outside the workspace storage`, { retryable: false });
