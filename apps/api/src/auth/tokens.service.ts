import { Injectable } from '@nestjs/common';
import { AppError } from '../common/app-error';
import { PrismaService } from '../database/prisma.service';
import type { Principal, TokenScope } from './principal';
import { generateToken, hashToken } from './token.util';

const CACHE_MS = 5_000;
const TOUCH_MS = 60_000;

/** API tokens: only the sha256 of a token is stored; the token itself is shown once. */
@Injectable()
export class TokensService {
  private readonly cache = new Map<string, { principal: Principal | null; until: number }>();
  private readonly touched = new Map<string, number>();

  constructor(private readonly prisma: PrismaService) {}

  async create(name: string, scope: TokenScope, runId: string | null = null): Promise<{ id: string; token: string }> {
    const token = generateToken();
    const row = await this.prisma.apiToken.create({ data: { name, scope, runId, hash: hashToken(token) } });
    return { id: row.id, token };
  }

  /** The principal of a bearer token, or null if unknown/revoked (cached a few seconds per replica). */
  async resolve(token: string): Promise<Principal | null> {
    const hash = hashToken(token);
    const now = Date.now();
    const cached = this.cache.get(hash);
    if (cached && cached.until > now) return cached.principal;
    const row = await this.prisma.apiToken.findUnique({ where: { hash } });
    const principal: Principal | null =
      row && !row.revokedAt ? { tokenId: row.id, name: row.name, scope: row.scope, runId: row.runId } : null;
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(hash, { principal, until: now + CACHE_MS });
    if (principal && (this.touched.get(principal.tokenId) ?? 0) < now - TOUCH_MS) {
      this.touched.set(principal.tokenId, now);
      await this.prisma.apiToken.update({ where: { id: principal.tokenId }, data: { lastUsedAt: new Date() } }).catch(() => undefined);
    }
    return principal;
  }

  async revoke(id: string): Promise<void> {
    const result = await this.prisma.apiToken.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: new Date() } });
    if (result.count === 0) throw AppError.notFound('token', id);
    this.cache.clear();
  }
}

/** `Authorization: Bearer <token>` → token, or null. */
export function bearerToken(header: unknown): string | null {
  if (typeof header !== 'string') return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1] ?? null;
}
