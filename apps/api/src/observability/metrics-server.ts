import { createServer, type Server } from 'node:http';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { API_ENV, type ApiEnv } from '../config/api-env';
import { ApiMetricsService } from './api-metrics.service';

/**
 * Prometheus' scrape endpoint, `GET /metrics` on its own listener (METRICS_HOST:METRICS_PORT, default
 * 127.0.0.1:9464; `off` for none). It is unauthenticated by design: scrapers carry no API token, so the port is
 * kept off the ingress and only the scraper may reach it (k8s network policy). A port already taken is logged,
 * not fatal: the API keeps serving without its metrics.
 */
@Injectable()
export class MetricsServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Metrics');
  private server: Server | null = null;

  constructor(
    @Inject(API_ENV) private readonly env: ApiEnv,
    private readonly metrics: ApiMetricsService,
  ) {}

  /** The bound port (null when off or not listening). */
  get port(): number | null {
    const address = this.server?.address();
    return address && typeof address === 'object' ? address.port : null;
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.env.METRICS_PORT === 'off') return;
    const server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      if (path !== '/metrics') {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: GET /metrics\n');
        return;
      }
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('method not allowed\n');
        return;
      }
      this.metrics.text().then(
        ({ contentType, body }) => res.writeHead(200, { 'content-type': contentType }).end(req.method === 'HEAD' ? undefined : body),
        (error: unknown) => {
          this.logger.error(`metrics collection failed: ${error instanceof Error ? error.message : String(error)}`);
          res.writeHead(503, { 'content-type': 'text/plain' }).end('metrics unavailable\n');
        },
      );
    });
    await new Promise<void>((resolve) => {
      server.once('error', (error) => {
        this.logger.error(`metrics listener on ${this.env.METRICS_HOST}:${String(this.env.METRICS_PORT)} failed: ${error.message}`);
        resolve();
      });
      server.listen(this.env.METRICS_PORT as number, this.env.METRICS_HOST, () => {
        this.server = server;
        this.logger.log(`Prometheus metrics on http://${this.env.METRICS_HOST}:${String(this.port)}/metrics`);
        resolve();
      });
    });
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
