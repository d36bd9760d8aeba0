/**
 * GRUB environment block (grubenv): exactly 1024 bytes, "# GRUB Environment Block\n",
 * then "key=value\n" lines, padded with '#'. GRUB reads it with load_env and rewrites it
 * in place with save_env (it writes the file's existing disk blocks, so the file must never
 * be replaced by a new one once GRUB uses it): writeGrubEnv() rewrites in place too.
 */
import { closeSync, fsyncSync, openSync, readFileSync, writeSync } from 'node:fs';

export const GRUBENV_SIZE = 1024;
const HEADER = '# GRUB Environment Block\n';

export type GrubEnv = Record<string, string>;

export function parseGrubEnv(buf: Buffer | string): GrubEnv {
  const text = typeof buf === 'string' ? buf : buf.toString('latin1');
  if (!text.startsWith(HEADER)) throw new Error('not a GRUB environment block (bad header)');
  const env: GrubEnv = {};
  for (const line of text.slice(HEADER.length).split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    env[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return env;
}

export function formatGrubEnv(env: GrubEnv): Buffer {
  let body = HEADER;
  for (const [k, v] of Object.entries(env)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) throw new Error(`grubenv: bad variable name ${JSON.stringify(k)}`);
    if (/[\n\\]/.test(v)) throw new Error(`grubenv: value of ${k} must not contain a newline or backslash`);
    body += `${k}=${v}\n`;
  }
  if (Buffer.byteLength(body, 'latin1') > GRUBENV_SIZE) throw new Error('grubenv: variables do not fit in 1024 bytes');
  return Buffer.from(body.padEnd(GRUBENV_SIZE, '#'), 'latin1');
}

export function readGrubEnv(path: string): GrubEnv {
  const buf = readFileSync(path);
  if (buf.length !== GRUBENV_SIZE) throw new Error(`${path}: a GRUB environment block is ${GRUBENV_SIZE} bytes, found ${buf.length}`);
  return parseGrubEnv(buf);
}

/** Sets (or, with undefined, removes) variables; rewrites the existing file in place and fsyncs. */
export function updateGrubEnv(path: string, changes: Record<string, string | undefined>): GrubEnv {
  const env = readGrubEnv(path);
  for (const [k, v] of Object.entries(changes)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  const buf = formatGrubEnv(env);
  const fd = openSync(path, 'r+');
  try {
    writeSync(fd, buf, 0, buf.length, 0);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return env;
}
