/** Backend tests: *.spec.ts (pure), *.int-spec.ts (PGlite, or real PostgreSQL/RabbitMQ when
 *  DATABASE_URL / AMQP_URL are set), *.e2e-spec.ts (HTTP and browser); apps/ holds the designer's logic specs. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/contracts', '<rootDir>/src', '<rootDir>/projections', '<rootDir>/test', '<rootDir>/apps'],
  testRegex: '\\.(spec|int-spec|e2e-spec)\\.ts$',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }] },
  moduleNameMapper: {
    '^@contracts$': '<rootDir>/contracts/src/index.ts',
    '^@contracts/(.*)$': '<rootDir>/contracts/src/$1',
  },
  testTimeout: 60000,
  maxWorkers: 2,
};
