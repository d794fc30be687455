import 'reflect-metadata';
import { type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import { AppModule } from './app.module';
import { installJsonBody } from './common/body-parser';
import type { ApiEnv } from './config/api-env';
import { RedisIoAdapter } from './live/redis-io.adapter';
import { ApiMetricsService } from './observability/api-metrics.service';
import { httpMetricsMiddleware } from './observability/http-metrics.middleware';
import { buildOpenApiDocument } from './openapi/openapi.document';

export interface CreateAppOptions {
  /** false: no logs (tests). */
  readonly logger?: false;
  /** JSON log lines go here instead of stdout (tests read them). */
  readonly logDestination?: DestinationStream;
}

/**
 * The configured Nest application (not listening): pino logs (nestjs-pino), HTTP metrics, global prefix, JSON
 * limit, socket.io over Redis, OpenAPI. Prometheus' /metrics listens on its own port (observability/metrics-server).
 */
export async function createApp(env: ApiEnv, options: CreateAppOptions = {}): Promise<INestApplication> {
  const logs = { enabled: options.logger !== false, ...(options.logDestination ? { destination: options.logDestination } : {}) };
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(env, logs), {
    bodyParser: false,
    bufferLogs: true,
  });
  app.useLogger(app.get(Logger));
  app.use(httpMetricsMiddleware(app.get(ApiMetricsService).httpDuration));
  app.set('trust proxy', 'loopback');
  app.set('query parser', 'simple');
  installJsonBody(app.getHttpAdapter().getInstance(), env.BODY_LIMIT_BYTES);
  app.setGlobalPrefix('api');
  // CORS only for the configured origins (CORS_ORIGINS); none by default: the dashboard proxies /api and
  // /socket.io through its own origin, and tokens travel in headers, never cookies.
  if (env.CORS_ORIGINS.length > 0) app.enableCors({ origin: env.CORS_ORIGINS, credentials: true, maxAge: 600 });
  app.enableShutdownHooks();
  app.useWebSocketAdapter(new RedisIoAdapter(app, env.REDIS_URL, env.SOCKET_CHANNEL_PREFIX, env.CORS_ORIGINS));
  const document = buildOpenApiDocument();
  SwaggerModule.setup('api/docs', app, () => document as never, { jsonDocumentUrl: 'api/openapi.json', useGlobalPrefix: false });
  return app;
}
