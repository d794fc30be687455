import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { LivePublisher } from './redis-io.adapter';

/** A port nobody listens on: Redis is down. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

void describe('LivePublisher', () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => {
    unhandled.push(reason);
  };
  before(() => process.on('unhandledRejection', onUnhandled));
  after(() => process.off('unhandledRejection', onUnhandled));

  void it('a publish fired and forgotten while Redis is unreachable is dropped, not an unhandled rejection', async () => {
    const publisher = new LivePublisher(`redis://127.0.0.1:${await closedPort()}`, { maxRetriesPerRequest: 1, retryStrategy: () => 10 });
    publisher.on('error', () => undefined);
    try {
      // As the socket.io Redis adapter does: the promise is dropped.
      void publisher.publish('channel', 'event');
      const deadline = Date.now() + 10_000;
      while (publisher.dropped === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      assert.equal(publisher.dropped, 1, 'the publish failed and was dropped');
      await new Promise((resolve) => setImmediate(resolve));
      assert.deepEqual(unhandled, []);
    } finally {
      publisher.disconnect();
    }
  });

  void it('publishes while Redis is up', async () => {
    const publisher = new LivePublisher(process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 3 });
    try {
      assert.equal(await publisher.publish(`equilab-test-live-${process.pid}`, 'event'), 0, 'no subscriber: 0 receivers');
    } finally {
      await publisher.quit();
    }
  });
});
