import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';

export interface PortClaim {
  proto: 'tcp' | 'udp';
  host: string;
  port: number;
  /** What the port is for, for the error message. */
  what: string;
}

function tryBind(c: PortClaim): Promise<NodeJS.ErrnoException | null> {
  return new Promise((resolve) => {
    if (c.proto === 'tcp') {
      const srv = createServer();
      srv.once('error', (err) => resolve(err));
      srv.listen({ host: c.host, port: c.port, exclusive: true }, () => srv.close(() => resolve(null)));
    } else {
      const sock = createSocket('udp4');
      sock.once('error', (err) => {
        sock.close();
        resolve(err);
      });
      sock.bind({ address: c.host, port: c.port, exclusive: true }, () => sock.close(() => resolve(null)));
    }
  });
}

/** Throws one clear error naming every port that is already taken. */
export async function assertPortsFree(claims: PortClaim[]): Promise<void> {
  const problems: string[] = [];
  for (const c of claims) {
    const err = await tryBind(c);
    if (err) {
      problems.push(
        err.code === 'EADDRINUSE'
          ? `${c.what}: ${c.proto.toUpperCase()} ${c.host}:${c.port} is already in use by another process (another SeatBox or Asterisk?); stop it or choose another port`
          : `${c.what}: cannot bind ${c.proto.toUpperCase()} ${c.host}:${c.port}: ${err.message}`,
      );
    }
  }
  if (problems.length) throw new Error(problems.join('\n'));
}
