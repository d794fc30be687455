import { Injectable } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import type { Principal } from './principal';

/** Rate limits are per token (per IP for unauthenticated routes). */
@Injectable()
export class TokenThrottlerGuard extends ThrottlerGuard {
  protected override getTracker(req: Record<string, unknown>): Promise<string> {
    const principal = req['principal'] as Principal | undefined;
    const ip = typeof req['ip'] === 'string' ? req['ip'] : 'unknown';
    return Promise.resolve(principal ? `token:${principal.tokenId}` : `ip:${ip}`);
  }
}
