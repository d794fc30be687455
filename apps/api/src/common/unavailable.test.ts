import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { PrismaPg } from '@prisma/adapter-pg';
import IORedis from 'ioredis';
import { Client, Pool } from 'pg';
import { PrismaClient } from '../generated/prisma/client';
import { testDatabaseUrl } from '../testing/test-app';
import { toAppError } from './exception.filter';

/** The error `work` rejects with (fails the test if it resolves). */
async function errorOf(work: () => Promise<unknown>): Promise<unknown> {
  try {
    await work();
  } catch (error) {
    return error;
  }
  assert.fail('expected the call to fail');
}

function assertUnavailable(error: unknown, what: RegExp, label: string): void {
  const appError = toAppError(error);
  assert.equal(appError.status, 503, `${label}: ${String(error)}`);
  assert.equal(appError.code, 'unavailable', label);
  assert.match(appError.message, what, label);
}

/** A port nobody listens on. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Real clients against a real PostgreSQL and real sockets: the errors they raise when the server is gone. */
void describe('errors of an unreachable PostgreSQL or Redis answer 503 unavailable', () => {
  let refused: string;
  let resetting: net.Server;
  let reset: string;

  before(async () => {
    refused = `postgresql://postgres@127.0.0.1:${await closedPort()}/equilab`;
    // Accepts every connection and resets it at once, as a server that goes away does.
    resetting = net.createServer((socket) => socket.resetAndDestroy());
    await new Promise<void>((resolve) => resetting.listen(0, '127.0.0.1', resolve));
    reset = `postgresql://postgres@127.0.0.1:${(resetting.address() as net.AddressInfo).port}/equilab`;
  });
  after(async () => {
    await new Promise((resolve) => resetting.close(resolve));
  });

  for (const [label, url] of [
    ['nobody listening', () => refused],
    ['every connection reset', () => reset],
  ] as const) {
    void it(`Prisma (model and raw queries) and node-postgres: ${label}`, async () => {
      const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: url() }) });
      const pool = new Pool({ connectionString: url() });
      pool.on('error', () => undefined);
      try {
        assertUnavailable(await errorOf(() => prisma.apiToken.findFirst()), /database/, 'Prisma model query');
        assertUnavailable(await errorOf(() => prisma.$queryRaw`SELECT 1`), /database/, 'Prisma raw query');
        assertUnavailable(await errorOf(() => pool.query('SELECT 1')), /database/, 'pg pool');
      } finally {
        await prisma.$disconnect();
        await pool.end();
      }
    });
  }

  void it('a connection PostgreSQL terminates (as when it shuts down)', async () => {
    const victim = new Client({ connectionString: testDatabaseUrl() });
    victim.on('error', () => undefined);
    const admin = new Client({ connectionString: testDatabaseUrl() });
    await Promise.all([victim.connect(), admin.connect()]);
    try {
      const { rows } = await victim.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      await admin.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid]);
      assertUnavailable(await errorOf(() => victim.query('SELECT 1')), /database/, 'terminated connection');
    } finally {
      await admin.end();
      await victim.end().catch(() => undefined);
    }
  });

  void it('ioredis giving up on a command', async () => {
    const redis = new IORedis(`redis://127.0.0.1:${await closedPort()}`, { maxRetriesPerRequest: 1, retryStrategy: () => 10 });
    redis.on('error', () => undefined);
    try {
      assertUnavailable(await errorOf(() => redis.ping()), /Redis/, 'ioredis');
    } finally {
      redis.disconnect();
    }
  });

  void it('other database errors are not outages: they stay 500', async () => {
    const pool = new Pool({ connectionString: testDatabaseUrl() });
    const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: testDatabaseUrl() }) });
    try {
      for (const error of [
        await errorOf(() => pool.query('SELECT 1/0')),
        await errorOf(() => pool.query('SELEC 1')),
        await errorOf(() => prisma.$queryRaw`SELECT 1/0`),
      ]) {
        assert.equal(toAppError(error).status, 500, String(error));
      }
    } finally {
      await pool.end();
      await prisma.$disconnect();
    }
  });
});
