import { createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';

export type TokenScope = 'admin' | 'runner' | 'run';

/** Who is calling: resolved from the bearer token by the AuthGuard. */
export interface Principal {
  readonly tokenId: string;
  readonly name: string;
  readonly scope: TokenScope;
  /** Set for `run` tokens: the one run they may write to. */
  readonly runId: string | null;
}

export const PUBLIC_KEY = 'equilab:public';
export const SCOPES_KEY = 'equilab:scopes';

/** No token needed. */
export const Public = () => SetMetadata(PUBLIC_KEY, true);
/** Token scopes allowed on a route (default: admin only). */
export const Scopes = (...scopes: TokenScope[]) => SetMetadata(SCOPES_KEY, scopes);

export const CurrentPrincipal = createParamDecorator((_data: unknown, ctx: ExecutionContext): Principal => {
  const request = ctx.switchToHttp().getRequest<{ principal?: Principal }>();
  if (!request.principal) throw new Error('no principal on an authenticated route');
  return request.principal;
});
