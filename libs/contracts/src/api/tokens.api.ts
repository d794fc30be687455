import { z } from 'zod';
import { isoDate } from './common.api';

/**
 * API tokens (admin only: `GET/POST /api/tokens`, `DELETE /api/tokens/:id`, and the CLI
 * `node apps/api/dist/cli/token.js`). Only a token's sha256 is stored; the token itself is shown once.
 *
 * | scope  | may call                                                                                     |
 * |--------|----------------------------------------------------------------------------------------------|
 * | admin  | every researcher route on every project, projects/runners/tokens management; no runner-protocol route |
 * | member | the researcher routes of its granted projects (another project's resources answer 404); no management |
 * | runner | `POST /api/runners`, heartbeats and credentials of the runners it registered                   |
 * | run    | minted by the API for one attempt of one run (or one evaluation attempt), valid while it is active |
 */
export const userTokenScopeSchema = z.enum(['admin', 'member', 'runner']);
export type UserTokenScope = z.infer<typeof userTokenScopeSchema>;
export const tokenScopeSchema = z.enum(['admin', 'member', 'runner', 'run']);

/** Token names: 1..200 characters, no NUL. */
const tokenName = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .refine((s) => !s.includes('\u0000'), 'must not contain NUL characters');

/** A token may live at most this long (ten years). */
export const MAX_TOKEN_LIFETIME_DAYS = 3650;
/** A member token holds at most this many project grants. */
export const MAX_TOKEN_GRANTS = 1000;

/** `POST /api/tokens` */
export const createTokenSchema = z
  .object({
    name: tokenName,
    scope: userTokenScopeSchema,
    /** member: the projects it may use (at least one). Not allowed for other scopes. */
    projectIds: z.array(z.string().uuid()).max(MAX_TOKEN_GRANTS).optional(),
    /** Days until the token expires (fractional allowed; omitted: no expiry). */
    expiresInDays: z.number().positive().max(MAX_TOKEN_LIFETIME_DAYS).optional(),
  })
  .strict()
  .superRefine((value, ctx) => {
    if (value.scope === 'member' && !value.projectIds?.length) {
      ctx.addIssue({ code: 'custom', path: ['projectIds'], message: 'a member token needs at least one project' });
    }
    if (value.scope !== 'member' && value.projectIds !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['projectIds'], message: `only member tokens are granted projects (${value.scope} tokens reach all or none)` });
    }
  });
export type CreateToken = z.input<typeof createTokenSchema>;

export const tokenInfoSchema = z.object({
  id: z.string().uuid(),
  name: z.string(),
  scope: tokenScopeSchema,
  projectIds: z.array(z.string().uuid()),
  createdAt: isoDate,
  expiresAt: isoDate.nullable(),
  lastUsedAt: isoDate.nullable(),
  revokedAt: isoDate.nullable(),
  /** active | revoked | expired */
  state: z.enum(['active', 'revoked', 'expired']),
});
export type TokenInfo = z.infer<typeof tokenInfoSchema>;

/** `POST /api/tokens` → the token's description and, once, the token itself. */
export const createdTokenSchema = tokenInfoSchema.extend({ token: z.string() });
export type CreatedToken = z.infer<typeof createdTokenSchema>;

/** `GET /api/tokens` → user tokens (admin, member, runner), oldest first; run tokens are internal. */
export const tokenListSchema = z.object({ items: z.array(tokenInfoSchema) });
export type TokenList = z.infer<typeof tokenListSchema>;
