import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import {
  registerRunnerResultSchema,
  registerRunnerSchema,
  runnerHeartbeatResultSchema,
  runnerHeartbeatSchema,
  type RegisterRunnerResult,
  type RunnerHeartbeatResult,
} from '@equilab/contracts';
import { Scopes } from '../auth/principal';
import { parseInput } from '../common/app-error';
import { parseId } from '../common/params';
import { RunnerRegistryService } from './runner-registry.service';
import { ApiDoc, ApiTag } from '../openapi/api-doc.decorator';

@Controller('runners')
@ApiTag('runner protocol')
@Scopes('admin', 'runner')
export class RunnerRegistryController {
  constructor(private readonly runners: RunnerRegistryService) {}

  @ApiDoc({ summary: 'Register a runner', body: registerRunnerSchema, response: registerRunnerResultSchema })
  @Post()
  register(@Body() body: unknown): Promise<RegisterRunnerResult> {
    return this.runners.register(parseInput(registerRunnerSchema, body));
  }

  @ApiDoc({ summary: 'Runner heartbeat; answers which of its active runs to stop', body: runnerHeartbeatSchema, response: runnerHeartbeatResultSchema })
  @Post(':id/heartbeat')
  @HttpCode(200)
  heartbeat(@Param('id') id: string, @Body() body: unknown): Promise<RunnerHeartbeatResult> {
    return this.runners.heartbeat(parseId(id), parseInput(runnerHeartbeatSchema, body));
  }
}
