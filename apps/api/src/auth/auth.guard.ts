import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { AppError } from '../common/app-error';
import { parseId } from '../common/params';
import { PUBLIC_KEY, SCOPES_KEY, type Principal, type TokenScope } from './principal';
import { bearerToken, TokensService } from './tokens.service';

/** Global guard: every route but @Public ones needs a valid bearer token of an allowed scope. */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: TokensService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const request = context.switchToHttp().getRequest<Request & { principal?: Principal }>();
    const token = bearerToken(request.headers.authorization);
    if (!token) throw new AppError('unauthorized', 'missing Authorization: Bearer <token> header');
    const principal = await this.tokens.resolve(token);
    if (!principal) throw new AppError('unauthorized', 'invalid or revoked token');
    request.principal = principal;
    const scopes = this.reflector.getAllAndOverride<TokenScope[] | undefined>(SCOPES_KEY, targets) ?? ['admin'];
    if (principal.scope !== 'admin' && !scopes.includes(principal.scope)) {
      throw new AppError('forbidden', `a ${principal.scope} token may not call this route`);
    }
    return true;
  }
}

/** Run tokens may only touch their own run. */
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
