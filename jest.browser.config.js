'use strict';
// The console in a real browser (Chromium through playwright-core): `npm run test:browser`, run
// by .ci/run. Kept out of `npm test`, which needs nothing but Node.
const base = require('./jest.config.js');

module.exports = {
  ...base,
  roots: ['<rootDir>/test/browser'],
  testMatch: ['**/*.browser-spec.ts'],
  testTimeout: 300000,
  maxWorkers: 1,
};
