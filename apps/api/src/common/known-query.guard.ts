import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { API_DOC_KEY, type RouteDoc } from '../openapi/api-doc.decorator';
import { AppError } from './app-error';

/**
 * Global guard (after authentication and rate limiting): a query parameter the route does not document is a
 * 400 naming it, as an unknown body field is — `?limt=10` or `?key=loss` must not be ignored silently. A route's
 * parameters are the keys of its `@ApiDoc({ query })` schema, the same list the OpenAPI document publishes; a
 * route without one takes none.
 */
@Injectable()
export class KnownQueryGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const request = context.switchToHttp().getRequest<Request>();
    const given = Object.keys(request.query ?? {});
    if (given.length === 0) return true;
    const doc = this.reflector.get<RouteDoc | undefined>(API_DOC_KEY, context.getHandler());
    const known = new Set(doc?.query ? Object.keys(doc.query.shape) : []);
    const unknown = given.filter((name) => !known.has(name));
    if (unknown.length === 0) return true;
    const takes = known.size > 0 ? `this route takes ${[...known].join(', ')}` : 'this route takes none';
    throw AppError.validation(unknown.map((name) => ({ path: name, message: `unknown query parameter (${takes})` })));
  }
}
