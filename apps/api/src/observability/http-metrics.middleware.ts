import type { NextFunction, Request, Response } from 'express';
import type { Histogram } from 'prom-client';

/**
 * Express middleware timing every HTTP request into `histogram`, labelled by method, status and the matched
 * route's template (`/api/runs/:id/metrics`, never the raw URL: bounded label values), `unmatched` when no
 * route answered (404s of unknown paths, which Nest answers from a `{*path}` catch-all; static docs).
 */
export function httpMetricsMiddleware(histogram: Histogram<'method' | 'route' | 'status'>) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const end = histogram.startTimer();
    res.once('finish', () => {
      const path = (req.route as { path?: unknown } | undefined)?.path;
      const route = typeof path === 'string' && !path.includes('*') ? `${req.baseUrl}${path}` : 'unmatched';
      end({ method: req.method, route, status: String(res.statusCode) });
    });
    next();
  };
}
