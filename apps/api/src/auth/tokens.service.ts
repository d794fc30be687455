import { EventEmitter } from 'node:events';
import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import type { RunCredential, TokenInfo, UserTokenScope } from '@equilab/contracts';
import { AppError } from '../common/app-error';
import { PrismaService } from '../database/prisma.service';
import { RedisService } from '../redis/redis.service';
import type { Principal } from './principal';
import { AUTH_INVALIDATION_CHANNEL, createUserToken, grantProject, listUserTokens, revokeUserToken, rotateUserToken, TokenStoreError } from './token-store';
import { generateToken, hashToken } from './token.util';

/**
 * User and runner tokens are cached this long per replica. A revocation, rotation or grant change drops every
 * replica's cache at once through AUTH_INVALIDATION_CHANNEL; this bound only matters while Redis is unreachable.
 */
const CACHE_MS = 5_000;

const TOUCH_MS = 60_000;
/** Run states in which a pretrain attempt's token works, and evaluation states for an evaluate job's token. */
const ACTIVE_RUN = new Set(['queued', 'running']);
const ACTIVE_EVALUATION = new Set(['queued', 'running']);

/**
 * A principal, or why there is none. `ended`: an authentic run token whose attempt is over (finished,
 * canceled, preempted, or a newer attempt exists) — the API answers 409 so the runner drops the job.
 */
export type Resolution = { principal: Principal } | { principal: null; reason: string; ended?: true };

function storeError(error: unknown): never {
  if (error instanceof TokenStoreError) {
    throw error.kind === 'not_found' ? new AppError('not_found', error.message) : AppError.field(error.field, error.message.slice(error.field.length + 2));
  }
  throw error;
}

/** API tokens: only the sha256 of a token is stored; the token itself is shown once. */
@Injectable()
export class TokensService implements OnModuleInit {
  private readonly logger = new Logger('Tokens');
  private readonly cache = new Map<string, { resolution: Resolution; until: number }>();
  private readonly touched = new Map<string, number>();
  /** Bumped at every invalidation: a look-up that started before one does not fill the cache. */
  private generation = 0;
  /** Emits `invalidated` whenever this replica's cache was dropped (tests wait on it). */
  readonly events = new EventEmitter();

  constructor(
    private readonly prisma: PrismaService,
    private readonly redis: RedisService,
  ) {}

