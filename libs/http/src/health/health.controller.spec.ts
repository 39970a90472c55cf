import { HttpException } from '@nestjs/common';
import { PostgresDatabase } from '@ledger/event-store';
import { KafkaHealth } from '@ledger/kafka';
import { silentLogger } from '@ledger/observability';
import { HealthController } from './health.controller';

describe('GET /ready', () => {
  it('says only "down" when the database does not answer: no error text, address or user for anyone to read', async () => {
    // A real driver against a port nobody listens on: its error names the address.
    const db = new PostgresDatabase('postgres://secret_user:hunter2@127.0.0.1:1/ledger', { maxConnections: 1 });
    const controller = new HealthController(db, new KafkaHealth(undefined, silentLogger()));
    try {
      const failure = await controller.ready().then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(failure).toBeInstanceOf(HttpException);
      const body = JSON.stringify((failure as HttpException).getResponse());
      expect(JSON.parse(body)).toEqual({ status: 'unavailable', database: 'down', message: 'not ready: database: down' });
      expect(body).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|secret_user|hunter2/);
    } finally {
      await db.close();
    }
  });
});
