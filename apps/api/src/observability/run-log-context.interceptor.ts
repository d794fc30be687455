import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import type { Request } from 'express';
import { PinoLogger } from 'nestjs-pino';
import type { Observable } from 'rxjs';
import type { Principal } from '../auth/principal';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Adds `runId` to every log line of a request about one run (`/api/runs/:id…`, or any request made with a run
 * token), including the access log line: the run's whole story greps out of the API's logs by its id.
 */
@Injectable()
export class RunLogContextInterceptor implements NestInterceptor {
  constructor(private readonly logger: PinoLogger) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() === 'http') {
      const req = context.switchToHttp().getRequest<Request & { principal?: Principal }>();
      const id = req.params['id'];
      const routePath = (req.route as { path?: unknown } | undefined)?.path;
      const runRoute = typeof routePath === 'string' && routePath.includes('/runs/:id');
      const runId = runRoute && typeof id === 'string' && UUID.test(id) ? id : (req.principal?.runId ?? null);
      if (runId) this.logger.assign({ runId });
    }
    return next.handle();
  }
}
