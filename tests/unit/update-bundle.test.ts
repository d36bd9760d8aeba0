// Signed update bundles and the A/B update service, against plain files standing in for the
// slot partitions and grubenv (the qemu tests in tests/image/ do the same on the real image).
import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, createReadStream, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BundleError, makeBundle, readBundleHeader, verifyBundle } from '../../firmware-agent/src/system/update/bundle.js';
import { formatGrubEnv, readGrubEnv } from '../../firmware-agent/src/system/update/grubenv.js';
import { UpdateService, type UpdateState } from '../../firmware-agent/src/system/update/update-service.js';
import type { SlotLayout } from '../../firmware-agent/src/system/update/slots.js';

const keys = generateKeyPairSync('ed25519');
const otherKeys = generateKeyPairSync('ed25519');
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

let dir: string;
let rootfs: string;
let image: Buffer;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'seatbox-update-'));
  // A small "filesystem image": random head, zero tail (like a real ext4 image).
  image = Buffer.concat([randomBytes(300_000), Buffer.alloc(700_000)]);
  rootfs = join(dir, 'rootfs.ext4');
  writeFileSync(rootfs, image);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function bundle(name = 'ok.bundle', privateKey = keys.privateKey, version = '1.2.3'): Promise<string> {
  const out = join(dir, name);
  await makeBundle({ rootfs, version, privateKey, out, level: 1 });
  return out;
}

function layout(opts: { slot?: 'a' | 'b' | null; success?: string; slotBytes?: number } = {}): SlotLayout {
  const l: SlotLayout = {
    cmdlinePath: join(dir, 'cmdline'),
    grubenvPath: join(dir, 'grubenv'),
    devices: { a: join(dir, 'slot-a'), b: join(dir, 'slot-b') },
  };
  const slot = opts.slot === undefined ? 'a' : opts.slot;
  writeFileSync(l.cmdlinePath, `root=PARTLABEL=seatbox-root-${slot ?? 'a'} ro quiet${slot ? ` seatbox.slot=${slot}` : ''} console=ttyS0,115200n8\n`);
  writeFileSync(l.grubenvPath, formatGrubEnv({ boot_slot: slot ?? 'a', prev_slot: slot ?? 'a', boot_success: opts.success ?? '1', boot_tries: '0' }));
  // Slots pre-filled with a pattern: "no byte written" is checked against it.
  writeFileSync(l.devices.a, Buffer.alloc(opts.slotBytes ?? 2_000_000, 0xaa));
  writeFileSync(l.devices.b, Buffer.alloc(opts.slotBytes ?? 2_000_000, 0xbb));
  return l;
}

function service(l: SlotLayout, reboots: string[] = []) {
  return new UpdateService({ stagingDir: join(dir, 'staging'), publicKey: keys.publicKey, layout: l, currentVersion: '1.0.0', reboot: async () => void reboots.push('reboot') });
}

const slotB = (l: SlotLayout) => readFileSync(l.devices.b);
const untouched = (l: SlotLayout) => slotB(l).equals(Buffer.alloc(slotB(l).length, 0xbb));

describe('update bundle', () => {
  it('signs a root image and verifies signature, size and sha256', async () => {
    const path = await bundle();
    const { manifest } = await verifyBundle(path, keys.publicKey);
    expect(manifest.version).toBe('1.2.3');
    expect(manifest.image).toEqual({ fs: 'ext4', size: image.length, sha256: sha(image) });
    expect(manifest.payload.compression).toBe('gzip');
    expect(manifest.payload.size).toBeLessThan(image.length); // the zero tail compresses
  });

  it('refuses a bundle signed with another key (bad signature)', async () => {
    const path = await bundle('evil.bundle', otherKeys.privateKey);
    await expect(verifyBundle(path, keys.publicKey)).rejects.toMatchObject({ code: 'bad_signature' });
  });

  it('refuses a manifest changed after signing', async () => {
    const path = await bundle();
    const buf = readFileSync(path);
    const at = buf.indexOf(Buffer.from('"version":"1.2.3"'));
    buf.write('"version":"9.2.3"', at);
    writeFileSync(path, buf);
    await expect(readBundleHeader(path, keys.publicKey)).rejects.toMatchObject({ code: 'bad_signature' });
  });

  it('refuses a payload changed after signing, or truncated, or extended', async () => {
    const path = await bundle();
    const good = readFileSync(path);
    const flipped = Buffer.from(good);
    flipped[flipped.length - 100]! ^= 0x01;
    writeFileSync(path, flipped);
    await expect(verifyBundle(path, keys.publicKey)).rejects.toMatchObject({ code: 'bad_payload' });
    writeFileSync(path, good.subarray(0, good.length - 1));
    await expect(verifyBundle(path, keys.publicKey)).rejects.toMatchObject({ code: 'bad_payload' });
    writeFileSync(path, Buffer.concat([good, Buffer.from('x')]));
    await expect(verifyBundle(path, keys.publicKey)).rejects.toMatchObject({ code: 'bad_payload' });
  });

  it('refuses something that is not a bundle', async () => {
    const path = join(dir, 'junk');
    writeFileSync(path, randomBytes(5000));
    const err = await verifyBundle(path, keys.publicKey).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BundleError);
    expect((err as BundleError).code).toBe('bad_format');
  });
});

