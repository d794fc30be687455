import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { registerRunnerSchema, runnerHeartbeatSchema, type RegisterRunnerResult, type RunnerHeartbeatResult } from '@equilab/contracts';
import { Scopes } from '../auth/principal';
import { parseInput } from '../common/app-error';
import { parseId } from '../common/params';
import { RunnerRegistryService } from './runner-registry.service';

@Controller('runners')
@Scopes('admin', 'runner')
export class RunnerRegistryController {
  constructor(private readonly runners: RunnerRegistryService) {}

  @Post()
  register(@Body() body: unknown): Promise<RegisterRunnerResult> {
    return this.runners.register(parseInput(registerRunnerSchema, body));
  }

  @Post(':id/heartbeat')
  @HttpCode(200)
  heartbeat(@Param('id') id: string, @Body() body: unknown): Promise<RunnerHeartbeatResult> {
    return this.runners.heartbeat(parseId(id), parseInput(runnerHeartbeatSchema, body));
  }
}
