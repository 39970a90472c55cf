/**
 * The HTTP contract, in zod: the schemas that validate requests (queries, small bodies) and
 * describe answers, and from which the OpenAPI document's components are generated (openapi.ts).
 * Answers are produced by the reporting code; contract.spec.ts checks at compile time that its
 * result types fit these schemas, and the e2e suites parse real answers with them. The parts are
 * re-exported in this order because it is the order of the document's components.
 */
export { contract } from './schema-kit';
export * from './request.schemas';
export * from './event.schemas';
export * from './report.schemas';
export * from './access.schemas';
