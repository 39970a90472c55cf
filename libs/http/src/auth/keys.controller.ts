import { Controller, Delete, Get, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { ApiKeyStore } from '@ledger/auth';
import { QueryError } from '@ledger/reporting';
import { ApiContract } from '../contract/openapi';
import { NewApiKeyBody } from '../contract/schemas';
import { Allow } from './access.decorator';
import { readJsonBody } from './read-json-body';

/** API keys over HTTP, for admins; the same as `ledger keys create|list|revoke`. */
@ApiTags('access')
@Controller('v1/keys')
export class KeysController {
  constructor(private readonly keys: ApiKeyStore) {}

  @Get()
  @Allow('admin')
  @ApiContract({ summary: 'Every API key (never the key itself)', ok: { schema: 'ApiKeyList', description: 'the keys, revoked ones too' } })
  async list() {
    return { keys: await this.keys.list() };
  }

  @Post()
  @HttpCode(201)
  @Allow('admin')
  @ApiContract({
    summary: 'Make an API key; the answer is the only time the key is shown',
    body: { schema: 'NewApiKeyBody' },
    ok: { status: 201, schema: 'CreatedApiKey', description: 'the key, shown this once' },
    errors: [400, 413, 415],
  })
  async create(@Req() req: Request) {
    return this.keys.create(await readJsonBody(req, NewApiKeyBody));
  }

  @Delete(':keyId')
  @HttpCode(204)
  @Allow('admin')
  @ApiContract({
    summary: 'Revoke an API key: refused from the next request on, its sessions too',
    ok: { status: 204, description: 'revoked' },
    errors: [404],
  })
  async revoke(@Param('keyId') keyId: string): Promise<void> {
    if (!(await this.keys.exists(keyId))) throw new QueryError('NOT_FOUND', 'keyId', `no API key '${keyId}'`);
    await this.keys.revoke(keyId);
  }
}
