// A TCP proxy the fault tests put between two processes to break the network between them on cue:
//   pause()  — a partition: every connection (open or new) stays open but no byte moves either way; senders
//              block once the kernel buffers fill, requests hang until the client's own timeout.
//   cut()    — the peer is gone: every open connection is reset and every new one is reset on accept.
//   resume() — the network is back (from paused or cut): paused connections move their held bytes on.
// With several targets it is a fail-over front (as a load balancer in front of replicas): each new connection
// goes to the first target that accepts it. Written on node:net because no npm proxy pauses open connections
// (toxiproxy does, but needs its own Go server, which neither npm nor Debian ships).
import net from 'node:net';

/** One client connection and its upstream connection. */
class Link {
  constructor(proxy, client) {
    this.proxy = proxy;
    this.client = client;
    this.upstream = null;
    this.closed = false;
    // A direction's reading is stopped while the proxy is paused or its destination is full.
    this.full = new Map();
    client.pause();
    client.on('error', () => this.destroy());
    client.on('close', () => this.destroy());
  }

  async connect() {
    for (const target of this.proxy.targets) {
      if (this.closed) return;
      const upstream = await new Promise((resolve) => {
        const socket = net.connect({ ...target, allowHalfOpen: true });
        socket.once('connect', () => resolve(socket));
        socket.once('error', () => resolve(null));
      });
      if (!upstream) continue;
      if (this.closed || this.proxy.state === 'cut') {
        upstream.resetAndDestroy();
        return;
      }
      this.upstream = upstream;
      this.target = target;
      this.proxy.connectionsTo.set(target.port, (this.proxy.connectionsTo.get(target.port) ?? 0) + 1);
      upstream.pause();
      upstream.on('error', () => this.destroy());
      upstream.on('close', () => this.destroy());
      this.forward(this.client, upstream);
      this.forward(upstream, this.client);
      this.flow();
      return;
    }
    // No target accepts: the client sees its connection reset, as from a port nobody listens on.
    this.reset();
  }

  forward(from, to) {
    this.full.set(from, false);
    from.on('data', (chunk) => {
      this.proxy.bytes += chunk.length;
      if (!to.write(chunk)) {
        this.full.set(from, true);
        from.pause();
      }
    });
    to.on('drain', () => {
      this.full.set(from, false);
      this.flow();
    });
    from.on('end', () => to.end());
  }

  /** Reading resumes on each direction that is neither paused nor blocked by a full destination. */
  flow() {
    if (this.closed || !this.upstream || this.proxy.state !== 'open') return;
    for (const socket of [this.client, this.upstream]) if (!this.full.get(socket)) socket.resume();
  }

  hold() {
    this.client.pause();
    this.upstream?.pause();
  }

  reset() {
    if (this.closed) return;
    this.closed = true;
    for (const socket of [this.client, this.upstream]) if (socket && !socket.destroyed) socket.resetAndDestroy();
    this.proxy.links.delete(this);
  }

  destroy() {
    if (this.closed) return;
    this.closed = true;
    this.client.destroy();
    this.upstream?.destroy();
    this.proxy.links.delete(this);
  }
}

export class TcpProxy {
  /**
   * `targets`: `[{ host, port }, …]` (or one), tried in order for each new connection. Listens on
   * `127.0.0.1:port` (default: a free port). Call `listen()` before use.
   */
  constructor(targets, { port = 0, host = '127.0.0.1' } = {}) {
    this.targets = (Array.isArray(targets) ? targets : [targets]).map((t) => ({ host: t.host ?? '127.0.0.1', port: Number(t.port) }));
    this.listenPort = port;
    this.host = host;
    this.state = 'open';
    this.links = new Set();
    /** Connections accepted, connections reset by cut(), bytes moved (both ways), connections made per target port. */
    this.accepted = 0;
    this.connectionsTo = new Map();
    this.resets = 0;
    this.bytes = 0;
    this.server = net.createServer({ pauseOnConnect: true, allowHalfOpen: true }, (client) => this.accept(client));
  }

  /** Starts listening; resolves to the proxy. */
  async listen() {
    await new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.listenPort, this.host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.port = this.server.address().port;
    return this;
  }

  /** A URL of the same scheme, credentials and path as `url`, with the proxy's host and port. */
  rewrite(url) {
    const u = new URL(url);
    u.hostname = this.host;
    u.port = String(this.port);
    return u.toString();
  }

  accept(client) {
    this.accepted += 1;
    if (this.state === 'cut') {
      this.resets += 1;
      client.on('error', () => undefined);
      client.resetAndDestroy();
      return;
    }
    const link = new Link(this, client);
    this.links.add(link);
    // While paused the connection is held open, unanswered; it reaches a target once the proxy resumes.
    if (this.state === 'open') void link.connect();
  }

  /** No byte moves on any connection, open or new, until resume(). */
  pause() {
    this.state = 'paused';
    for (const link of this.links) link.hold();
  }

  /** Reset every open connection; refuse (reset) new ones until resume(). */
  cut() {
    this.state = 'cut';
    for (const link of [...this.links]) {
      this.resets += 1;
      link.reset();
    }
  }

  /** Back to forwarding: held connections move on (and connect, if they came in while paused). */
  resume() {
    this.state = 'open';
    for (const link of [...this.links]) {
      if (link.upstream) link.flow();
      else void link.connect();
    }
  }

  /** Open client connections. */
  get connections() {
    return this.links.size;
  }

  /** Stops listening and destroys every connection. */
  async close() {
    for (const link of [...this.links]) link.destroy();
    await new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** Starts a proxy to `targets` (see TcpProxy); resolves once it listens. */
export function startTcpProxy(targets, options) {
  return new TcpProxy(targets, options).listen();
}
