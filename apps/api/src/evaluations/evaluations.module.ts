import { Module } from '@nestjs/common';
import { EvaluationsController } from './evaluations.controller';
import { EvaluationsService } from './evaluations.service';

/** Offline evaluations: REST requests and results, runner reports, the evaluation table, suite auto-queueing. */
@Module({ controllers: [EvaluationsController], providers: [EvaluationsService] })
export class EvaluationsModule {}
