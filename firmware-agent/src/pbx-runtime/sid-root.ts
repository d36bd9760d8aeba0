/**
 * The cached Debian sid root that carries Asterisk 22 (built by scripts/sid-root.sh),
 * and the fixed paths an instance sees inside it.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Where each instance's own directory is bind-mounted inside the root. */
export const INSTANCE_MOUNT = '/seatbox';

/** Written last by scripts/sid-root.sh: the root is complete. */
export const STAMP_FILE = '.seatbox-stamp';

/** The Asterisk binary inside the root. */
export const ASTERISK_BIN = '/usr/sbin/asterisk';

/** Paths as Asterisk sees them (inside the chroot). */
export const IN_ROOT = {
  etc: `${INSTANCE_MOUNT}/etc`,
  lib: `${INSTANCE_MOUNT}/lib`,
  spool: `${INSTANCE_MOUNT}/spool`,
  log: `${INSTANCE_MOUNT}/log`,
  run: `${INSTANCE_MOUNT}/run`,
  tmp: `${INSTANCE_MOUNT}/tmp`,
  asteriskConf: `${INSTANCE_MOUNT}/etc/asterisk.conf`,
  /** The root's own, shared by all instances (sounds, documentation, agi-bin, keys). */
  data: '/usr/share/asterisk',
  agi: '/usr/share/asterisk/agi-bin',
  sbin: '/usr/sbin',
} as const;

export function defaultCacheDir(): string {
  return process.env.SEATBOX_CACHE || '/var/cache/seatbox';
}

/** `${SEATBOX_CACHE:-/var/cache/seatbox}/sid-root` */
export function defaultRootDir(): string {
  return join(defaultCacheDir(), 'sid-root');
}

/** The root is complete (stamp written last by scripts/sid-root.sh) and has Asterisk. */
export function rootReady(dir: string = defaultRootDir()): boolean {
  return existsSync(join(dir, STAMP_FILE)) && existsSync(join(dir, ASTERISK_BIN.slice(1)));
}

export function rootNotReadyMessage(dir: string = defaultRootDir()): string {
  return (
    `the Asterisk sid root is not built at ${dir}: run \`bash scripts/sid-root.sh\` as root ` +
    `(it builds \${SEATBOX_CACHE:-/var/cache/seatbox}/sid-root, about a minute on a fresh machine)`
  );
}

/** Throws with rootNotReadyMessage() unless rootReady(). */
export function assertRootReady(dir: string = defaultRootDir()): void {
  if (!rootReady(dir)) throw new Error(rootNotReadyMessage(dir));
}

/** The `asterisk` package's full Debian version in the root, e.g. `1:22.10.1+dfsg+~cs6.17.60671434-1`. */
export async function asteriskPackageVersion(rootDir: string = defaultRootDir()): Promise<string> {
  const status = await readFile(join(rootDir, 'var/lib/dpkg/status'), 'utf8');
  for (const para of status.split(/\n\n+/)) {
    if (!/^Package: asterisk$/m.test(para)) continue;
    if (!/^Status: .* installed$/m.test(para)) continue;
    const m = /^Version: (.+)$/m.exec(para);
    if (m?.[1]) return m[1].trim();
  }
  throw new Error(`package "asterisk" is not installed in ${rootDir}`);
}

/** Upstream Asterisk version of the root's package, e.g. `22.10.1`. */
export async function asteriskVersion(rootDir: string = defaultRootDir()): Promise<string> {
  return upstreamVersion(await asteriskPackageVersion(rootDir));
}

/** `1:22.10.1+dfsg+~cs6.17.60671434-1` -> `22.10.1` */
export function upstreamVersion(debianVersion: string): string {
  const noEpoch = debianVersion.replace(/^\d+:/, '');
  const m = /^(\d+(?:\.\d+)*)/.exec(noEpoch);
  if (!m?.[1]) throw new Error(`cannot parse Asterisk version from ${JSON.stringify(debianVersion)}`);
  return m[1];
}

/**
 * The module directory of the root's Asterisk package, as seen inside the root
 * (multiarch: `/usr/lib/x86_64-linux-gnu/asterisk/modules` on amd64).
 */
export function moduleDir(rootDir: string = defaultRootDir()): string {
  const lib = join(rootDir, 'usr/lib');
  const candidates: string[] = [];
  try {
    for (const e of readdirSync(lib)) candidates.push(`/usr/lib/${e}/asterisk/modules`);
  } catch {
    // fall through to the error below
  }
  candidates.push('/usr/lib/asterisk/modules');
  for (const c of candidates) {
    try {
      if (statSync(join(rootDir, c.slice(1))).isDirectory()) return c;
    } catch {
      // not this one
    }
  }
  throw new Error(`no Asterisk module directory under ${lib}`);
}

/**
 * The `[directories]` section of asterisk.conf for an instance in this root.
 * Note: it must be a plain `[directories]` section. The sample's `[directories](!)`
 * (a template) is ignored by Asterisk 22, which then silently reads /etc/asterisk.
 */
export function asteriskConfDirectories(rootDir: string = defaultRootDir()): string {
  return [
    '[directories]',
    `astetcdir => ${IN_ROOT.etc}`,
    `astmoddir => ${moduleDir(rootDir)}`,
    `astvarlibdir => ${IN_ROOT.lib}`,
    `astdbdir => ${IN_ROOT.lib}`,
    `astkeydir => ${IN_ROOT.lib}`,
    `astdatadir => ${IN_ROOT.data}`,
    `astagidir => ${IN_ROOT.agi}`,
    `astspooldir => ${IN_ROOT.spool}`,
    `astrundir => ${IN_ROOT.run}`,
    `astlogdir => ${IN_ROOT.log}`,
    `astsbindir => ${IN_ROOT.sbin}`,
    '',
  ].join('\n');
}
