'use strict';
// The one swc configuration, for the runtime hook (tools/register.js) and jest (@swc/jest):
// legacy decorators with metadata, which NestJS dependency injection needs.
module.exports = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: 'es2022',
    keepClassNames: true,
  },
  module: { type: 'commonjs' },
};
