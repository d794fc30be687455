import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { InjectThrottlerStorage, type ThrottlerStorage } from '@nestjs/throttler';
import type { Request } from 'express';
import { AppError } from '../common/app-error';
import { parseId } from '../common/params';
import { API_ENV, type ApiEnv } from '../config/api-env';
import { PUBLIC_KEY, RESOURCES_KEY, SCOPES_KEY, type Principal, type ResourceKind, type ResourceRef, type TokenScope } from './principal';
import { ProjectAccessService } from './project-access.service';
import { bearerToken, TokensService } from './tokens.service';

const FAILURE_WINDOW_MS = 60_000;
const NOT_FOUND_NAME: Record<ResourceKind, string> = { project: 'project', run: 'run', runs: 'run', sweep: 'sweep', evaluation: 'evaluation', artifact: 'artifact' };

/** The ids a request names at `ref` (a comma-separated query value is a list). */
function idsAt(request: Request, ref: ResourceRef): string[] {
  const raw: unknown =
    'param' in ref
      ? (request.params as Record<string, unknown> | undefined)?.[ref.param]
      : 'body' in ref
        ? request.body !== null && typeof request.body === 'object' && Object.hasOwn(request.body as object, ref.body)
          ? (request.body as Record<string, unknown>)[ref.body]
          : undefined
        : Object.hasOwn(request.query, ref.query)
          ? request.query[ref.query]
          : undefined;
  const values = Array.isArray(raw) ? raw : [raw];
  return values.flatMap((v) => (typeof v === 'string' ? v.split(',') : [])).filter((v) => v.length > 0);
}

/**
 * Global guard: every route but @Public ones needs a valid, unexpired bearer token of a scope the route
 * lists (@Scopes; default admin only — no scope implies another). Member tokens also need every project-scoped
 * object the request names (@Resources) to be in a granted project: 404 otherwise, as for a missing one.
 * Failed authentications count per client IP; past AUTH_FAILURES_PER_MINUTE they answer 429.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: TokensService,
    private readonly access: ProjectAccessService,
    @InjectThrottlerStorage() private readonly storage: ThrottlerStorage,
    @Inject(API_ENV) private readonly env: ApiEnv,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const request = context.switchToHttp().getRequest<Request & { principal?: Principal }>();
    const token = bearerToken(request.headers.authorization);
    if (!token) return this.failed(request, 'missing Authorization: Bearer <token> header');
    const resolution = await this.tokens.resolve(token);
    if (!resolution.principal) {
      // An authentic run token of an attempt that is over: 409, the protocol's "drop the job" (not an auth failure).
      if ('ended' in resolution && resolution.ended) throw new AppError('illegal_transition', resolution.reason);
      return this.failed(request, resolution.reason);
    }
    const principal = resolution.principal;
    request.principal = principal;
    const scopes = this.reflector.getAllAndOverride<TokenScope[] | undefined>(SCOPES_KEY, targets) ?? ['admin'];
    if (!scopes.includes(principal.scope)) {
      throw new AppError('forbidden', `a ${principal.scope} token may not call this route (allowed: ${scopes.join(', ')})`);
    }
    if (principal.projectIds) {
      for (const ref of this.reflector.getAllAndOverride<ResourceRef[] | undefined>(RESOURCES_KEY, targets) ?? []) {
        const outside = await this.access.firstOutside(ref.kind, idsAt(request, ref), principal.projectIds);
        if (outside) throw AppError.notFound(NOT_FOUND_NAME[ref.kind], outside);
      }
    }
    return true;
  }

  /** Counts a failed authentication of the client's IP: 401, or 429 once the IP is over its budget. */
  private async failed(request: Request, reason: string): Promise<never> {
    const ip = request.ip ?? request.socket.remoteAddress ?? 'unknown';
    const limit = this.env.AUTH_FAILURES_PER_MINUTE;
    const record = await this.storage.increment(`auth-failure:${ip}`, FAILURE_WINDOW_MS, limit, FAILURE_WINDOW_MS, 'auth-failures');
    if (record.isBlocked) {
      throw new AppError('rate_limited', `too many failed authentications from ${ip}: retry in ${Math.ceil(record.timeToBlockExpire)} s`);
    }
    throw new AppError('unauthorized', reason);
  }
}

/** Run tokens may only touch their own run; an evaluate job's token only its evaluation's run. */
export function assertRunAccess(principal: Principal, runId: string): void {
  if (principal.scope === 'run' && principal.runId !== runId) {
    throw new AppError('forbidden', 'this run token belongs to another run');
  }
}

/** The `:id` of a run route, which the principal may act on (400 for a bad id, 403 for another run's token). */
export function accessibleRunId(principal: Principal, id: string): string {
  const runId = parseId(id);
  assertRunAccess(principal, runId);
  return runId;
}

/** Runner-protocol routes of a run's lifecycle (start, progress, finish): a pretrain attempt's token only. */
export function lifecycleRunId(principal: Principal, id: string): string {
  const runId = accessibleRunId(principal, id);
  if (principal.evaluationId) throw new AppError('forbidden', "an evaluation's token may not drive the run's lifecycle");
  return runId;
}
