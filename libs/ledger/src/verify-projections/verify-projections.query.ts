import { Query } from '@nestjs/cqrs';
import type { ProjectionReport } from './verify-projections';

/** Derive every line's figures and the closed quarters' reported figures from the log, and compare with the projections. */
export class VerifyProjectionsQuery extends Query<ProjectionReport> {}
