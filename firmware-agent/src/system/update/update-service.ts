/**
 * UpdateService: receive a signed bundle, verify it completely (signature, then payload size
 * and sha256) before anything is written, stream the root filesystem image into the inactive
 * slot with progress, then point GRUB at that slot for exactly one try and (optionally) reboot.
 * After the reboot the health check (image/rootfs/usr/lib/seatbox/health-check) confirms the
 * slot; if it cannot, GRUB falls back to the previous slot on its own (image/grub/grub.cfg).
 */
import type { KeyObject } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createReadStream, createWriteStream, mkdirSync } from 'node:fs';
import { open, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { BundleError, HashCount, verifyBundle, type BundleHeader, type BundleManifest } from './bundle.js';
import { readGrubEnv, updateGrubEnv, type GrubEnv } from './grubenv.js';
import { currentSlot, otherSlot, rolledBackFrom, targetSize, type Slot, type SlotLayout } from './slots.js';

export type UpdatePhase = 'idle' | 'receiving' | 'verifying' | 'verified' | 'writing' | 'ready' | 'rebooting' | 'failed';

export interface UpdateState {
  phase: UpdatePhase;
  /** receiving: bytes uploaded; verifying: bytes hashed; writing: image bytes written. */
  bytesDone: number;
  bytesTotal: number;
  version: string | null;
  targetSlot: Slot | null;
  error: string | null;
  errorCode: string | null;
}

export interface UpdateStatus {
  /** Running slot, null when not booted from an A/B slot (demo, development machine). */
  slot: Slot | null;
  version: string;
  /** This boot is a fallback from a slot that never confirmed itself. */
  rolledBackFrom: Slot | null;
  /** The running slot is still on trial (not yet marked good by the health check). */
  onTrial: boolean;
  /** A written update waiting for the next boot (GRUB will try this slot once). */
  pendingSlot: Slot | null;
  grubenv: GrubEnv | null;
  state: UpdateState;
}

export interface UpdateLogger {
  info(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface UpdateServiceOptions {
  /** Where uploads are staged (on the data partition: it must hold one bundle). */
  stagingDir: string;
  publicKey: KeyObject;
  layout: SlotLayout;
  currentVersion: string;
  /** Reboots the box (production: systemctl reboot). */
  reboot: () => Promise<void>;
  logger?: UpdateLogger;
  /** Largest accepted bundle (default 4 GiB). */
  maxBundleBytes?: number;
}

export class UpdateError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly httpStatus = 409,
  ) {
    super(message);
  }
}

const PROGRESS_STEP = 8 * 1024 * 1024;

/** Writes a stream to a file or block device at increasing offsets (no truncation). */
class PositionalWriter extends Writable {
  written = 0;
  constructor(
    private readonly fh: import('node:fs/promises').FileHandle,
    private readonly limit: number,
    private readonly onBytes: (n: number) => void,
  ) {
    super({ highWaterMark: 4 << 20 });
  }
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    if (this.written + chunk.length > this.limit) {
      cb(new UpdateError('too_large', `the image is larger than the target slot (${this.limit} bytes)`));
      return;
    }
    this.fh.write(chunk, 0, chunk.length, this.written).then(
      () => {
        this.written += chunk.length;
        this.onBytes(this.written);
        cb();
      },
      (err: Error) => cb(err),
    );
  }
}

export class UpdateService extends EventEmitter {
  private st: UpdateState = { phase: 'idle', bytesDone: 0, bytesTotal: 0, version: null, targetSlot: null, error: null, errorCode: null };
  private verified: (BundleHeader & { path: string }) | null = null;
  private busy = false;
  private lastEmit = 0;

  constructor(private readonly opts: UpdateServiceOptions) {
    super();
  }

  get bundlePath(): string {
    return join(this.opts.stagingDir, 'incoming.bundle');
  }

  state(): UpdateState {
    return { ...this.st };
  }

