#!/usr/bin/env node
// Container health probe without curl/wget (slim images have neither). Dependency-free on purpose.
//   node healthcheck.mjs http://127.0.0.1:4000/api/health   -> exit 0 on a 2xx answer within 4 s
//   node healthcheck.mjs redis                              -> exit 0 when REDIS_URL answers PING (runners: a worker
//                                                              that cannot reach its queue is unhealthy)
import net from 'node:net';
import tls from 'node:tls';

const target = process.argv[2];
const fail = (why) => {
  console.error(`unhealthy: ${why}`);
  process.exit(1);
};
const timer = setTimeout(() => fail(`no answer from ${target} within 4 s`), 4000);

if (!target) fail('usage: healthcheck.mjs <http-url>|redis');
else if (target === 'redis') {
  const raw = process.env.REDIS_URL;
  if (!raw) fail('REDIS_URL is not set');
  const url = new URL(raw);
  const port = Number(url.port || 6379);
  const socket =
    url.protocol === 'rediss:'
      ? tls.connect({ host: url.hostname, port, servername: url.hostname })
      : net.connect({ host: url.hostname, port });
  socket.on('error', (err) => fail(`REDIS_URL ${url.hostname}:${port}: ${err.message}`));
  const auth = url.password
    ? `AUTH ${url.username ? `${decodeURIComponent(url.username)} ` : ''}${decodeURIComponent(url.password)}\r\n`
    : '';
  socket.write(`${auth}PING\r\n`);
  let seen = '';
  socket.on('data', (chunk) => {
    seen += chunk.toString();
    if (seen.includes('+PONG')) {
      clearTimeout(timer);
      socket.end();
      process.exit(0);
    }
    if (seen.startsWith('-') || !/^[+-]/.test(seen)) fail(`REDIS_URL answered ${seen.trim().slice(0, 80)}`);
  });
  socket.on('close', () =>
    fail(`REDIS_URL ${url.hostname}:${port} closed the connection before answering PING`),
  );
} else {
  fetch(target)
    .then((res) => {
      clearTimeout(timer);
      if (res.ok) process.exit(0);
      fail(`${target} answered HTTP ${res.status}`);
    })
    .catch((err) => fail(`${target}: ${err.message}`));
}
