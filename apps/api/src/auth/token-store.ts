import type { TokenInfo, UserTokenScope } from '@equilab/contracts';
import type { PrismaClient } from '../generated/prisma/client';
import { generateToken, hashToken } from './token.util';

const DAY_MS = 24 * 3600_000;

/** Redis pub/sub channel on which a replica (or the token CLI) tells every API replica to drop its token cache. */
export const AUTH_INVALIDATION_CHANNEL = 'equilab:auth:invalidate';

/** Token management shared by the REST routes (TokensService) and the CLI (cli/token.ts). */
export type TokenDb = Pick<PrismaClient, 'apiToken' | 'project' | 'projectGrant' | 'runner' | '$transaction'>;

export class TokenStoreError extends Error {
  constructor(
    readonly field: string,
    message: string,
    readonly kind: 'invalid' | 'not_found' = 'invalid',
  ) {
    super(`${field}: ${message}`);
  }
}

type TokenRow = {
  id: string;
  name: string;
  scope: 'admin' | 'member' | 'runner' | 'run';
  createdAt: Date;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  grants: { projectId: string }[];
};

export function toTokenInfo(row: TokenRow, now = new Date()): TokenInfo {
  return {
    id: row.id,
    name: row.name,
    scope: row.scope,
    projectIds: row.grants.map((g) => g.projectId).sort(),
    createdAt: row.createdAt.toISOString(),
    expiresAt: row.expiresAt?.toISOString() ?? null,
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
    revokedAt: row.revokedAt?.toISOString() ?? null,
    state: row.revokedAt ? 'revoked' : row.expiresAt && row.expiresAt <= now ? 'expired' : 'active',
  };
}

/** Creates a user token (admin, member with its grants, runner); the token is returned once, only its sha256 kept. */
export async function createUserToken(db: TokenDb, input: { name: string; scope: UserTokenScope; projectIds?: readonly string[]; expiresInDays?: number }): Promise<TokenInfo & { token: string }> {
  const projectIds = [...new Set(input.projectIds ?? [])];
  if (input.scope === 'member' && projectIds.length === 0) throw new TokenStoreError('projectIds', 'a member token needs at least one project');
  if (input.scope !== 'member' && projectIds.length > 0) throw new TokenStoreError('projectIds', `only member tokens are granted projects`);
  if (projectIds.length) {
    const found = await db.project.findMany({ where: { id: { in: projectIds } }, select: { id: true } });
    const known = new Set(found.map((p) => p.id));
    const missing = projectIds.filter((id) => !known.has(id));
    if (missing.length) throw new TokenStoreError('projectIds', `no project ${missing.join(', ')}`, 'not_found');
  }
  const token = generateToken();
  const expiresAt = input.expiresInDays !== undefined ? new Date(Date.now() + input.expiresInDays * DAY_MS) : null;
  const row = await db.apiToken.create({
    data: { name: input.name, scope: input.scope, hash: hashToken(token), expiresAt, grants: { create: projectIds.map((projectId) => ({ projectId })) } },
    include: { grants: { select: { projectId: true } } },
  });
  return { ...toTokenInfo(row), token };
}

export async function listUserTokens(db: TokenDb): Promise<TokenInfo[]> {
  const rows = await db.apiToken.findMany({
    where: { scope: { not: 'run' } },
    orderBy: { createdAt: 'asc' },
    include: { grants: { select: { projectId: true } } },
    take: 10_000,
  });
  const now = new Date();
  return rows.map((r) => toTokenInfo(r, now));
}

/** Revokes an active user token (not_found for an unknown, run or already revoked token). */
export async function revokeUserToken(db: TokenDb, id: string): Promise<void> {
  const result = await db.apiToken.updateMany({ where: { id, scope: { not: 'run' }, revokedAt: null }, data: { revokedAt: new Date() } });
  if (result.count === 0) throw new TokenStoreError('id', `no active token ${id}`, 'not_found');
}

/** Grants a member token one more project. */
export async function grantProject(db: TokenDb, id: string, projectId: string): Promise<void> {
  const token = await db.apiToken.findUnique({ where: { id }, select: { scope: true, revokedAt: true } });
  if (!token || token.revokedAt) throw new TokenStoreError('id', `no active token ${id}`, 'not_found');
  if (token.scope !== 'member') throw new TokenStoreError('id', `a ${token.scope} token is not granted projects`);
  const project = await db.project.findUnique({ where: { id: projectId }, select: { id: true } });
  if (!project) throw new TokenStoreError('projectId', `no project ${projectId}`, 'not_found');
  await db.projectGrant.upsert({ where: { tokenId_projectId: { tokenId: id, projectId } }, create: { tokenId: id, projectId }, update: {} });
}

/**
 * Rotation: a new token with the same name, scope, grants and remaining lifetime, and the old one revoked, in
 * one transaction. The caller switches its consumer to the new token (the old one stops at once).
 */
export async function rotateUserToken(db: TokenDb, id: string): Promise<TokenInfo & { token: string }> {
  return db.$transaction(async (tx) => {
    const old = await tx.apiToken.findUnique({ where: { id }, include: { grants: { select: { projectId: true } } } });
    if (!old || old.revokedAt || old.scope === 'run') throw new TokenStoreError('id', `no active token ${id}`, 'not_found');
    const token = generateToken();
    const row = await tx.apiToken.create({
      data: { name: old.name, scope: old.scope, hash: hashToken(token), expiresAt: old.expiresAt, grants: { create: old.grants.map((g) => ({ projectId: g.projectId })) } },
      include: { grants: { select: { projectId: true } } },
    });
    // Runners registered with the old token stay the new token's to act for.
    await tx.runner.updateMany({ where: { tokenId: id }, data: { tokenId: row.id } });
    await tx.apiToken.update({ where: { id }, data: { revokedAt: new Date() } });
    return { ...toTokenInfo(row), token };
  });
}

