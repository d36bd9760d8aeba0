// A connected pty pair from socat (`socat -d -d pty,raw,echo=0 pty,raw,echo=0`): the modem
// simulator opens one end, the AT modem adapter the other, exactly as it would a /dev/ttyUSB2.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';

export interface PtyPair {
  a: string;
  b: string;
  /** the watchdog shell's pid (socat is its child) */
  pid: number;
  close(): Promise<void>;
}

export const SOCAT = '/usr/bin/socat';

export function socatAvailable(bin = SOCAT): boolean {
  return existsSync(bin);
}

export function createPtyPair(opts: { bin?: string; timeoutMs?: number } = {}): Promise<PtyPair> {
  const bin = opts.bin ?? SOCAT;
  return new Promise((resolve, reject) => {
    let child: ChildProcess;
    try {
      // socat outlives a killed agent (its ptys stay open on its side): a small shell watchdog
      // ends it when the agent's process is gone, or when we stop it (TERM → trap).
      const script = `"$0" -d -d pty,raw,echo=0 pty,raw,echo=0 & s=$!; trap 'kill $s 2>/dev/null; exit 0' TERM INT; while kill -0 ${process.pid} 2>/dev/null && kill -0 $s 2>/dev/null; do sleep 1; done; kill $s 2>/dev/null`;
      child = spawn('/bin/sh', ['-c', script, bin], { stdio: ['ignore', 'ignore', 'pipe'] });
    } catch (err) {
      reject(err as Error);
      return;
    }
    const paths: string[] = [];
    let err = '';
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new Error(`socat did not report two ptys within ${opts.timeoutMs ?? 5000} ms: ${err.slice(-300)}`));
    }, opts.timeoutMs ?? 5000);
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (d: string) => {
      err += d;
      for (const m of d.matchAll(/PTY is (\/dev\/\S+)/g)) paths.push(m[1]!);
      if (paths.length === 2 && /starting data transfer loop/.test(err)) {
        clearTimeout(timer);
        resolve({
          a: paths[0]!,
          b: paths[1]!,
          pid: child.pid!,
          close: async () => {
            if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
            // The trap runs once the shell's current `sleep 1` ends.
            await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
          },
        });
      }
    });
  });
}
