/**
 * Signed update bundles.
 *
 * One file:
 *   "SEATBOX-BUNDLE-1\n"                       17 bytes, magic
 *   u32 BE  manifest length M (<= 64 KiB)
 *   M bytes manifest JSON (BundleManifest)
 *   u32 BE  signature length S (64)
 *   S bytes ed25519 signature over magic + manifest bytes
 *   payload: the gzip-compressed root filesystem image, exactly manifest.payload.size bytes, to EOF
 *
 * The manifest carries the sha256 of the payload (and of the uncompressed image), so the
 * signature covers every byte. verifyBundle() checks the signature and then the payload's
 * size and hash by streaming it, before anything is written anywhere.
 */
import { createHash, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { open, rename, rm, stat } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { createGzip } from 'node:zlib';

export const BUNDLE_MAGIC = Buffer.from('SEATBOX-BUNDLE-1\n', 'latin1');
const MAX_MANIFEST = 64 * 1024;

export interface BundleManifest {
  format: 1;
  product: 'seatbox';
  kind: 'rootfs';
  arch: 'x86_64';
  version: string;
  created: string;
  /** The bytes after the header: what is uploaded and hashed before anything is written. */
  payload: { compression: 'gzip'; size: number; sha256: string };
  /** The uncompressed root filesystem image written to the slot. */
  image: { fs: 'ext4'; size: number; sha256: string };
}

export class BundleError extends Error {
  constructor(
    readonly code: 'bad_format' | 'bad_signature' | 'bad_manifest' | 'bad_payload' | 'too_large',
    message: string,
  ) {
    super(message);
  }
}

export function loadPublicKey(pem: string | Buffer): KeyObject {
  const key = createPublicKey(pem);
  if (key.asymmetricKeyType !== 'ed25519') throw new Error('update key: expected an ed25519 public key');
  return key;
}

export function loadPrivateKey(pem: string | Buffer): KeyObject {
  const key = createPrivateKey(pem);
  if (key.asymmetricKeyType !== 'ed25519') throw new Error('update key: expected an ed25519 private key');
  return key;
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

/** Counts and hashes what flows through. */
class HashCount extends Transform {
  readonly hash = createHash('sha256');
  bytes = 0;
  constructor(private readonly onBytes?: (n: number) => void) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null, data?: Buffer) => void): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    this.onBytes?.(this.bytes);
    cb(null, chunk);
  }
}
export { HashCount };

export interface MakeBundleOptions {
  rootfs: string;
  version: string;
  privateKey: KeyObject;
  out: string;
  /** gzip level (default 6). */
  level?: number;
  created?: Date;
}

/** Compresses the root filesystem image, writes manifest + signature + payload to `out`. */
export async function makeBundle(opts: MakeBundleOptions): Promise<BundleManifest> {
  const tmpPayload = `${opts.out}.payload.tmp`;
  const raw = new HashCount();
  const packed = new HashCount();
  try {
    await pipeline(createReadStream(opts.rootfs, { highWaterMark: 1 << 20 }), raw, createGzip({ level: opts.level ?? 6 }), packed, createWriteStream(tmpPayload));
    const manifest: BundleManifest = {
      format: 1,
      product: 'seatbox',
      kind: 'rootfs',
      arch: 'x86_64',
      version: opts.version,
      created: (opts.created ?? new Date()).toISOString(),
      payload: { compression: 'gzip', size: packed.bytes, sha256: packed.hash.digest('hex') },
      image: { fs: 'ext4', size: raw.bytes, sha256: raw.hash.digest('hex') },
    };
    const mbytes = Buffer.from(JSON.stringify(manifest), 'utf8');
    const signature = sign(null, Buffer.concat([BUNDLE_MAGIC, mbytes]), opts.privateKey);
    const header = Buffer.concat([BUNDLE_MAGIC, u32(mbytes.length), mbytes, u32(signature.length), signature]);
    const tmpOut = `${opts.out}.tmp`;
    const out = createWriteStream(tmpOut);
    out.write(header);
    await pipeline(createReadStream(tmpPayload, { highWaterMark: 1 << 20 }), out);
    await rename(tmpOut, opts.out);
    return manifest;
  } finally {
    await rm(tmpPayload, { force: true });
  }
}