  status(): UpdateStatus {
    const slot = currentSlot(this.opts.layout);
    let grubenv: GrubEnv | null = null;
    try {
      grubenv = readGrubEnv(this.opts.layout.grubenvPath);
    } catch {
      grubenv = null;
    }
    return {
      slot,
      version: this.opts.currentVersion,
      rolledBackFrom: rolledBackFrom(this.opts.layout),
      onTrial: !!slot && !!grubenv && grubenv.boot_success !== '1' && grubenv.boot_slot === slot,
      pendingSlot: !!slot && !!grubenv && grubenv.boot_success !== '1' && grubenv.boot_slot !== slot ? (grubenv.boot_slot as Slot) : null,
      grubenv,
      state: this.state(),
    };
  }

  private set(patch: Partial<UpdateState>, force = true): void {
    this.st = { ...this.st, ...patch };
    if (force || this.st.bytesDone - this.lastEmit >= PROGRESS_STEP || this.st.bytesDone === this.st.bytesTotal) {
      this.lastEmit = this.st.bytesDone;
      this.emit('progress', this.state());
    }
  }

  private fail(err: unknown): never {
    const code = err instanceof BundleError || err instanceof UpdateError ? err.code : 'internal';
    const message = err instanceof Error ? err.message : String(err);
    this.set({ phase: 'failed', error: message, errorCode: code });
    this.opts.logger?.error({ err, code }, 'update failed');
    throw err instanceof BundleError || err instanceof UpdateError ? err : new UpdateError(code, message, 500);
  }

  private begin(): void {
    if (this.busy) throw new UpdateError('busy', 'an update is already in progress');
    this.busy = true;
  }

  /** Preconditions of writing anything: booted from a slot that is confirmed good. */
  private assertUpdatable(): { current: Slot; target: Slot } {
    const current = currentSlot(this.opts.layout);
    if (!current) throw new UpdateError('no_slots', 'this system was not booted from an A/B root slot (demo or development machine); updates need the appliance image');
    const env = readGrubEnv(this.opts.layout.grubenvPath);
    if (env.boot_success !== '1' && env.boot_slot === current) {
      throw new UpdateError('on_trial', `slot ${current} is still on trial; wait until the health check has confirmed it`);
    }
    return { current, target: otherSlot(current) };
  }

  /** Stores an uploaded bundle in the staging dir (replacing any previous one), then verifies it. */
  async receive(body: Readable, declaredLength?: number): Promise<BundleManifest> {
    this.begin();
    try {
      this.verified = null;
      const max = this.opts.maxBundleBytes ?? 4 * 1024 ** 3;
      if (declaredLength !== undefined && declaredLength > max) throw new UpdateError('too_large', `bundle larger than ${max} bytes`, 413);
      mkdirSync(this.opts.stagingDir, { recursive: true, mode: 0o700 });
      await rm(this.bundlePath, { force: true });
      this.set({ phase: 'receiving', bytesDone: 0, bytesTotal: declaredLength ?? 0, version: null, targetSlot: null, error: null, errorCode: null });
      const counter = new HashCount((n) => {
        if (n > max) counter.destroy(new UpdateError('too_large', `bundle larger than ${max} bytes`, 413));
        this.set({ bytesDone: n }, false);
      });
      await pipeline(body, counter, createWriteStream(this.bundlePath, { mode: 0o600 }));
      return await this.verifyStaged();
    } catch (err) {
      await rm(this.bundlePath, { force: true }).catch(() => undefined);
      this.fail(err);
    } finally {
      this.busy = false;
    }
  }

  private async verifyStaged(path = this.bundlePath): Promise<BundleManifest> {
    const total = (await stat(path)).size;
    this.set({ phase: 'verifying', bytesDone: 0, bytesTotal: total });
    const header = await verifyBundle(path, this.opts.publicKey, (n) => this.set({ bytesDone: n }, false));
    this.verified = { ...header, path };
    this.set({ phase: 'verified', version: header.manifest.version, bytesDone: total });
    this.opts.logger?.info({ version: header.manifest.version }, 'update bundle verified');
    return header.manifest;
  }

