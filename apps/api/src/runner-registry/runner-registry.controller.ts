import { Body, Controller, Delete, HttpCode, Param, Post } from '@nestjs/common';
import {
  registerRunnerResultSchema,
  registerRunnerSchema,
  runCredentialRequestSchema,
  runCredentialSchema,
  runnerHeartbeatResultSchema,
  runnerHeartbeatSchema,
  type RegisterRunnerResult,
  type RunCredential,
  type RunnerHeartbeatResult,
} from '@equilab/contracts';
import { CurrentPrincipal, Scopes, type Principal } from '../auth/principal';
import { TokensService } from '../auth/tokens.service';
import { parseInput } from '../common/app-error';
import { parseId } from '../common/params';
import { RunnerRegistryService } from './runner-registry.service';
import { ApiDoc, ApiTag } from '../openapi/api-doc.decorator';

/** The runner protocol's runner routes: runner tokens only, each acting for the runners it registered. */
@Controller('runners')
@ApiTag('runner protocol')
@Scopes('runner')
export class RunnerRegistryController {
  constructor(
    private readonly runners: RunnerRegistryService,
    private readonly tokens: TokensService,
  ) {}

  @ApiDoc({ summary: 'Register a runner (owned by the registering runner token)', body: registerRunnerSchema, response: registerRunnerResultSchema })
  @Post()
  register(@Body() body: unknown, @CurrentPrincipal() principal: Principal): Promise<RegisterRunnerResult> {
    return this.runners.register(parseInput(registerRunnerSchema, body), principal.tokenId);
  }

  @ApiDoc({ summary: 'Runner heartbeat; answers which of its active runs to stop (404 for another token’s runner)', body: runnerHeartbeatSchema, response: runnerHeartbeatResultSchema, errors: [404] })
  @Post(':id/heartbeat')
  @HttpCode(200)
  async heartbeat(@Param('id') id: string, @Body() body: unknown, @CurrentPrincipal() principal: Principal): Promise<RunnerHeartbeatResult> {
    const runnerId = await this.runners.owned(parseId(id), principal.tokenId);
    return this.runners.heartbeat(runnerId, parseInput(runnerHeartbeatSchema, body));
  }

  @ApiDoc({
    summary: 'The run token of a job this runner took (409: that attempt is over — drop the job); no secret travels through Redis',
    body: runCredentialRequestSchema,
    response: runCredentialSchema,
    errors: [404, 409],
  })
  @Post(':id/credentials')
  @HttpCode(200)
  async credentials(@Param('id') id: string, @Body() body: unknown, @CurrentPrincipal() principal: Principal): Promise<RunCredential> {
    const runnerId = await this.runners.owned(parseId(id), principal.tokenId);
    const input = parseInput(runCredentialRequestSchema, body);
    return this.tokens.issueRunCredential(runnerId, input.queue, input.jobId);
  }

  /** Management, not protocol: admin only. */
  @ApiDoc({ summary: 'Delete a runner with the run credentials issued to it (its runs stay, unassigned)', tag: 'runners', errors: [404] })
  @Delete(':id')
  @HttpCode(204)
  @Scopes('admin')
  async remove(@Param('id') id: string): Promise<void> {
    await this.runners.delete(parseId(id));
  }
}
