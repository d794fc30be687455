import { createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';

export type TokenScope = 'admin' | 'member' | 'runner' | 'run';

/** Who is calling: resolved from the bearer token by the AuthGuard. */
export interface Principal {
  readonly tokenId: string;
  readonly name: string;
  readonly scope: TokenScope;
  /** Set for `run` tokens: the one run they may write to… */
  readonly runId: string | null;
  /** …its attempt… */
  readonly attempt: number | null;
  /** …and, for an evaluate job's token, the one evaluation it may report. */
  readonly evaluationId: string | null;
  /** `run` tokens: the runner they were issued to (the only one that may start the attempt). */
  readonly runnerId: string | null;
  /** `member` tokens: the projects granted (null for every other scope). */
  readonly projectIds: ReadonlySet<string> | null;
  /** Instant the token stops working (null: never). */
  readonly expiresAt: Date | null;
}

export const PUBLIC_KEY = 'equilab:public';
export const SCOPES_KEY = 'equilab:scopes';
export const RESOURCES_KEY = 'equilab:resources';

/** No token needed. */
export const Public = () => SetMetadata(PUBLIC_KEY, true);
/**
 * Token scopes allowed on a route (default: admin only). No scope is implied: an admin token may not call a
 * runner-protocol route (`@Scopes('run')`), a member token only routes that list `member` and declare, with
 * `@Resources`, which project their request touches.
 */
export const Scopes = (...scopes: TokenScope[]) => SetMetadata(SCOPES_KEY, scopes);

/** What kind of object an id names; the guard maps it to its project. `runs` is a list of run ids. */
export type ResourceKind = 'project' | 'run' | 'runs' | 'sweep' | 'evaluation' | 'artifact';
/** Where a request carries the id: a path parameter, a JSON body field or a query parameter. */
export type ResourceRef = { readonly kind: ResourceKind } & ({ readonly param: string } | { readonly body: string } | { readonly query: string });

/**
 * The project-scoped objects a route touches. For a member token the AuthGuard answers 404 unless every one
 * named in the request belongs to a granted project (as if it did not exist). A route that lists `member` in
 * `@Scopes` without `@Resources` must filter by `principal.projectIds` itself (list routes).
 */
export const Resources = (...refs: ResourceRef[]) => SetMetadata(RESOURCES_KEY, refs);

export const CurrentPrincipal = createParamDecorator((_data: unknown, ctx: ExecutionContext): Principal => {
  const request = ctx.switchToHttp().getRequest<{ principal?: Principal }>();
  if (!request.principal) throw new Error('no principal on an authenticated route');
  return request.principal;
});

/** The project filter of a list route: null = every project (admin), else the granted ones. */
export function projectFilter(principal: Principal): string[] | null {
  return principal.projectIds ? [...principal.projectIds] : null;
}
