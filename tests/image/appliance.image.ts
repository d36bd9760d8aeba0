// The appliance image end to end, in qemu (TCG when KVM does not work): boot to the web UI,
// refuse a badly signed bundle without writing a byte, roll back by itself from a bundle whose
// health check fails, update A -> B. One VM, rebooting in place, on a working copy of
// dist/image/seatbox.img. Run: npm run test:image (builds the image first).
// Figures (boot, update, rollback times) are printed and written to dist/image/measurements.json.
import { generateKeyPairSync } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPrivateKey, makeBundle } from '../../firmware-agent/src/system/update/bundle.js';
import { Api, OUT, Vm, partitions, patchedRootfs, regionIsZero } from './support.js';

const CACHE = process.env.SEATBOX_CACHE || '/var/cache/seatbox';
const PORT = Number(process.env.SEATBOX_IMAGE_TEST_PORT || 18090);
const figures: Record<string, number | string> = {};
const secs = (t0: number) => Math.round((Date.now() - t0) / 1000);

let work: string;
let disk: string;
let vm: Vm;
const api = new Api(`http://127.0.0.1:${PORT}`);
const baseVersion = readFileSync(join(OUT, 'rootfs.version'), 'utf8').trim();
const bundles: Record<'bad' | 'broken' | 'good', string> = { bad: '', broken: '', good: '' };
let bundlesReady: Promise<void>;

async function updateStatus(): Promise<{ slot: string; rolledBackFrom: string | null; grubenv: Record<string, string>; state: { phase: string; errorCode: string | null } }> {
  return (await (await api.call('GET', '/api/v1/system/update')).json()) as never;
}

async function install(bundle: string): Promise<number> {
  const up = await api.upload(bundle);
  expect(up.status, JSON.stringify(up.body)).toBe(200);
  const t0 = Date.now();
  const res = await api.call('POST', '/api/v1/system/update/install', { reboot: true }, await api.csrf());
  expect(res.status).toBe(202);
  return t0;
}

beforeAll(async () => {
  expect(existsSync(join(OUT, 'seatbox.img')), 'run image/build.sh first (npm run test:image does)').toBe(true);
  work = mkdtempSync(join(tmpdir(), 'seatbox-image-test-'));
  disk = join(work, 'disk.img');
  execFileSync('cp', ['--sparse=always', join(OUT, 'seatbox.img'), disk]);
  vm = new Vm(disk, PORT, work);
  vm.start();
  // Bundles are made while the VM boots.
  bundlesReady = (async () => {
    const key = loadPrivateKey(readFileSync(join(CACHE, 'image', 'keys', 'update.key')));
    const rootfs = join(OUT, 'rootfs.ext4');
    // 1. Signed with a key the box does not trust.
    const tiny = join(work, 'tiny.ext4');
    writeFileSync(tiny, Buffer.alloc(4 << 20));
    bundles.bad = join(work, 'bad-signature.bundle');
    await makeBundle({ rootfs: tiny, version: `${baseVersion}-evil`, privateKey: generateKeyPairSync('ed25519').privateKey, out: bundles.bad, level: 1 });
    // 2. Properly signed, but its agent never comes up: the health check must fail.
    const broken = join(work, 'broken.ext4');
    patchedRootfs(rootfs, broken, {
      '/opt/seatbox/firmware-agent/bin/seatbox.js': '#!/usr/bin/env node\nconsole.error("deliberately broken agent (image test)");\nprocess.exit(3);\n',
      '/etc/seatbox/health.env': 'SEATBOX_HEALTH_TIMEOUT=60\n',
      '/etc/seatbox-release': `SEATBOX_VERSION=${baseVersion}-broken\nSEATBOX_BUILD=test\n`,
    }, work);
    bundles.broken = join(work, 'broken.bundle');
    await makeBundle({ rootfs: broken, version: `${baseVersion}-broken`, privateKey: key, out: bundles.broken, level: 1 });
    rmSync(broken);
    // 3. A good update: same system, new version.
    const good = join(work, 'good.ext4');
    patchedRootfs(rootfs, good, { '/etc/seatbox-release': `SEATBOX_VERSION=${baseVersion}-next\nSEATBOX_BUILD=test\n` }, work);
    bundles.good = join(work, 'good.bundle');
    await makeBundle({ rootfs: good, version: `${baseVersion}-next`, privateKey: key, out: bundles.good, level: 1 });
    rmSync(good);
  })();
  bundlesReady.catch(() => undefined);
});

