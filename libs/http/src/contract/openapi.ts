import { applyDecorators } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOperation, ApiProduces, ApiQuery, ApiResponse } from '@nestjs/swagger';
import type { OpenAPIObject } from '@nestjs/swagger';
import { z } from 'zod';
import { contract } from './schemas';

type Json = Record<string, unknown>;

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'the request is malformed: a query parameter or the body (problem+json names the field)',
  401: 'no identity, or one the ledger does not accept',
  403: "the identity's role may not do this",
  404: 'no such department, line or key (also outside the departments a key or token is limited to)',
  409: 'a conflict with what is stored',
  413: 'the body, or the number of events in it, is over the configured limit',
  415: 'an unsupported Content-Type',
  429: 'too many requests for this identity; see Retry-After',
  503: 'not ready',
};

/** The JSON schema of an unnamed zod schema (a query parameter) for OpenAPI 3.0. */
export function openApiSchema(schema: z.ZodType): Json {
  return stripIds(z.toJSONSchema(schema, { target: 'openapi-3.0', unrepresentable: 'any' })) as Json;
}

/** Every named schema of the contract, as OpenAPI components (their references between each other kept). */
export function contractComponents(): Record<string, Json> {
  const { schemas } = z.toJSONSchema(contract, {
    target: 'openapi-3.0',
    unrepresentable: 'any',
    uri: (id: string) => `#/components/schemas/${id}`,
  }) as { schemas: Record<string, Json> };
  return stripIds(schemas) as Record<string, Json>;
}

function stripIds(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripIds);
  if (typeof value !== 'object' || value === null) return value;
  const out: Json = {};
  for (const [key, inner] of Object.entries(value as Json)) if (key !== '$id' && key !== '$schema') out[key] = stripIds(inner);
  return out;
}

export const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

export interface ContractSpec {
  readonly summary: string;
  readonly description?: string;
  /** The query's schema: the one its ZodQueryPipe validates with. */
  readonly query?: z.ZodObject;
  readonly body?: {
    readonly schema: string;
    readonly contentTypes?: readonly string[];
    readonly examples?: Record<string, { summary: string; value: unknown }>;
  };
  readonly ok: {
    readonly status?: number;
    readonly schema?: string;
    readonly description: string;
    readonly produces?: string;
    readonly examples?: Record<string, { summary: string; value: unknown }>;
  };
  /** The 4xx (and 503) answers besides the access ones that @Allow documents. */
  readonly errors?: readonly number[];
}

/** A route's OpenAPI description, from the contract schemas (the same ones that validate it). */
export function ApiContract(spec: ContractSpec) {
  const decorators: MethodDecorator[] = [ApiOperation({ summary: spec.summary, description: spec.description })];
  if (spec.query !== undefined) {
    const shape: Record<string, z.ZodType> = spec.query.shape;
    for (const [name, field] of Object.entries(shape)) {
      const required = !field.safeParse(undefined).success;
      const schema = openApiSchema(required ? field : ((field as z.ZodOptional).unwrap() as z.ZodType));
      decorators.push(
        ApiQuery({ name, required, schema, description: typeof schema.description === 'string' ? schema.description : undefined }),
      );
    }
  }
  if (spec.body !== undefined) {
    const types = spec.body.contentTypes ?? ['application/json'];
    decorators.push(ApiConsumes(...types));
    decorators.push(ApiBody({ schema: ref(spec.body.schema), examples: spec.body.examples }));
  }
  const status = spec.ok.status ?? 200;
  if (spec.ok.produces !== undefined) decorators.push(ApiProduces(spec.ok.produces));
  decorators.push(
    ApiResponse({
      status,
      description: spec.ok.description,
      ...(spec.ok.schema === undefined ? {} : { schema: ref(spec.ok.schema) }),
      ...(spec.ok.examples === undefined ? {} : { examples: spec.ok.examples }),
    }),
  );
  for (const code of spec.errors ?? []) {
    decorators.push(
      ApiResponse({
        status: code,
        description: ERROR_DESCRIPTIONS[code] ?? 'refused',
        content: { 'application/problem+json': { schema: ref('Problem') } },
      }),
    );
  }
  return applyDecorators(...decorators);
}

/**
 * Puts the contract's components into a document Nest built from the decorators, and says of each
 * public route (no @Allow, so no security requirement) that it needs none.
 */
export function withContract(document: OpenAPIObject): OpenAPIObject {
  for (const item of Object.values(document.paths)) {
    for (const method of ['get', 'put', 'post', 'delete', 'patch'] as const) {
      const operation = item[method];
      if (operation !== undefined && operation.security === undefined) operation.security = [];
    }
  }
  document.components = document.components ?? {};
  document.components.schemas = { ...(document.components.schemas ?? {}), ...(contractComponents() as Record<string, object>) };
  return document;
}
