import type { INestApplication } from '@nestjs/common';
import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';
import { ACCESS_METADATA, type RouteAccess } from './access.decorator';

export interface RegisteredRoute {
  readonly method: string;
  /** Nest's form, e.g. `/v1/departments/:department/view`. */
  readonly path: string;
  readonly controller: string;
  readonly handler: string;
  /** Undefined when the route declares no access: a defect (the guard refuses it, a test fails on it). */
  readonly access: RouteAccess | undefined;
}

/** Every route of every controller of every module of the app, with its declared access. */
export function registeredRoutes(app: INestApplication): RegisteredRoute[] {
  const routes: RegisteredRoute[] = [];
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as (new (...args: never[]) => object) | null;
      if (controller === null || typeof controller !== 'function') continue;
      const prefixes = asList(Reflect.getMetadata(PATH_METADATA, controller) as string | string[] | undefined);
      const prototype = controller.prototype as Record<string, unknown>;
      for (const name of Object.getOwnPropertyNames(prototype)) {
        const handler = prototype[name];
        if (name === 'constructor' || typeof handler !== 'function') continue;
        const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
        if (method === undefined) continue;
        const access =
          (Reflect.getMetadata(ACCESS_METADATA, handler) as RouteAccess | undefined) ??
          (Reflect.getMetadata(ACCESS_METADATA, controller) as RouteAccess | undefined);
        for (const prefix of prefixes) {
          for (const sub of asList(Reflect.getMetadata(PATH_METADATA, handler) as string | string[] | undefined)) {
            routes.push({ method: RequestMethod[method], path: join(prefix, sub), controller: controller.name, handler: name, access });
          }
        }
      }
    }
  }
  return routes;
}

function asList(value: string | string[] | undefined): string[] {
  if (value === undefined) return ['/'];
  return Array.isArray(value) ? value : [value];
}

function join(prefix: string, sub: string): string {
  const path = `/${[prefix, sub]
    .map((p) => p.replace(/^\/+|\/+$/g, ''))
    .filter((p) => p !== '')
    .join('/')}`;
  return path;
}
