'use strict';
// Tests run TypeScript through @swc/jest with the same decorator settings as tools/register.js.
// Type checking is `npm run typecheck`; jest only runs.
const { table } = require('./tools/aliases.js');

const moduleNameMapper = {};
for (const [alias, dir] of Object.entries(table)) {
  moduleNameMapper[`^${alias}$`] = `${dir}/index.ts`;
  moduleNameMapper[`^${alias}/(.*)$`] = `${dir}/$1`;
}

module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/libs', '<rootDir>/apps', '<rootDir>/test'],
  testMatch: ['**/*.spec.ts', '**/*.e2e-spec.ts', '**/*.int-spec.ts'],
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper,
  transform: {
    '^.+\\.ts$': ['@swc/jest', require('./tools/swc-options.js')],
  },
  setupFiles: ['reflect-metadata'],
  testTimeout: 60000,
  maxWorkers: 2,
};