  /** Verifies a bundle file in place (CLI), without copying it. */
  async verifyFile(path: string): Promise<BundleManifest> {
    this.begin();
    try {
      this.verified = null;
      return await this.verifyStaged(path);
    } catch (err) {
      this.fail(err);
    } finally {
      this.busy = false;
    }
  }

  /**
   * Writes the verified bundle's image to the inactive slot, re-hashing everything on the
   * way (a bundle changed on disk after verification is caught before GRUB is touched),
   * then sets grubenv to try that slot once. Reboots when asked.
   */
  async install(opts: { reboot?: boolean } = {}): Promise<UpdateState> {
    this.begin();
    try {
      const v = this.verified;
      if (!v) throw new UpdateError('not_verified', 'upload and verify a bundle first');
      const { current, target } = this.assertUpdatable();
      const device = this.opts.layout.devices[target];
      const size = targetSize(device);
      const { manifest, payloadOffset } = v;
      if (manifest.image.size > size) throw new UpdateError('too_large', `image (${manifest.image.size} bytes) does not fit slot ${target} (${size} bytes)`);
      this.set({ phase: 'writing', bytesDone: 0, bytesTotal: manifest.image.size, targetSlot: target, version: manifest.version });
      this.opts.logger?.info({ version: manifest.version, target, device }, 'writing update to the inactive slot');
      const packed = new HashCount();
      const raw = new HashCount();
      const fh = await open(device, 'r+');
      try {
        const writer = new PositionalWriter(fh, size, (n) => this.set({ bytesDone: n }, false));
        await pipeline(
          createReadStream(v.path, { start: payloadOffset, end: payloadOffset + manifest.payload.size - 1, highWaterMark: 1 << 20 }),
          packed,
          createGunzip(),
          raw,
          writer,
        ).catch((err: Error & { code?: string }) => {
          // A payload that no longer inflates was changed after verification.
          throw err.code?.startsWith('Z_') ? new BundleError('bad_payload', `the bundle payload is damaged (${err.message}); nothing switched`) : err;
        });
        await fh.sync();
      } finally {
        await fh.close();
      }
      if (packed.hash.digest('hex') !== manifest.payload.sha256 || packed.bytes !== manifest.payload.size) {
        throw new BundleError('bad_payload', 'the bundle changed after it was verified; slot left unbootable, nothing switched');
      }
      if (raw.hash.digest('hex') !== manifest.image.sha256 || raw.bytes !== manifest.image.size) {
        throw new BundleError('bad_payload', 'the written image does not match the signed manifest; nothing switched');
      }
      // Try the new slot exactly once; GRUB falls back to `current` unless it is confirmed.
      updateGrubEnv(this.opts.layout.grubenvPath, { boot_slot: target, prev_slot: current, boot_success: '0', boot_tries: '1' });
      this.set({ phase: opts.reboot ? 'rebooting' : 'ready', bytesDone: manifest.image.size });
      this.opts.logger?.info({ version: manifest.version, target }, opts.reboot ? 'update written; rebooting into it' : 'update written; boots at the next restart');
      await rm(v.path, { force: true }).catch(() => undefined);
      this.verified = null;
      if (opts.reboot) await this.opts.reboot();
      return this.state();
    } catch (err) {
      this.fail(err);
    } finally {
      this.busy = false;
    }
  }

  /** Cancels a pending (written but not yet booted) update: GRUB stays on the running slot. */
  cancelPending(): void {
    const current = this.assertCurrentOnly();
    updateGrubEnv(this.opts.layout.grubenvPath, { boot_slot: current, prev_slot: current, boot_success: '1', boot_tries: '0' });
    this.set({ phase: 'idle', bytesDone: 0, bytesTotal: 0, targetSlot: null, error: null, errorCode: null });
  }

  private assertCurrentOnly(): Slot {
    const current = currentSlot(this.opts.layout);
    if (!current) throw new UpdateError('no_slots', 'this system was not booted from an A/B root slot');
    return current;
  }
}
