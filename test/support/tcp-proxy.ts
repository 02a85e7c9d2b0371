import net from 'node:net';

/**
 * A TCP proxy on loopback for fault tests: forwards connections to a target (PostgreSQL), and on
 * command cuts every open connection (both sides closed), refuses new ones while "down", or delays
 * every chunk in both directions (order kept).
 */
export class TcpProxy {
  private readonly sockets = new Set<net.Socket>();
  private down = false;
  /** Added to every chunk, each direction. */
  delayMs = 0;
  /** Connections accepted, and cut or refused, so far. */
  readonly counts = { accepted: 0, cut: 0, refused: 0 };

  private constructor(
    private readonly server: net.Server,
    readonly port: number,
  ) {}

  static async start(targetPort: number, targetHost = '127.0.0.1'): Promise<TcpProxy> {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const proxy = new TcpProxy(server, (server.address() as net.AddressInfo).port);
    server.on('connection', (client) => proxy.accept(client, targetPort, targetHost));
    return proxy;
  }

  private accept(client: net.Socket, targetPort: number, targetHost: string): void {
    if (this.down) {
      this.counts.refused++;
      client.destroy();
      return;
    }
    this.counts.accepted++;
    const upstream = net.connect(targetPort, targetHost);
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => {
        this.sockets.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    this.forward(client, upstream);
    this.forward(upstream, client);
  }

  /** Chunks go through one promise chain per direction: a delay never reorders them. */
  private forward(from: net.Socket, to: net.Socket): void {
    let chain = Promise.resolve();
    from.on('data', (chunk) => {
      const delay = this.delayMs;
      chain = chain.then(async () => {
        if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
        if (!to.destroyed) to.write(chunk);
      });
    });
  }

  /**
   * Closes every open connection at once, both sides, as a network failure or a restarted router
   * would. (Not with resetAndDestroy: a socket reset that way kept the test process from exiting,
   * spinning in Node's handle cleanup.)
   */
  cut(): number {
    const open = [...this.sockets];
    for (const socket of open) socket.destroy();
    this.counts.cut += open.length / 2;
    return open.length / 2;
  }

  /** While down, new connections are refused (closed at once). */
  setDown(down: boolean): void {
    this.down = down;
  }

  get openConnections(): number {
    return this.sockets.size / 2;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