describe('update service (A/B)', () => {
  it('writes the image to the inactive slot with progress and sets GRUB to try it once', async () => {
    const l = layout({ slot: 'a' });
    const reboots: string[] = [];
    const svc = service(l, reboots);
    const progress: UpdateState[] = [];
    svc.on('progress', (s: UpdateState) => progress.push(s));
    const path = await bundle();
    const m = await svc.receive(createReadStream(path), statSync(path).size);
    expect(m.version).toBe('1.2.3');
    expect(untouched(l)).toBe(true); // verification alone writes nothing
    const st = await svc.install({ reboot: true });
    expect(st.phase).toBe('rebooting');
    expect(st.targetSlot).toBe('b');
    const b = slotB(l);
    expect(b.subarray(0, image.length).equals(image)).toBe(true);
    expect(b.subarray(image.length).equals(Buffer.alloc(b.length - image.length, 0xbb))).toBe(true);
    expect(readFileSync(l.devices.a).equals(Buffer.alloc(2_000_000, 0xaa))).toBe(true); // running slot untouched
    expect(readGrubEnv(l.grubenvPath)).toMatchObject({ boot_slot: 'b', prev_slot: 'a', boot_success: '0', boot_tries: '1' });
    expect(reboots).toEqual(['reboot']);
    const writing = progress.filter((p) => p.phase === 'writing');
    expect(writing.at(-1)).toMatchObject({ bytesDone: image.length, bytesTotal: image.length });
    for (let i = 1; i < writing.length; i++) expect(writing[i]!.bytesDone).toBeGreaterThanOrEqual(writing[i - 1]!.bytesDone);
    expect(svc.status()).toMatchObject({ slot: 'a', onTrial: false });
  });

  it('updates B -> A as well', async () => {
    const l = layout({ slot: 'b' });
    const svc = service(l);
    const path = await bundle();
    await svc.receive(createReadStream(path));
    await svc.install({ reboot: false });
    expect(readFileSync(l.devices.a).subarray(0, image.length).equals(image)).toBe(true);
    expect(readGrubEnv(l.grubenvPath)).toMatchObject({ boot_slot: 'a', prev_slot: 'b', boot_success: '0', boot_tries: '1' });
  });

  it('refuses a badly signed bundle without writing a byte or touching grubenv', async () => {
    const l = layout({ slot: 'a' });
    const svc = service(l);
    const envBefore = readFileSync(l.grubenvPath);
    const path = await bundle('evil.bundle', otherKeys.privateKey);
    await expect(svc.receive(createReadStream(path))).rejects.toMatchObject({ code: 'bad_signature' });
    expect(svc.state()).toMatchObject({ phase: 'failed', errorCode: 'bad_signature' });
    await expect(svc.install({ reboot: true })).rejects.toMatchObject({ code: 'not_verified' });
    expect(untouched(l)).toBe(true);
    expect(readFileSync(l.grubenvPath).equals(envBefore)).toBe(true);
  });

  it('catches a bundle swapped on disk between verification and install, before switching GRUB', async () => {
    const l = layout({ slot: 'a' });
    const svc = service(l);
    const path = await bundle();
    await svc.receive(createReadStream(path));
    const staged = readFileSync(svc.bundlePath);
    staged[staged.length - 10]! ^= 0xff;
    writeFileSync(svc.bundlePath, staged);
    await expect(svc.install({ reboot: true })).rejects.toBeInstanceOf(BundleError);
    expect(readGrubEnv(l.grubenvPath)).toMatchObject({ boot_slot: 'a', boot_success: '1' });
  });

  it('refuses to update while the running slot is still on trial', async () => {
    const l = layout({ slot: 'a', success: '0' });
    const svc = service(l);
    await svc.receive(createReadStream(await bundle()));
    await expect(svc.install()).rejects.toMatchObject({ code: 'on_trial' });
    expect(untouched(l)).toBe(true);
  });

  it('refuses on a machine not booted from a slot, and an image larger than the slot', async () => {
    const l1 = layout({ slot: null });
    const svc1 = service(l1);
    await svc1.receive(createReadStream(await bundle()));
    await expect(svc1.install()).rejects.toMatchObject({ code: 'no_slots' });

    const l2 = layout({ slot: 'a', slotBytes: 500_000 });
    const svc2 = service(l2);
    await svc2.receive(createReadStream(await bundle('b2.bundle')));
    await expect(svc2.install()).rejects.toMatchObject({ code: 'too_large' });
    expect(untouched(l2)).toBe(true);
  });
});