  /** Subscribes to the invalidation channel before the API serves (at most 5 s: Redis down is not fatal here). */
  async onModuleInit(): Promise<void> {
    const subscriber = this.redis.duplicate();
    subscriber.on('message', (channel: string) => {
      if (channel === AUTH_INVALIDATION_CHANNEL) this.dropCache();
    });
    // After a reconnect, messages published meanwhile are lost: start again from an empty cache.
    let connected = false;
    subscriber.on('ready', () => {
      if (connected) this.dropCache();
      connected = true;
    });
    const subscribed = subscriber.subscribe(AUTH_INVALIDATION_CHANNEL).then(
      () => true,
      (error: unknown) => {
        this.logger.warn(`token cache invalidation not subscribed: ${String(error)}`);
        return false;
      },
    );
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), 5_000);
    });
    const ok = await Promise.race([subscribed, timeout]);
    clearTimeout(timer);
    if (!ok) this.logger.warn(`token cache invalidation not subscribed yet: until it is, revocations reach this replica within ${CACHE_MS / 1000} s`);
  }

  private dropCache(): void {
    this.generation += 1;
    this.cache.clear();
    this.events.emit('invalidated');
  }

  /**
   * Drops the token cache of this replica and, through Redis, of every other one: a revocation, rotation, grant
   * change or deleted project takes effect on the next request anywhere. Redis unreachable: the other replicas
   * catch up within CACHE_MS.
   */
  async invalidate(): Promise<void> {
    this.dropCache();
    await this.redis.client.publish(AUTH_INVALIDATION_CHANNEL, 'tokens').catch((error: unknown) => {
      this.logger.warn(`token cache invalidation not published (other replicas catch up within ${CACHE_MS / 1000} s): ${String(error)}`);
    });
  }

  /** A token of any scope without grants or expiry (tests and internal use; users go through createUser). */
  async create(name: string, scope: 'admin' | 'runner', runId: string | null = null): Promise<{ id: string; token: string }> {
    const token = generateToken();
    const row = await this.prisma.apiToken.create({ data: { name, scope, runId, hash: hashToken(token) } });
    return { id: row.id, token };
  }

  createUser(input: { name: string; scope: UserTokenScope; projectIds?: string[]; expiresInDays?: number }): Promise<TokenInfo & { token: string }> {
    return createUserToken(this.prisma, input).catch(storeError);
  }

  listUsers(): Promise<TokenInfo[]> {
    return listUserTokens(this.prisma);
  }

  async revoke(id: string): Promise<void> {
    await revokeUserToken(this.prisma, id).catch(storeError);
    await this.invalidate();
  }

  async rotate(id: string): Promise<TokenInfo & { token: string }> {
    const created = await rotateUserToken(this.prisma, id).catch(storeError);
    await this.invalidate();
    return created;
  }

  async grant(id: string, projectId: string): Promise<void> {
    await grantProject(this.prisma, id, projectId).catch(storeError);
    await this.invalidate();
  }

  /**
   * The run token of one job attempt, issued to `runnerId`. Pretrain: the run's current attempt, while it is
   * queued or running; evaluate: the evaluation's current attempt while it is queued or running, which is
   * then recorded as dispatched to this runner. 409 otherwise (the job is stale: drop it).
   */
  async issueRunCredential(runnerId: string, queue: 'pretrain' | 'evaluate', jobId: string): Promise<RunCredential> {
    const [id = '', attemptText = ''] = jobId.split('.');
    const attempt = Number(attemptText);
    if (queue === 'pretrain') {
      const run = await this.prisma.run.findUnique({ where: { id }, select: { status: true, attempt: true } });
      if (!run) throw AppError.notFound('run', id);
      if (run.attempt !== attempt || !ACTIVE_RUN.has(run.status)) {
        throw new AppError('illegal_transition', `run ${id} attempt ${attempt} is not active (the run is ${run.status}, attempt ${run.attempt})`);
      }
      const token = generateToken();
      await this.prisma.apiToken.create({ data: { name: `run ${id} attempt ${attempt}`, scope: 'run', runId: id, attempt, runnerId, hash: hashToken(token) } });
      return { token, runId: id, attempt, evaluationId: null };
    }
    const evaluation = await this.prisma.evaluation.findUnique({ where: { id }, select: { runId: true, status: true, attempt: true } });
    if (!evaluation) throw AppError.notFound('evaluation', id);
    if (evaluation.attempt !== attempt || !ACTIVE_EVALUATION.has(evaluation.status)) {
      throw new AppError('illegal_transition', `evaluation ${id} attempt ${attempt} is not active (${evaluation.status}, attempt ${evaluation.attempt})`);
    }
    const token = generateToken();
    await this.prisma.$transaction([
      this.prisma.evaluation.update({ where: { id }, data: { runnerId } }),
      this.prisma.apiToken.create({
        data: { name: `evaluation ${id} attempt ${attempt}`, scope: 'run', runId: evaluation.runId, evaluationId: id, attempt, runnerId, hash: hashToken(token) },
      }),
    ]);
    return { token, runId: evaluation.runId, attempt, evaluationId: id };
  }

  /**
   * An evaluation is reported by the token issued for it (its current attempt), or by the runner token of the
   * runner it was dispatched to; anyone else: 403 (another run's / evaluation's token) or 404 (another runner's).
   */
  async assertEvaluationReporter(principal: Principal, evaluationId: string): Promise<void> {
    if (principal.scope === 'run') {
      if (principal.evaluationId !== evaluationId) throw new AppError('forbidden', 'this run token was not issued for this evaluation');
      return;
    }
    const row = await this.prisma.evaluation.findUnique({ where: { id: evaluationId }, select: { runner: { select: { tokenId: true } } } });
    if (!row || row.runner?.tokenId !== principal.tokenId) throw AppError.notFound('evaluation', evaluationId);
  }

  /** Revokes the pretrain tokens of a run (its attempt ended: finished, canceled, preempted, deleted). */
  async revokeRunTokens(runId: string): Promise<void> {
    await this.prisma.apiToken.updateMany({ where: { runId, evaluationId: null, scope: 'run', revokedAt: null }, data: { revokedAt: new Date() } });
  }

  /**
   * The principal of a bearer token, or why there is none (unknown, revoked, expired, attempt over). User and
   * runner tokens are cached a few seconds per replica; run tokens are checked against their run on every
   * request (a canceled run's token stops at once).
   */
  async resolve(token: string): Promise<Resolution> {
    const hash = hashToken(token);
    const now = Date.now();
    const generation = this.generation;
    const cached = this.cache.get(hash);
    if (cached && cached.until > now) return this.unexpired(cached.resolution, now);
    const row = await this.prisma.apiToken.findUnique({
      where: { hash },
      include: {
        grants: { select: { projectId: true } },
        run: { select: { status: true, attempt: true } },
        evaluation: { select: { status: true, attempt: true } },
      },
    });
    let resolution: Resolution;
    if (!row) resolution = { principal: null, reason: 'invalid token' };
    else if (row.revokedAt && row.scope === 'run') resolution = { principal: null, reason: `the attempt of run ${row.runId ?? '?'} this token was issued for has ended`, ended: true };
    else if (row.revokedAt) resolution = { principal: null, reason: 'revoked token' };
    else {
      resolution = {
        principal: {
          tokenId: row.id,
          name: row.name,
          scope: row.scope,
          runId: row.runId,
          attempt: row.attempt,
          evaluationId: row.evaluationId,
          runnerId: row.runnerId,
          projectIds: row.scope === 'member' ? new Set(row.grants.map((g) => g.projectId)) : null,
          expiresAt: row.expiresAt,
        },
      };
      if (row.scope === 'run') {
        const active = row.evaluationId
          ? row.evaluation && row.evaluation.attempt === row.attempt && ACTIVE_EVALUATION.has(row.evaluation.status)
          : row.run && row.run.attempt === row.attempt && ACTIVE_RUN.has(row.run.status);
        if (!active) {
          const what = row.evaluationId ? `evaluation ${row.evaluationId} attempt ${row.attempt ?? '?'}` : `run ${row.runId ?? '?'} attempt ${row.attempt ?? '?'}`;
          resolution = { principal: null, reason: `the ${what} this token was issued for has ended`, ended: true };
        }
      }
    }
    if (row?.scope !== 'run' && generation === this.generation) {
      if (this.cache.size > 10_000) this.cache.clear();
      this.cache.set(hash, { resolution, until: now + CACHE_MS });
    }
    const principal = resolution.principal;
    if (principal && (this.touched.get(principal.tokenId) ?? 0) < now - TOUCH_MS) {
      this.touched.set(principal.tokenId, now);
      await this.prisma.apiToken.update({ where: { id: principal.tokenId }, data: { lastUsedAt: new Date() } }).catch(() => undefined);
    }
    return this.unexpired(resolution, now);
  }

  private unexpired(resolution: Resolution, now: number): Resolution {
    const expiresAt = resolution.principal?.expiresAt;
    return expiresAt && expiresAt.getTime() <= now ? { principal: null, reason: 'expired token' } : resolution;
  }
}

/** `Authorization: Bearer <token>` → token, or null. */
export function bearerToken(header: unknown): string | null {
  if (typeof header !== 'string') return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1] ?? null;
}