afterAll(async () => {
  await vm?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
  if (Object.keys(figures).length) {
    writeFileSync(join(OUT, 'measurements.json'), `${JSON.stringify(figures, null, 2)}\n`);
    console.log('image test figures:', JSON.stringify(figures));
  }
});

describe('appliance image in qemu', () => {
  const slotB = () => partitions(disk).find((p) => p.name === 'seatbox-root-b')!;

  it('boots from slot A to the web UI (/api/v1/health through the forwarded port)', async () => {
    const t0 = Date.now();
    await vm.waitSerial(/SeatBox: booting slot a/, 0, 5 * 60_000);
    await api.waitHealthy(15 * 60_000);
    figures.bootToHealthySeconds = secs(t0);
    const html = await (await fetch(`${api.base}/`)).text();
    expect(html).toMatch(/<div id="app"|<script/);
    await api.admin();
    const st = await updateStatus();
    expect(st.slot).toBe('a');
    expect(st.grubenv).toMatchObject({ boot_slot: 'a', boot_success: '1' });
    expect(vm.log()).toMatch(/SEATBOX-HEALTH: slot a confirmed/);
  });

  it('refuses a bundle with a bad signature, writing nothing to the inactive slot', async () => {
    await bundlesReady;
    const b = slotB();
    expect(regionIsZero(disk, b.start, b.size)).toBe(true);
    const res = await api.upload(bundles.bad);
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('bad_signature');
    const install = await api.call('POST', '/api/v1/system/update/install', { reboot: true }, await api.csrf());
    expect(install.status).toBe(409);
    expect(regionIsZero(disk, b.start, b.size)).toBe(true);
    const st = await updateStatus();
    expect(st.grubenv).toMatchObject({ boot_slot: 'a', boot_success: '1' });
    expect(st.state).toMatchObject({ phase: 'failed', errorCode: 'bad_signature' });
  });

  it('falls back to slot A by itself when the new slot fails its health check', async () => {
    const from = vm.log().length;
    const t0 = await install(bundles.broken);
    const tried = await vm.waitSerial(/SeatBox: booting slot b \(tries left 0, confirmed 0\)/, from, 20 * 60_000);
    figures.brokenUpdateWriteAndRebootSeconds = secs(t0);
    const trial = await vm.waitSerial(/SEATBOX-HEALTH: slot b is on trial/, tried.end, 10 * 60_000);
    await vm.waitSerial(/SEATBOX-HEALTH: slot b NOT healthy/, trial.end, 10 * 60_000);
    const back = await vm.waitSerial(/falling back to slot a/, trial.end, 10 * 60_000);
    const rebooted = await vm.waitSerial(/SeatBox: booting slot a/, back.end, 5 * 60_000);
    await vm.waitSerial(/SEATBOX-HEALTH: slot a booted after a rollback from slot b/, rebooted.end, 15 * 60_000);
    await api.waitHealthy(15 * 60_000);
    figures.rollbackSecondsFromInstall = secs(t0);
    await api.admin();
    const st = await updateStatus();
    expect(st.slot).toBe('a');
    expect(st.rolledBackFrom).toBe('b');
    expect(st.grubenv).toMatchObject({ boot_slot: 'a', boot_success: '1' });
  });

  it('updates A -> B: writes, reboots into B, the health check marks B good', async () => {
    const from = vm.log().length;
    const t0 = await install(bundles.good);
    const boot = await vm.waitSerial(/SeatBox: booting slot b \(tries left 0, confirmed 0\)/, from, 20 * 60_000);
    await vm.waitSerial(new RegExp(`SEATBOX-HEALTH: slot b healthy after \\d+s; marked good \\(version ${baseVersion.replace(/[.+]/g, '\\$&')}-next\\)`), boot.end, 15 * 60_000);
    await api.waitHealthy(5 * 60_000);
    figures.updateSecondsFromInstallToConfirmed = secs(t0);
    await api.admin();
    const st = await updateStatus();
    expect(st.slot).toBe('b');
    expect(st.rolledBackFrom).toBeNull();
    // Confirmed: B is now also the slot to fall back to.
    expect(st.grubenv).toMatchObject({ boot_slot: 'b', prev_slot: 'b', boot_success: '1', boot_tries: '0' });
  });
});
