import { BullModule } from '@nestjs/bullmq';
import { Module, type DynamicModule, type Type } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { LoggerModule } from 'nestjs-pino';
import { ArtifactsController } from './artifacts/artifacts.controller';
import { ArtifactsService } from './artifacts/artifacts.service';
import { ApiMetricsService } from './observability/api-metrics.service';
import { loggerParams, type LogOptions } from './observability/logging';
import { MetricsServer } from './observability/metrics-server';
import { RunLogContextInterceptor } from './observability/run-log-context.interceptor';
import { AnnotationsController, RunsExportController } from './annotations/annotations.controller';
import { AnnotationsService } from './annotations/annotations.service';
import { AuthGuard } from './auth/auth.guard';
import { ProjectAccessService } from './auth/project-access.service';
import { TokensController } from './auth/tokens.controller';
import { TokenThrottlerGuard } from './auth/token-throttler.guard';
import { TokensService } from './auth/tokens.service';
import { AppExceptionFilter } from './common/exception.filter';
import { KnownQueryGuard } from './common/known-query.guard';
import { API_ENV, type ApiEnv } from './config/api-env';
import { HealthController } from './health/health.controller';
import { HealthService } from './health/health.service';
import { InteropController } from './interop/interop.controller';
import { InteropService } from './interop/interop.service';
import { LiveGateway } from './live/live.gateway';
import { LiveService } from './live/live.service';
import { MetricsController } from './metrics/metrics.controller';
import { MetricsRepository } from './metrics/metrics.repository';
import { MetricsService } from './metrics/metrics.service';
import { PgPoolService } from './database/pg-pool.service';
import { PrismaService } from './database/prisma.service';
import { ProjectsController } from './projects/projects.controller';
import { ProjectsService } from './projects/projects.service';
import { EvaluationsController } from './evaluations/evaluations.controller';
import { EvaluationsService } from './evaluations/evaluations.service';
import { DispatchService } from './queue/dispatch.service';
import { JobFailuresListener } from './queue/job-failures.listener';
import { QueueController } from './queue/queue.controller';
import { QueueService } from './queue/queue.service';
import { QUEUE_NAMES } from './queue/queue-names';
import { bullConnection, RedisService } from './redis/redis.service';
import { SharedThrottlerStorage } from './redis/shared-throttler.storage';
import { RunnerRegistryController } from './runner-registry/runner-registry.controller';
import { RunnerRegistryService } from './runner-registry/runner-registry.service';
import { RunLifecycleService } from './runs/run-lifecycle.service';
import { RunsController } from './runs/runs.controller';
import { RunsService } from './runs/runs.service';
import { SweepsController } from './sweeps/sweeps.controller';
import { SweepsService } from './sweeps/sweeps.service';
import { AshaService } from './sweeps/asha.service';

/** Every controller of the API (the OpenAPI document is generated from them). */
export const API_CONTROLLERS: Type[] = [
  HealthController,
  ProjectsController,
  // Before RunsController: GET /runs/export is not GET /runs/:id.
  RunsExportController,
  RunsController,
  MetricsController,
  SweepsController,
  RunnerRegistryController,
  QueueController,
  EvaluationsController,
  InteropController,
  AnnotationsController,
  TokensController,
  ArtifactsController,
];

@Module({})
export class AppModule {
  static forRoot(env: ApiEnv, logs: LogOptions = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        LoggerModule.forRoot(loggerParams(env, logs)),
        // Counters shared by every replica through Redis (per replica while Redis is unreachable).
        ThrottlerModule.forRoot({ throttlers: [{ name: 'token', ttl: 60_000, limit: env.RATE_LIMIT_PER_MINUTE }], storage: new SharedThrottlerStorage(env.REDIS_URL, env.QUEUE_PREFIX) }),
        BullModule.forRoot({ connection: bullConnection(env.REDIS_URL), prefix: env.QUEUE_PREFIX }),
        BullModule.registerQueue(...QUEUE_NAMES.map((name) => ({ name }))),
      ],
      controllers: [...API_CONTROLLERS],
      providers: [
        { provide: API_ENV, useValue: env },
        { provide: APP_FILTER, useClass: AppExceptionFilter },
        // Order matters: authenticate first, then rate-limit per token.
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_GUARD, useClass: TokenThrottlerGuard },
        // Then: a query parameter the route does not document is a 400 naming it.
        { provide: APP_GUARD, useClass: KnownQueryGuard },
        { provide: APP_INTERCEPTOR, useClass: RunLogContextInterceptor },
        ApiMetricsService,
        MetricsServer,
        ArtifactsService,
        PrismaService,
        PgPoolService,
        RedisService,
        HealthService,
        TokensService,
        ProjectAccessService,
        LiveService,
        LiveGateway,
        DispatchService,
        QueueService,
        JobFailuresListener,
        MetricsRepository,
        MetricsService,
        ProjectsService,
        RunsService,
        RunLifecycleService,
        SweepsService,
        AshaService,
        RunnerRegistryService,
        EvaluationsService,
        InteropService,
        AnnotationsService,
      ],
    };
  }
}
