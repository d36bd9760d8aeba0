import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { EventEmitter } from 'node:events';
import type { HttpDeps } from './server.js';
import type { LiveMessage } from './schemas.js';

/** The live feed: modules publish, every websocket subscriber receives. */
export class LiveFeed extends EventEmitter {
  constructor() {
    super();
    this.setMaxListeners(0); // one listener per open browser tab
  }

  publish(msg: LiveMessage): void {
    this.emit('message', msg);
  }
}

export const liveRoutes: FastifyPluginAsyncTypebox<{ deps: HttpDeps }> = async (app, { deps }) => {
  app.get('/live', { websocket: true, schema: { tags: ['live'], summary: 'Websocket: pushes system status and call changes (LiveMessage JSON frames)' } }, (socket, req) => {
    const user = req.user;
    if (!user) {
      socket.close(4401, 'log in first');
      return;
    }
    const send = (msg: LiveMessage): void => {
      // A slow browser must not make the agent buffer without limit.
      if (socket.readyState === socket.OPEN && socket.bufferedAmount < 4 * 1024 * 1024) socket.send(JSON.stringify(msg));
    };
    send({ type: 'hello', data: { user, status: deps.status(), calls: deps.calls() } });
    deps.live.on('message', send);
    socket.on('close', () => deps.live.off('message', send));
    socket.on('error', () => deps.live.off('message', send));
  });
};
