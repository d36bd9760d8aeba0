// Restore through the running daemon (`seatbox serve --demo`, real Asterisk 22): back up via
// the API, change data, restore with the typed confirmation; the agent stops what it runs
// (HTTP, AMI, Asterisk), swaps the database in, starts again, and serves the backed-up data.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, freeUdpPortExcept } from '../support/asterisk.js';

const BIN = join(__dirname, '..', '..', 'firmware-agent', 'bin', 'seatbox.js');
let child: ChildProcess | undefined;
const dirs: string[] = [];
afterAll(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('restore through the running agent', () => {
  it('restarts cleanly into the restored data', async () => {
    const data = mkdtempSync(join(tmpdir(), 'seatbox-restore-agent-'));
    dirs.push(data);
    const port = await freePort();
    const amiPort = await freePort();
    child = spawn(process.execPath, [BIN, 'serve', '--demo', '--data', data, '--port', String(port),
      '--ami-port', String(amiPort), '--sip-port', String(await freeUdpPortExcept([amiPort, port])), '--demo-interval', '3600'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, SEATBOX_LOG_LEVEL: 'warn' },
    });
    let output = '';
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    const base = `http://127.0.0.1:${port}`;
    let cookie = '';
    const call = async (method: string, path: string, body?: unknown) => {
      const headers: Record<string, string> = { cookie };
      if (method !== 'GET') {
        const r = await fetch(`${base}/api/v1/auth/csrf`, { headers: { cookie } });
        for (const c of r.headers.getSetCookie()) cookie = [...cookie.split('; ').filter((x) => x && !x.startsWith(c.split('=')[0]! + '=')), c.split(';')[0]!].join('; ');
        headers['x-csrf-token'] = ((await r.json()) as { token: string }).token;
        headers.cookie = cookie;
      }
      if (body !== undefined) headers['content-type'] = 'application/json';
      const res = await fetch(base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
      for (const c of res.headers.getSetCookie()) cookie = [...cookie.split('; ').filter((x) => x && !x.startsWith(c.split('=')[0]! + '=')), c.split(';')[0]!].join('; ');
      return res;
    };
    const healthy = async (startedAfter?: number) => {
      const deadline = Date.now() + 90_000;
      while (Date.now() < deadline) {
        if (child!.exitCode !== null) throw new Error(`agent exited (${child!.exitCode}):\n${output}`);
        try {
          const h = (await (await fetch(`${base}/api/v1/health`)).json()) as { status: string; uptime: number };
          if (h.status === 'ok' && (startedAfter === undefined || h.uptime <= startedAfter)) return;
        } catch {
          // restarting
        }
        await new Promise((r) => setTimeout(r, 250));
      }
      throw new Error(`agent not healthy in time:\n${output}`);
    };
    await healthy();
    expect((await call('POST', '/api/v1/setup', { username: 'admin', password: 'Restore-Test-9x' })).status).toBe(200);
    const made = await call('POST', '/api/v1/system/backups', {});
    expect(made.status).toBe(200);
    const { id } = (await made.json()) as { id: string };

    // After the backup: a second user (only in the live data).
    expect((await call('POST', '/api/v1/auth/logout', {})).status).toBe(200);
    const login = async () => expect((await call('POST', '/api/v1/auth/login', { username: 'admin', password: 'Restore-Test-9x' })).status).toBe(200);
    await login();
    const audits = async () => ((await (await call('GET', '/api/v1/system/backups')).json()) as { backups: Array<{ id: string; rows: number }> }).backups;
    expect((await audits()).map((b) => b.id)).toEqual([id]);

    const restore = await call('POST', `/api/v1/system/backups/${id}/restore`, { confirm: id });
    expect(restore.status).toBe(202);
    // The agent restarts in-process: a fresh uptime, Asterisk connected again.
    await new Promise((r) => setTimeout(r, 1500));
    await healthy(30);
    expect(child.exitCode).toBeNull();
    // The session made after the backup is gone with the restored database: log in again.
    expect((await call('GET', '/api/v1/system/backups')).status).toBe(401);
    await login();
    const after = await audits();
    expect(after.map((b) => b.id)).toEqual([id]);
    expect(output).not.toMatch(/failed to restart/);
  }, 180_000);
});
