// A Redis server of the test's own (Debian's redis-server, a free port, a temporary folder), configured as
// docker/compose.yaml configures the deployment's (append-only persistence, noeviction): tests can stop and
// start it without touching the machine's Redis or anyone else's data.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { parse } from 'yaml';
import { ChildProcessHandle, REPO_ROOT, freePort, waitFor } from './stack.mjs';

/** The redis-server arguments of the compose file's `redis` service (without the program name). */
export function composeRedisArgs(file = path.join(REPO_ROOT, 'docker/compose.yaml')) {
  const command = parse(readFileSync(file, 'utf8')).services?.redis?.command;
  if (!Array.isArray(command) || command[0] !== 'redis-server') throw new Error(`${file}: the redis service's command is not a redis-server list`);
  return command.slice(1).map(String);
}

/** The path of redis-server, or null when it is not installed. */
export function redisServerPath() {
  try {
    return execFileSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).trim() || null;
  } catch {
    return null;
  }
}

/** One RESP command on a fresh connection; resolves to the reply's first line. */
export function redisCommand(port, ...args) {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let reply = '';
    socket.once('error', reject);
    socket.on('data', (chunk) => {
      reply += chunk.toString('utf8');
      const end = reply.indexOf('\r\n');
      if (end >= 0) {
        socket.destroy();
        resolve(reply.slice(0, end));
      }
    });
    socket.write(`*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(String(a))}\r\n${a}\r\n`).join('')}`);
  });
}

/**
 * Starts redis-server in `dir` on a free port with the compose file's arguments. Returns `{ port, url(db),
 * stop(), start(), starts, handle }`: `stop()` shuts it down cleanly (SIGTERM: the append-only file is
 * flushed), `start()` starts it again on the same port and folder and resolves once it answers PING.
 */
export async function startRedisServer(dir) {
  const binary = redisServerPath();
  if (!binary) throw new Error('redis-server is not installed (Debian package redis-server)');
  await mkdir(dir, { recursive: true });
  const port = await freePort();
  const args = [...composeRedisArgs(), '--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--daemonize', 'no'];
  const server = { port, starts: 0, handle: null };

  server.start = async () => {
    server.starts += 1;
    const handle = new ChildProcessHandle(`redis#${server.starts}`, binary, args, { cwd: dir });
    server.handle = handle;
    await waitFor('redis-server to answer PING', async () => {
      handle.assertAlive();
      return (await redisCommand(port, 'PING')) === '+PONG';
    }, { timeout: 30_000, interval: 100 });
  };
  server.stop = async () => server.handle?.stop();
  server.url = (db = 0) => `redis://127.0.0.1:${port}/${db}`;

  await server.start();
  return server;
}
