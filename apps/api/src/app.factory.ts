import 'reflect-metadata';
import { type INestApplication, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { SwaggerModule } from '@nestjs/swagger';
import { AppModule } from './app.module';
import { installJsonBody } from './common/body-parser';
import type { ApiEnv } from './config/api-env';
import { RedisIoAdapter } from './live/redis-io.adapter';
import { buildOpenApiDocument } from './openapi/openapi.document';

const LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

/** The configured Nest application (not listening): global prefix, JSON limit, socket.io over Redis, OpenAPI. */
export async function createApp(env: ApiEnv, options: { logger?: false } = {}): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(env), {
    bodyParser: false,
    logger: options.logger === false ? false : LEVELS.slice(0, LEVELS.indexOf(env.LOG_LEVEL) + 1),
  });
  app.set('trust proxy', 'loopback');
  app.set('query parser', 'simple');
  installJsonBody(app.getHttpAdapter().getInstance(), env.BODY_LIMIT_BYTES);
  app.setGlobalPrefix('api');
  app.enableCors({ origin: true, credentials: true });
  app.enableShutdownHooks();
  app.useWebSocketAdapter(new RedisIoAdapter(app, env.REDIS_URL, env.SOCKET_CHANNEL_PREFIX));
  const document = buildOpenApiDocument();
  SwaggerModule.setup('api/docs', app, () => document as never, { jsonDocumentUrl: 'api/openapi.json', useGlobalPrefix: false });
  return app;
}
