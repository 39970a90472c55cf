import { Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { Checkpoints, RequestError } from '@ledger/ledger';
import { Allow } from '../auth/access.decorator';

const MAX_LIMIT = 1000;

/**
 * Signed checkpoints (docs/decisions/0011-signed-checkpoints.md), oldest first. They are events of
 * the ledger's own stream too, so a follower of `GET /v1/events` or the Kafka topic has them as well.
 */
@ApiTags('checkpoints')
@Controller('v1/checkpoints')
export class CheckpointsController {
  constructor(private readonly checkpoints: Checkpoints) {}

  @Get()
  // Checkpoints hold digests and signatures only, and are published to Kafka anyway; auditors check them.
  @Allow('auditor')
  @ApiOperation({
    summary:
      'Signed checkpoints: { position, events, digest, signature, keyId, createdAt } each, oldest first; check one with `ledger verify --checkpoint` or an inclusion proof with tools/verify-proof.js.',
  })
  @ApiQuery({ name: 'after', required: false, description: 'the lastVersion of the previous page (default: from the first)' })
  @ApiQuery({ name: 'limit', required: false, description: `at most this many (default 100, max ${MAX_LIMIT})` })
  async list(@Query('after') afterText?: string, @Query('limit') limitText?: string) {
    if (afterText !== undefined && !/^\d{1,18}$/.test(afterText)) {
      throw new RequestError('INVALID_QUERY', 'after: must be a lastVersion from an earlier page');
    }
    const limitValue = limitText ?? '100';
    if (!/^\d{1,4}$/.test(limitValue) || Number(limitValue) < 1 || Number(limitValue) > MAX_LIMIT) {
      throw new RequestError('INVALID_QUERY', `limit: must be an integer from 1 to ${MAX_LIMIT}`);
    }
    return this.checkpoints.list({ afterVersion: afterText === undefined ? undefined : BigInt(afterText), limit: Number(limitValue) });
  }

  @Post()
  @HttpCode(201)
  // Signing adds a CheckpointSigned event and changes no figure; an auditor may ask for one before a review.
  @Allow('auditor')
  @ApiOperation({
    summary:
      'Signs the log up to its head now and stores the checkpoint, as `ledger checkpoint` does (scheduled ones: LEDGER_CHECKPOINT_EVERY). 503 SIGNING_KEY_MISSING when the server has no signing key; 409 LOG_BROKEN when the chain is broken (nothing is signed).',
  })
  async create() {
    return this.checkpoints.create();
  }
}