export interface BundleHeader {
  manifest: BundleManifest;
  /** Byte offset of the payload in the file. */
  payloadOffset: number;
}

/** Reads and checks the header: format, signature, manifest fields. No payload check. */
export async function readBundleHeader(path: string, publicKey: KeyObject): Promise<BundleHeader> {
  const fh = await open(path, 'r');
  try {
    const head = Buffer.alloc(BUNDLE_MAGIC.length + 4);
    const { bytesRead } = await fh.read(head, 0, head.length, 0);
    if (bytesRead < head.length || !head.subarray(0, BUNDLE_MAGIC.length).equals(BUNDLE_MAGIC)) {
      throw new BundleError('bad_format', 'not a SeatBox update bundle');
    }
    const mlen = head.readUInt32BE(BUNDLE_MAGIC.length);
    if (mlen === 0 || mlen > MAX_MANIFEST) throw new BundleError('bad_format', 'bundle manifest has an impossible length');
    const mbytes = Buffer.alloc(mlen);
    let off = head.length;
    if ((await fh.read(mbytes, 0, mlen, off)).bytesRead !== mlen) throw new BundleError('bad_format', 'bundle is truncated (manifest)');
    off += mlen;
    const slenBuf = Buffer.alloc(4);
    if ((await fh.read(slenBuf, 0, 4, off)).bytesRead !== 4) throw new BundleError('bad_format', 'bundle is truncated (signature)');
    const slen = slenBuf.readUInt32BE(0);
    if (slen !== 64) throw new BundleError('bad_format', 'bundle signature has the wrong length');
    off += 4;
    const sig = Buffer.alloc(slen);
    if ((await fh.read(sig, 0, slen, off)).bytesRead !== slen) throw new BundleError('bad_format', 'bundle is truncated (signature)');
    off += slen;
    if (!verify(null, Buffer.concat([BUNDLE_MAGIC, mbytes]), publicKey, sig)) {
      throw new BundleError('bad_signature', 'the bundle signature does not verify against this box\'s update key');
    }
    let manifest: BundleManifest;
    try {
      manifest = JSON.parse(mbytes.toString('utf8')) as BundleManifest;
    } catch {
      throw new BundleError('bad_manifest', 'the bundle manifest is not JSON');
    }
    const p = manifest.payload;
    const img = manifest.image;
    if (
      manifest.format !== 1 || manifest.product !== 'seatbox' || manifest.kind !== 'rootfs' || manifest.arch !== 'x86_64' ||
      typeof manifest.version !== 'string' || !p || p.compression !== 'gzip' || !Number.isSafeInteger(p.size) || !/^[0-9a-f]{64}$/.test(p.sha256) ||
      !img || img.fs !== 'ext4' || !Number.isSafeInteger(img.size) || !/^[0-9a-f]{64}$/.test(img.sha256)
    ) {
      throw new BundleError('bad_manifest', 'the bundle manifest is not a SeatBox x86_64 root filesystem bundle');
    }
    return { manifest, payloadOffset: off };
  } finally {
    await fh.close();
  }
}

/**
 * Full verification: header + signature, then the payload's exact size and sha256 (streamed).
 * Throws BundleError; nothing is written.
 */
export async function verifyBundle(path: string, publicKey: KeyObject, onProgress?: (done: number, total: number) => void): Promise<BundleHeader> {
  const header = await readBundleHeader(path, publicKey);
  const { size, sha256 } = header.manifest.payload;
  const actual = (await stat(path)).size - header.payloadOffset;
  if (actual !== size) throw new BundleError('bad_payload', `bundle payload is ${actual} bytes, the manifest says ${size}`);
  const hc = new HashCount((n) => onProgress?.(n, size));
  await pipeline(createReadStream(path, { start: header.payloadOffset, highWaterMark: 1 << 20 }), hc, async function* (src) {
    for await (const _ of src) {
      // drain
    }
  });
  if (hc.hash.digest('hex') !== sha256) throw new BundleError('bad_payload', 'bundle payload sha256 does not match the signed manifest');
  return header;
}
