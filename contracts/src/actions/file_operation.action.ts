import { defineAction } from './define-action';
import { PATTERNS, template } from './schema-parts';

export const FILE_OPERATIONS = ['read', 'write', 'copy', 'move', 'delete', 'list'] as const;

const STORAGE_PATH = { type: 'string', minLength: 1, maxLength: 1024, pattern: PATTERNS.storagePath, 'x-expression': true } as const;

export const fileOperationAction = defineAction({
  type: 'file_operation',
  title: 'File operation',
  group: 'Files',
  icon: 'folder_open',
  description: 'Reads, writes, copies, moves, deletes or lists files inside the workspace storage root; paths cannot leave it.',
  configSchema: {
    type: 'object',
    properties: {
      operation: { type: 'string', enum: FILE_OPERATIONS },
      path: { ...STORAGE_PATH, description: 'File or folder, relative to the storage root' },
      targetPath: { ...STORAGE_PATH, description: 'Where copy and move put it' },
      content: template(1_000_000, 'What write puts in the file', 0),
      encoding: { type: 'string', enum: ['utf8', 'base64'], default: 'utf8', description: 'How content is given (write) and returned (read)' },
      overwrite: { type: 'boolean', default: false, description: 'Replace an existing file (write, copy, move)' },
    },
    required: ['operation', 'path'],
    additionalProperties: false,
    allOf: [
      {
        if: { properties: { operation: { enum: ['copy', 'move'] } }, required: ['operation'] },
        then: { required: ['targetPath'] },
        else: { properties: { targetPath: false } },
      },
      {
        if: { properties: { operation: { const: 'write' } }, required: ['operation'] },
        then: { required: ['content'] },
        else: { properties: { content: false } },
      },
      {
        if: { properties: { operation: { enum: ['read', 'write'] } }, required: ['operation'] },
        else: { properties: { encoding: false } },
      },
      {
        if: { properties: { operation: { enum: ['write', 'copy', 'move'] } }, required: ['operation'] },
        else: { properties: { overwrite: false } },
      },
    ],
  },
  outputs: {
    type: 'object',
    properties: {
      operation: { type: 'string', enum: FILE_OPERATIONS },
      path: { type: 'string' },
      bytes: { type: 'integer', minimum: 0, description: 'Size read or written' },
      content: { type: 'string', description: 'What read found, in the chosen encoding' },
      entries: {
        type: 'array',
        description: 'What list found',
        items: {
          type: 'object',
          properties: {
            name: { type: 'string' },
            isDirectory: { type: 'boolean' },
            size: { type: 'integer', minimum: 0 },
            modifiedAt: { type: 'string', format: 'date-time' },
          },
          required: ['name', 'isDirectory', 'size', 'modifiedAt'],
        },
      },
    },
    required: ['operation', 'path'],
  },
  defaults: {
    retryPolicy: { nonRetryableErrors: ['InvalidConfig', 'ExpressionError', 'FileNotFound', 'FileExists', 'PathOutsideStorage'] },
    timeoutMs: 60_000,
  },
});
