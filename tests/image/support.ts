// Helpers for the qemu image tests: a working copy of the disk, qemu with the serial console
// in a file, waiting for serial markers, the API through the forwarded port.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, createReadStream, existsSync, openSync, readFileSync, readSync, closeSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';

export const REPO = join(import.meta.dirname, '..', '..');
export const OUT = join(REPO, 'dist', 'image');

export function partitions(disk: string): Array<{ start: number; size: number; name: string }> {
  const j = JSON.parse(execFileSync('sfdisk', ['-J', disk], { encoding: 'utf8' })) as { partitiontable: { partitions: Array<{ start: number; size: number; name: string }> } };
  return j.partitiontable.partitions.map((p) => ({ start: p.start * 512, size: p.size * 512, name: p.name }));
}

/** True when the byte range of `disk` is all zeros (an untouched, never written slot). */
export function regionIsZero(disk: string, start: number, size: number): boolean {
  const fd = openSync(disk, 'r');
  const buf = Buffer.alloc(4 << 20);
  try {
    for (let off = 0; off < size; off += buf.length) {
      const n = readSync(fd, buf, 0, Math.min(buf.length, size - off), start + off);
      for (let i = 0; i < n; i += 8) if (buf.readBigUInt64LE(i) !== 0n) return false;
    }
  } finally {
    closeSync(fd);
  }
  return true;
}

export class Vm {
  proc?: ChildProcess;
  readonly serial: string;
  constructor(
    readonly disk: string,
    readonly port: number,
    readonly workDir: string,
  ) {
    this.serial = join(workDir, 'serial.log');
  }

  start(): void {
    this.proc = spawn('nice', ['-n', '10', 'bash', join(REPO, 'image', 'run-qemu.sh'), '--image', this.disk, '--serial', `file:${this.serial}`, '--port', String(this.port)], {
      stdio: ['ignore', 'inherit', 'inherit'],
    });
  }

  async stop(): Promise<void> {
    const p = this.proc;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill('SIGTERM');
    await exited;
  }

  /** The serial console output, escape sequences removed. */
  log(): string {
    return existsSync(this.serial) ? readFileSync(this.serial, 'latin1').replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '') : '';
  }

  /** Waits for `re` in the serial output after character offset `from`; returns the match end. */
  async waitSerial(re: RegExp, from: number, timeoutMs: number): Promise<{ match: RegExpExecArray; end: number }> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const text = this.log().slice(from);
      const m = re.exec(text);
      if (m) return { match: m, end: from + m.index + m[0].length };
      if (this.proc?.exitCode !== null && this.proc?.exitCode !== undefined) throw new Error(`qemu exited (${this.proc.exitCode}) waiting for ${re}`);
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${re} on the serial console; last output:\n${this.log().slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 2000));
    }
  }
}

export class Api {
  cookie = '';
  constructor(readonly base: string) {}

  async call(method: string, path: string, body?: unknown, csrf?: string): Promise<Response> {
    const res = await fetch(this.base + path, {
      method,
      headers: { cookie: this.cookie, ...(body ? { 'content-type': 'application/json' } : {}), ...(csrf ? { 'x-csrf-token': csrf } : {}) },
      body: body ? JSON.stringify(body) : undefined,
      signal: AbortSignal.timeout(30_000),
    });
    for (const c of res.headers.getSetCookie()) {
      const pair = c.split(';')[0]!;
      const name = pair.split('=')[0]!;
      this.cookie = [...this.cookie.split('; ').filter((x) => x && !x.startsWith(`${name}=`)), pair].join('; ');
    }
    return res;
  }

  async csrf(): Promise<string> {
    return ((await (await this.call('GET', '/api/v1/auth/csrf')).json()) as { token: string }).token;
  }

  async health(): Promise<{ status: string } | null> {
    try {
      const r = await fetch(`${this.base}/api/v1/health`, { signal: AbortSignal.timeout(5000) });
      return r.ok ? ((await r.json()) as { status: string }) : null;
    } catch {
      return null;
    }
  }

  async waitHealthy(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while ((await this.health())?.status !== 'ok') {
      if (Date.now() > deadline) throw new Error('the web UI/API did not become healthy in time');
      await new Promise((r) => setTimeout(r, 3000));
    }
  }

  /** Sets up the admin on a fresh box, or logs in. */
  async admin(): Promise<void> {
    const creds = { username: 'admin', password: 'Image-Test-Pw-2026' };
    const setup = await this.call('POST', '/api/v1/setup', creds, await this.csrf());
    if (setup.status !== 200) {
      const login = await this.call('POST', '/api/v1/auth/login', creds, await this.csrf());
      if (login.status !== 200) throw new Error(`cannot log in: ${login.status} ${await login.text()}`);
    }
  }

  /** Streams a bundle file to the upload endpoint. */
  async upload(file: string): Promise<{ status: number; body: Record<string, unknown> }> {
    const csrf = await this.csrf();
    const url = new URL(`${this.base}/api/v1/system/update/bundle`);
    return new Promise((resolve, reject) => {
      const req = request(
        { host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { cookie: this.cookie, 'x-csrf-token': csrf, 'content-type': 'application/octet-stream', 'content-length': statSync(file).size } },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (text += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text || '{}') as Record<string, unknown> }));
        },
      );
      req.on('error', reject);
      createReadStream(file).pipe(req);
    });
  }
}

/** A copy of an ext4 image with files replaced (debugfs: no mount needed). */
export function patchedRootfs(src: string, dest: string, files: Record<string, string>, scratch: string): void {
  copyFileSync(src, dest);
  const cmds: string[] = [];
  let i = 0;
  for (const [path, content] of Object.entries(files)) {
    const local = join(scratch, `patch-${i++}`);
    execFileSync('sh', ['-c', 'cat > "$1"', 'sh', local], { input: content });
    cmds.push(`rm ${path}`, `write ${local} ${path}`, `sif ${path} mode 0100644`, `sif ${path} uid 0`, `sif ${path} gid 0`);
  }
  execFileSync('debugfs', ['-w', '-f', '-', dest], { input: cmds.join('\n') + '\n', stdio: ['pipe', 'ignore', 'ignore'] });
  execFileSync('e2fsck', ['-fn', dest], { stdio: 'ignore' });
}
