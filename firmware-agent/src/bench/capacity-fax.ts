// The capacity bench's fax load: N simultaneous T.30 transfers in software (res_fax_spandsp)
// into the box's own fax-in path. Each is a Local channel pair: the ;1 side runs SendFAX of a
// real multi-page document, the ;2 side runs the generated seatbox-fax-in context
// (ReceiveFAX → the fax module makes the PDF and the inbox row). Success = an inbox row with
// status "received" and the sent page count.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AsteriskAmiClient } from '../ami/client.js';
import { pdfsToFaxTiff, samplePdf } from '../fax/convert.js';
import { FAX_CONTEXTS } from '../fax/dialplan.js';
import { defaultRootDir } from '../pbx-runtime/sid-root.js';

export interface FaxTransferResult {
  placed: number;
  succeeded: number;
  failed: number;
  pages: number;
  errors: string[];
}

export interface FaxTransferSet {
  done: Promise<FaxTransferResult>;
  stop(): Promise<void>;
}

export interface InboxRow {
  id: number;
  status: string;
  pages: number;
  error: string | null;
}

export async function startFaxTransfers(opts: {
  ami: AsteriskAmiClient;
  /** The agent's data dir: its Asterisk instance (dataDir/asterisk) is /seatbox inside the chroot. */
  dataDir: string;
  count: number;
  pages?: number;
  /** The inbox as the API shows it. */
  inbox: () => Promise<InboxRow[]>;
  timeoutMs?: number;
}): Promise<FaxTransferSet> {
  const pages = opts.pages ?? 2;
  const convert = { rootDir: defaultRootDir() };
  const pdf = await samplePdf('SeatBox capacity benchmark', pages, convert);
  const { tiff } = await pdfsToFaxTiff([{ name: 'capacity.pdf', data: pdf }], undefined, convert);
  mkdirSync(join(opts.dataDir, 'asterisk', 'tmp'), { recursive: true });
  writeFileSync(join(opts.dataDir, 'asterisk', 'tmp', 'capacity-fax.tif'), tiff);
  const before = Math.max(0, ...(await opts.inbox()).map((r) => r.id));
  const errors: string[] = [];
  let placed = 0;
  await Promise.all(
    Array.from({ length: opts.count }, async (_, i) => {
      try {
        await opts.ami.action('Originate', [
          ['Channel', `Local/s@${FAX_CONTEXTS.in}/n`],
          ['Application', 'SendFAX'],
          ['Data', '/seatbox/tmp/capacity-fax.tif'],
          ['Async', 'true'],
          ['Timeout', '30000'],
          ['CallerID', `"Capacity fax" <0215000${3000 + i}>`],
          ['Variable', '__SEATBOX_FAX_ROUTE=did'],
        ]);
        placed++;
      } catch (err) {
        errors.push(`originate ${i + 1}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }),
  );
  let stopped = false;
  const deadline = Date.now() + (opts.timeoutMs ?? 240_000);
  const done = (async (): Promise<FaxTransferResult> => {
    for (;;) {
      const rows = (await opts.inbox().catch(() => [])).filter((r) => r.id > before);
      if (rows.length >= placed || Date.now() > deadline || stopped) {
        const good = rows.filter((r) => r.status === 'received' && r.pages === pages);
        for (const r of rows) if (!good.includes(r)) errors.push(`fax ${r.id}: ${r.status}, ${r.pages}/${pages} pages${r.error ? `, ${r.error}` : ''}`);
        if (rows.length < placed) errors.push(`${placed - rows.length} fax(es) never reached the inbox`);
        return { placed, succeeded: good.length, failed: placed - good.length, pages, errors };
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  })();
  return {
    done,
    async stop() {
      stopped = true;
    },
  };
}
