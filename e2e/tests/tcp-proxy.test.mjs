// The fault tests' TCP proxy (lib/tcp-proxy.mjs) against real sockets on loopback: forwarding, pause/resume,
// cut, fail-over between targets, and large transfers under backpressure.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import net from 'node:net';
import { after, test } from 'node:test';
import { startTcpProxy } from '../lib/tcp-proxy.mjs';

const closers = [];
after(async () => {
  for (const close of closers.reverse()) await close();
});

/** An echo server that counts the bytes it received; `name` is sent first on every connection. */
async function echoServer(name = '') {
  const sockets = new Set();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    if (name) socket.write(name);
    socket.on('data', (chunk) => {
      server.received += chunk.length;
      socket.write(chunk);
    });
  });
  server.received = 0;
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const close = () => {
    for (const socket of sockets) socket.destroy();
    return new Promise((resolve) => server.close(() => resolve()));
  };
  closers.push(close);
  return { server, port: server.address().port, close };
}

async function proxyTo(targets) {
  const proxy = await startTcpProxy(targets);
  closers.push(() => proxy.close());
  return proxy;
}

async function connect(port) {
  const socket = net.connect({ host: '127.0.0.1', port });
  socket.on('error', () => undefined);
  await once(socket, 'connect');
  return socket;
}

/** Reads from `socket` until `length` bytes arrived. */
function read(socket, length) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let got = 0;
    const onData = (chunk) => {
      chunks.push(chunk);
      got += chunk.length;
      if (got >= length) {
        socket.off('data', onData);
        resolve(Buffer.concat(chunks));
      }
    };
    socket.on('data', onData);
    socket.once('close', () => reject(new Error(`closed after ${got} of ${length} bytes`)));
  });
}

/** Resolves 'data' if `socket` receives a byte within `ms`, else 'nothing' (the bound of a "nothing arrives" check). */
function anyDataWithin(socket, ms) {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      socket.off('data', onData);
      resolve('nothing');
    }, ms);
    const onData = () => {
      clearTimeout(timer);
      resolve('data');
    };
    socket.once('data', onData);
  });
}

/** Resolves with the error code (or 'closed') once the socket is reset or closed. */
function closedWith(socket) {
  return new Promise((resolve) => {
    socket.once('error', (error) => resolve(error.code));
    socket.once('close', () => resolve('closed'));
  });
}

test('forwards bytes both ways on several connections', { timeout: 30_000 }, async () => {
  const echo = await echoServer();
  const proxy = await proxyTo({ port: echo.port });
  const sockets = await Promise.all([1, 2, 3].map(() => connect(proxy.port)));
  const replies = await Promise.all(sockets.map((socket, i) => {
    socket.write(`hello ${i}`);
    return read(socket, `hello ${i}`.length);
  }));
  assert.deepEqual(replies.map(String), ['hello 0', 'hello 1', 'hello 2']);
  assert.equal(proxy.connections, 3);
  for (const socket of sockets) socket.destroy();
});

test('a large transfer arrives whole and in order under backpressure', { timeout: 30_000 }, async () => {
  const echo = await echoServer();
  const proxy = await proxyTo({ port: echo.port });
  const socket = await connect(proxy.port);
  const payload = randomBytes(8 * 1024 * 1024);
  const reply = read(socket, payload.length);
  socket.write(payload);
  const received = await reply;
  assert.equal(received.length, payload.length);
  assert.equal(createHash('sha256').update(received).digest('hex'), createHash('sha256').update(payload).digest('hex'));
  socket.destroy();
});

test('pause holds every byte on open and new connections; resume delivers them in order', { timeout: 30_000 }, async () => {
  const echo = await echoServer();
  const proxy = await proxyTo({ port: echo.port });
  const open = await connect(proxy.port);
  open.write('a');
  assert.equal(String(await read(open, 1)), 'a');

  proxy.pause();
  open.write('bc');
  const late = await connect(proxy.port);
  late.write('xyz');
  // Nothing moves while paused: no echo comes back and the server received only the byte sent before.
  assert.equal(await anyDataWithin(open, 500), 'nothing');
  assert.equal(await anyDataWithin(late, 100), 'nothing');
  assert.equal(echo.server.received, 1);

  proxy.resume();
  assert.equal(String(await read(open, 2)), 'bc');
  assert.equal(String(await read(late, 3)), 'xyz');
  assert.equal(echo.server.received, 6);
  open.destroy();
  late.destroy();
});

test('cut resets open connections and refuses new ones until resume', { timeout: 30_000 }, async () => {
  const echo = await echoServer();
  const proxy = await proxyTo({ port: echo.port });
  const open = await connect(proxy.port);
  open.write('a');
  await read(open, 1);
  const reset = closedWith(open);
  proxy.cut();
  assert.equal(await reset, 'ECONNRESET');

  const refused = net.connect({ host: '127.0.0.1', port: proxy.port });
  assert.equal(await closedWith(refused), 'ECONNRESET');
  assert.ok(proxy.resets >= 2);

  proxy.resume();
  const again = await connect(proxy.port);
  again.write('back');
  assert.equal(String(await read(again, 4)), 'back');
  again.destroy();
});

test('fail-over: a connection goes to the first target that accepts it', { timeout: 30_000 }, async () => {
  const first = await echoServer('A');
  const second = await echoServer('B');
  const down = await echoServer();
  await down.close();
  const proxy = await proxyTo([{ port: down.port }, { port: first.port }, { port: second.port }]);

  const toFirst = await connect(proxy.port);
  assert.equal(String(await read(toFirst, 1)), 'A');
  // The first live target goes away: its connection closes, the next connection goes to the second.
  const closed = closedWith(toFirst);
  await first.close();
  assert.ok(['closed', 'ECONNRESET'].includes(await closed));
  const toSecond = await connect(proxy.port);
  assert.equal(String(await read(toSecond, 1)), 'B');
  toSecond.destroy();
  assert.deepEqual([...proxy.connectionsTo], [[first.port, 1], [second.port, 1]]);

  await second.close();
  const nobody = net.connect({ host: '127.0.0.1', port: proxy.port });
  assert.equal(await closedWith(nobody), 'ECONNRESET', 'no target left: the client is reset');
});
