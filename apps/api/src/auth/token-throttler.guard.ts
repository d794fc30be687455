import { Injectable } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import type { Principal } from './principal';

/** Rate limits are per token (per IP for unauthenticated routes). */
@Injectable()
export class TokenThrottlerGuard extends ThrottlerGuard {
  protected override async getTracker(req: Record<string, unknown>): Promise<string> {
    const principal = req['principal'] as Principal | undefined;
    return principal ? `token:${principal.tokenId}` : `ip:${String(req['ip'] ?? 'unknown')}`;
  }
}
