import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { LedgerConfig } from '@ledger/ledger';
import { ApiModule } from './api.module';
import { serveConsole } from './console/console-static';

/** Builds the HTTP app (without listening): tests use it with port 0. */
export async function createApi(config?: LedgerConfig): Promise<INestApplication> {
  // The body parser is off: POST /v1/events reads its body as a stream (NDJSON of any size).
  const app = await NestFactory.create(ApiModule.forRoot(config), { bodyParser: false, logger: ['error', 'warn'] });
  app.enableShutdownHooks();
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Budget execution ledger (预算执行账本)')
      .setDescription(
        'Events in; 年初预算数 / 调整预算数 / 执行数, progress and ratios out, for any point in time. Errors are application/problem+json with a stable code.',
      )
      .setVersion('1')
      .build(),
  );
  SwaggerModule.setup('docs', app, document);
  serveConsole(app);
  return app;
}

export async function startApi(port: number, config?: LedgerConfig): Promise<INestApplication> {
  const app = await createApi(config);
  await app.listen(port, '0.0.0.0');
  return app;
}
