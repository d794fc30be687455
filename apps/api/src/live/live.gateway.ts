import { Logger } from '@nestjs/common';
import { ConnectedSocket, MessageBody, SubscribeMessage, WebSocketGateway, WebSocketServer, type OnGatewayInit } from '@nestjs/websockets';
import { QUEUE_ROOM, SOCKET_PATH, SocketEvents, subscribeSchema, type SubscribeAck } from '@equilab/contracts';
import type { Server, Socket } from 'socket.io';
import type { Principal } from '../auth/principal';
import { ProjectAccessService } from '../auth/project-access.service';
import { bearerToken, TokensService } from '../auth/tokens.service';
import { LiveService } from './live.service';

/**
 * socket.io: authenticated on connect (`auth: { token }` or an Authorization header); clients join
 * `project:<id>`, `sweep:<id>`, `run:<id>` or `queue`. Run tokens may only join their run's room; member tokens
 * only rooms of their granted projects (no queue room: the queue spans every project); runner tokens none.
 * CORS comes from the API's CORS_ORIGINS (RedisIoAdapter), not from here.
 */
@WebSocketGateway({ path: SOCKET_PATH })
export class LiveGateway implements OnGatewayInit {
  private readonly logger = new Logger('Live');
  @WebSocketServer() server!: Server;

  constructor(
    private readonly tokens: TokensService,
    private readonly live: LiveService,
    private readonly access: ProjectAccessService,
  ) {}

  afterInit(server: Server): void {
    this.live.attach(server);
    server.use((socket, next) => {
      const auth = socket.handshake.auth as { token?: unknown } | undefined;
      const token = typeof auth?.token === 'string' ? auth.token : bearerToken(socket.handshake.headers.authorization);
      if (!token) {
        next(new Error('unauthorized'));
        return;
      }
      this.tokens.resolve(token).then(
        ({ principal }) => {
          if (!principal || principal.scope === 'runner') return next(new Error('unauthorized'));
          (socket.data as { principal?: Principal }).principal = principal;
          next();
        },
        (error: unknown) => {
          this.logger.warn(`socket auth failed: ${(error as Error).message}`);
          next(new Error('unavailable'));
        },
      );
    });
  }

  @SubscribeMessage(SocketEvents.subscribe)
  async subscribe(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown): Promise<SubscribeAck> {
    const parsed = subscribeSchema.safeParse(body);
    if (!parsed.success) {
      const room = (body as { room?: unknown } | null)?.room;
      return { ok: false, room: typeof room === 'string' ? room : '', error: parsed.error.issues[0]?.message ?? 'invalid room' };
    }
    const { room } = parsed.data;
    const principal = (socket.data as { principal?: Principal }).principal;
    if (principal?.scope === 'run' && room !== `run:${principal.runId}` && room !== QUEUE_ROOM) {
      return { ok: false, room, error: 'forbidden' };
    }
    if (principal?.projectIds) {
      const [kind = '', id = ''] = room.split(':');
      const outside = kind === 'project' || kind === 'run' || kind === 'sweep' ? await this.access.firstOutside(kind, [id], principal.projectIds) : room;
      if (outside) return { ok: false, room, error: 'not found' };
    }
    await socket.join(room);
    return { ok: true, room };
  }

  @SubscribeMessage(SocketEvents.unsubscribe)
  async unsubscribe(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown): Promise<SubscribeAck> {
    const parsed = subscribeSchema.safeParse(body);
    if (!parsed.success) return { ok: false, room: '', error: 'invalid room' };
    await socket.leave(parsed.data.room);
    return { ok: true, room: parsed.data.room };
  }
}
