import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { EventEmitter } from 'node:events';
import type { HttpDeps } from './server.js';
import type { LiveMessage, Role, User } from './schemas.js';

/**
 * Who may receive a frame. Absent = every signed-in user. Frames carrying one agent's customer
 * (screen pops) or a lead alert go to exactly those users / roles, never to everybody.
 */
export interface LiveAudience {
  userIds?: number[];
  /** Users holding any of these roles (admin is not implied: say it when meant). */
  roles?: Role[];
}

export function inAudience(user: Pick<User, 'id' | 'roles'>, audience: LiveAudience | undefined): boolean {
  if (!audience) return true;
  if (audience.userIds?.includes(user.id)) return true;
  return !!audience.roles && user.roles.some((r) => audience.roles!.includes(r));
}

/** The live feed: modules publish, every websocket subscriber (in the audience) receives. */
export class LiveFeed extends EventEmitter {
  constructor() {
    super();
    this.setMaxListeners(0); // one listener per open browser tab
  }

  publish(msg: LiveMessage, audience?: LiveAudience): void {
    this.emit('message', msg, audience);
  }
}

export const liveRoutes: FastifyPluginAsyncTypebox<{ deps: HttpDeps }> = async (app, { deps }) => {
  app.get('/live', { websocket: true, schema: { tags: ['live'], summary: 'Websocket: pushes system status and call changes (LiveMessage JSON frames)' } }, (socket, req) => {
    const user = req.user;
    if (!user) {
      socket.close(4401, 'log in first');
      return;
    }
    const send = (msg: LiveMessage, audience?: LiveAudience): void => {
      if (!inAudience(user, audience)) return;
      // A slow browser must not make the agent buffer without limit.
      if (socket.readyState === socket.OPEN && socket.bufferedAmount < 4 * 1024 * 1024) socket.send(JSON.stringify(msg));
    };
    send({ type: 'hello', data: { user, status: deps.status(), calls: deps.calls() } });
    deps.live.on('message', send);
    socket.on('close', () => deps.live.off('message', send));
    socket.on('error', () => deps.live.off('message', send));
  });
};
