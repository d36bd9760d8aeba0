// `seatbox update ...`: make and verify bundles (build host), install one from a file
// (the serial console calls the same UpdateService as the web UI).
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { loadPrivateKey, loadPublicKey, makeBundle } from './bundle.js';
import { findUpdatePublicKey } from './keys.js';
import { APPLIANCE_LAYOUT } from './slots.js';
import { UpdateService } from './update-service.js';
import { version } from '../../version.js';

const HELP = `Usage: seatbox update <command>
  make-bundle --root FILE --version V --key PRIVATE.pem --out FILE   sign a root filesystem image
  verify --bundle FILE [--pubkey PUB.pem]                             check signature and payload
  install --bundle FILE [--reboot]                                    write to the inactive slot
  status                                                              slots, grubenv, state (JSON)
`;

export async function updateCli(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  const { values } = parseArgs({
    args: rest,
    options: {
      root: { type: 'string' },
      version: { type: 'string' },
      key: { type: 'string' },
      out: { type: 'string' },
      bundle: { type: 'string' },
      pubkey: { type: 'string' },
      reboot: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const say = (s: string) => process.stdout.write(`${s}\n`);
  const service = (pubkeyPath?: string) => {
    const key = pubkeyPath ? loadPublicKey(readFileSync(pubkeyPath)) : findUpdatePublicKey()?.key;
    if (!key) throw new Error('no update public key (SEATBOX_UPDATE_PUBKEY, /usr/share/seatbox/update-key.pub)');
    return new UpdateService({
      stagingDir: '/data/seatbox/update',
      publicKey: key,
      layout: APPLIANCE_LAYOUT,
      currentVersion: version(),
      reboot: async () => {
        await promisify(execFile)('systemctl', ['reboot']);
      },
    });
  };
  try {
    switch (sub) {
      case 'make-bundle': {
        if (!values.root || !values.version || !values.key || !values.out) throw new Error('make-bundle needs --root, --version, --key and --out');
        const m = await makeBundle({ rootfs: resolve(values.root), version: values.version, privateKey: loadPrivateKey(readFileSync(values.key)), out: resolve(values.out) });
        say(JSON.stringify(m));
        return 0;
      }
      case 'verify': {
        if (!values.bundle) throw new Error('verify needs --bundle');
        const m = await service(values.pubkey).verifyFile(resolve(values.bundle));
        say(`OK ${m.version} (${m.image.size} bytes image, payload sha256 ${m.payload.sha256})`);
        return 0;
      }
      case 'install': {
        if (!values.bundle) throw new Error('install needs --bundle');
        const svc = service(values.pubkey);
        svc.on('progress', (s: { phase: string; bytesDone: number; bytesTotal: number }) => {
          if (s.phase === 'writing') say(`writing ${Math.floor((100 * s.bytesDone) / Math.max(1, s.bytesTotal))}%`);
        });
        await svc.verifyFile(resolve(values.bundle));
        const st = await svc.install({ reboot: values.reboot });
        say(`update ${st.version} written to slot ${st.targetSlot}${values.reboot ? '; rebooting' : '; it boots at the next restart'}`);
        return 0;
      }
      case 'status':
        say(JSON.stringify(service(values.pubkey).status(), null, 2));
        return 0;
      default:
        process.stdout.write(HELP);
        return sub ? 2 : 0;
    }
  } catch (err) {
    process.stderr.write(`seatbox update ${sub}: ${(err as Error).message}\n`);
    return 1;
  }
}
