'use strict';
// The module graph of docs/architecture.md, enforced (STYLE.md "Layout"; issue 15).
// `npm run depcruise` runs it; CI fails on any error.

/** Tests, benches and test helpers: they may reach into a library's testing/ folder. */
const TEST_CODE = ['\\.(spec|e2e-spec|int-spec)\\.ts$', '^test/', '^bench/', '/testing/'];

module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      comment: 'libs/domain imports nothing but decimal.js and itself: no framework, no I/O (STYLE.md).',
      severity: 'error',
      from: { path: '^libs/domain/src/', pathNot: '\\.spec\\.ts$' },
      to: { pathNot: ['^libs/domain/src/', 'node_modules/decimal\\.js/'] },
    },
    {
      name: 'no-circular',
      comment: 'A cycle between modules means neither can be understood, tested or moved alone.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-app-imports-another-app',
      comment: 'apps/* are thin entry points; what two apps share belongs in a library.',
      severity: 'error',
      from: { path: '^apps/([^/]+)/' },
      to: { path: '^apps/', pathNot: '^apps/$1/' },
    },
    {
      name: 'libraries-through-their-public-entry',
      comment: 'Import a library through @ledger/<lib> (its src/index.ts), not its internal files; tests may use its testing/ folder.',
      severity: 'error',
      from: { path: '^(apps|libs|test|bench)/', pathNot: '^libs/([^/]+)/' },
      to: { path: '^libs/[^/]+/src/', pathNot: ['^libs/[^/]+/src/index\\.ts$', '^libs/[^/]+/src/testing/'] },
    },
    {
      name: 'libraries-through-their-public-entry-between-libs',
      comment: 'One library imports another only through its public entry (src/index.ts).',
      severity: 'error',
      from: { path: '^libs/([^/]+)/' },
      to: { path: '^libs/[^/]+/src/', pathNot: ['^libs/$1/', '^libs/[^/]+/src/index\\.ts$', '^libs/[^/]+/src/testing/'] },
    },
    {
      name: 'production-code-never-imports-testing',
      comment: 'testing/ folders hold fixtures and harnesses for tests only.',
      severity: 'error',
      from: { path: '^(apps|libs)/', pathNot: TEST_CODE },
      to: { path: '/testing/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['^node_modules', '^dist', '^apps/console/dist'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
    reporterOptions: {
      dot: { collapsePattern: '^(node_modules/[^/]+|libs/[^/]+|apps/[^/]+)' },
    },
  },
};
