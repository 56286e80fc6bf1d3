#!/usr/bin/env node
'use strict';
/**
 * Builds what `npm start` / `npm test` need when it is missing or older than its sources.
 *
 *   node scripts/build-if-stale.js             backend and designer
 *   node scripts/build-if-stale.js --api       backend only   (dist/src/main.js)
 *   node scripts/build-if-stale.js --designer  designer only  (dist/designer/browser/index.html)
 *
 * A part is stale when its output file is missing or any of its sources (files, and the directories holding
 * them, so deletions and renames count too) has a newer mtime. After a successful build the output's mtime is
 * set to the moment the build started, so an edit made while the build ran still counts as newer next time.
 * After a failed build the output's mtime is set to the epoch, so a half-written output (tsc emits even on
 * type errors) is never mistaken for an up-to-date one. Plain Node, no dependencies.
 */
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const ROOT = path.resolve(__dirname, '..');
const SKIP_DIRS = new Set(['node_modules', 'dist', '.git', '.angular']);
const IS_WINDOWS = process.platform === 'win32';

const PARTS = {
  api: {
    label: 'api',
    output: 'dist/src/main.js',
    sources: ['src', 'contracts/src', 'projections', 'bench', 'tsconfig.json', 'tsconfig.build.json', 'package.json'],
    command: ['npm', ['run', 'build:api']],
    env: {},
  },
  designer: {
    label: 'designer',
    output: 'dist/designer/browser/index.html',
    sources: ['apps/designer', 'contracts/src', 'angular.json', 'package.json'],
    command: ['npx', ['ng', 'build', 'designer']],
    // Never let the Angular CLI ask about analytics: CI has no stdin.
    env: { NG_CLI_ANALYTICS: 'false' },
  },
};

function usage(message) {
  if (message) console.error(`build-if-stale: ${message}`);
  console.error('usage: node scripts/build-if-stale.js [--api] [--designer]');
  process.exit(2);
}

function parseArgs(argv) {
  const wanted = new Set();
  for (const arg of argv) {
    if (arg === '--api') wanted.add('api');
    else if (arg === '--designer') wanted.add('designer');
    else if (arg === '-h' || arg === '--help') usage();
    else usage(`unknown argument ${arg}`);
  }
  // No flags: both parts, backend first.
  return wanted.size === 0 ? ['api', 'designer'] : ['api', 'designer'].filter((p) => wanted.has(p));
}

function mtimeOf(absPath) {
  try {
    return fs.statSync(absPath).mtimeMs;
  } catch {
    return undefined;
  }
}

/** Returns the first path under `absPath` (itself included) whose mtime is after `since`, or undefined. */
function findNewer(absPath, since) {
  let stat;
  try {
    stat = fs.statSync(absPath);
  } catch {
    return undefined; // a source that does not exist (yet) cannot be newer
  }
  if (stat.mtimeMs > since) return absPath;
  if (!stat.isDirectory()) return undefined;

  let entries;
  try {
    entries = fs.readdirSync(absPath, { withFileTypes: true });
  } catch {
    return undefined;
  }
  for (const entry of entries) {
    const child = path.join(absPath, entry.name);
    if (entry.isDirectory()) {
      if (SKIP_DIRS.has(entry.name)) continue;
      const hit = findNewer(child, since);
      if (hit) return hit;
    } else if (entry.isFile() || entry.isSymbolicLink()) {
      // Symlinks are compared by their target's mtime but never followed into directories (no cycles).
      const m = mtimeOf(child);
      if (m !== undefined && m > since) return child;
    }
  }
  return undefined;
}

/** Why the part must be built, or undefined when it is up to date. */
function staleReason(part) {
  const outputMtime = mtimeOf(path.join(ROOT, part.output));
  if (outputMtime === undefined) return `${part.output} is missing`;
  for (const source of part.sources) {
    const hit = findNewer(path.join(ROOT, source), outputMtime);
    if (hit) return `${path.relative(ROOT, hit).split(path.sep).join('/')} is newer than ${part.output}`;
  }
  return undefined;
}

function setMtime(absPath, date) {
  try {
    fs.utimesSync(absPath, date, date);
  } catch {
    // the output does not exist: nothing to mark
  }
}

/** Builds one part; returns true on success. */
function build(part, reason) {
  const [cmd, args] = part.command;
  console.log(`build-if-stale: ${part.label} is stale (${reason}); running ${cmd} ${args.join(' ')}`);
  const started = new Date();
  const result = spawnSync(cmd, args, {
    cwd: ROOT,
    stdio: 'inherit',
    env: { ...process.env, ...part.env },
    shell: IS_WINDOWS, // npm and npx are .cmd files on Windows
  });
  const seconds = ((Date.now() - started.getTime()) / 1000).toFixed(1);
  const outputPath = path.join(ROOT, part.output);

  let failure;
  if (result.error) failure = `could not run ${cmd}: ${result.error.message}`;
  else if (result.signal) failure = `${cmd} was killed by ${result.signal}`;
  else if (result.status !== 0) failure = `${cmd} exited with status ${result.status}`;
  else if (mtimeOf(outputPath) === undefined) failure = `the build succeeded but ${part.output} was not written`;

  if (failure) {
    setMtime(outputPath, new Date(0)); // never trust a half-written output
    console.error(`build-if-stale: ${part.label} build FAILED after ${seconds}s: ${failure}`);
    return false;
  }
  setMtime(outputPath, started);
  console.log(`build-if-stale: ${part.label} built in ${seconds}s`);
  return true;
}

function main() {
  const parts = parseArgs(process.argv.slice(2));
  for (const name of parts) {
    const part = PARTS[name];
    const reason = staleReason(part);
    if (!reason) {
      console.log(`build-if-stale: ${part.label} is up to date (${part.output})`);
      continue;
    }
    if (!build(part, reason)) process.exit(1);
  }
}

main();
