import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { createdTokenSchema, createTokenSchema, tokenListSchema, type CreatedToken, type TokenList } from '@equilab/contracts';
import { z } from 'zod';
import { parseInput } from '../common/app-error';
import { parseId } from '../common/params';
import { ApiDoc } from '../openapi/api-doc.decorator';
import { TokensService } from './tokens.service';

const grantSchema = z.object({ projectId: z.string().uuid() }).strict();

/** Token management (admin tokens only; the first admin token comes from the CLI). */
@Controller('tokens')
export class TokensController {
  constructor(private readonly tokens: TokensService) {}

  @ApiDoc({ summary: 'List user tokens (admin, member, runner) with their state; never the tokens themselves', response: tokenListSchema })
  @Get()
  async list(): Promise<TokenList> {
    return { items: await this.tokens.listUsers() };
  }

  @ApiDoc({ summary: 'Create a token (shown once in the answer): admin, member (projectIds) or runner, optional expiry', body: createTokenSchema, response: createdTokenSchema, errors: [404] })
  @Post()
  create(@Body() body: unknown): Promise<CreatedToken> {
    return this.tokens.createUser(parseInput(createTokenSchema, body));
  }

  @ApiDoc({ summary: 'Rotate: a new token with the same scope, grants and expiry (shown once); the old one is revoked', response: createdTokenSchema, errors: [404] })
  @Post(':id/rotate')
  rotate(@Param('id') id: string): Promise<CreatedToken> {
    return this.tokens.rotate(parseId(id));
  }

  @ApiDoc({ summary: 'Grant a member token one more project', body: grantSchema, errors: [404] })
  @Post(':id/grants')
  @HttpCode(204)
  async grant(@Param('id') id: string, @Body() body: unknown): Promise<void> {
    await this.tokens.grant(parseId(id), parseInput(grantSchema, body).projectId);
  }

  @ApiDoc({ summary: 'Revoke a token (it stops at once on every API replica)', errors: [404] })
  @Delete(':id')
  @HttpCode(204)
  async revoke(@Param('id') id: string): Promise<void> {
    await this.tokens.revoke(parseId(id));
  }
}
