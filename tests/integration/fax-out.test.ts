// Fax out, for real: a PDF + cover page is converted with ghostscript and sent with SendFAX to
// the simulated PSTN's fax machine (ReceiveFAX in the same Asterisk 22, real T.30 over Local
// channels). The machine has one line: while a call holds it, it answers busy. The test holds
// it with a call first, so the job's first attempt meets BUSY, is queued for a retry, and the
// retry goes through. The far end must have received every page (tiffinfo counts).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { samplePdf, tiffPages } from '../../firmware-agent/src/fax/convert.js';
import { SIM_FAX_NUMBERS, FAX_CONTEXTS, FAX_SPOOL } from '../../firmware-agent/src/fax/dialplan.js';
import type { FaxInboxItem, FaxJob } from '../../firmware-agent/src/fax/fax-store.js';
import { defaultRootDir, rootReady } from '../../firmware-agent/src/pbx-runtime/sid-root.js';
import { startTestAgent, waitFor, type TestAgent } from '../support/agent.js';

const root = defaultRootDir();
const ready = rootReady(root);
const NUMBER = SIM_FAX_NUMBERS[1];

describe.skipIf(!ready)('fax out: busy first, sent on the retry (real Asterisk 22)', () => {
  let t: TestAgent;
  beforeAll(async () => {
    t = await startTestAgent();
  }, 120_000);
  afterAll(async () => {
    await t?.stop();
  });

  it('bad uploads are refused with 400 and say which file and why', async () => {
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(100)]);
    const r = await t.api('POST', '/api/v1/fax/outbox', { number: NUMBER, trunk: 'pstn-sim', files: [{ name: 'scan.pdf', data: png.toString('base64') }] });
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ error: 'invalid_file', file: 'scan.pdf' });
    expect(r.body.message).toMatch(/scan\.pdf: the file is not a PDF: it is a PNG image/);
    const pdf = await samplePdf('x', 1);
    const cut = Buffer.concat([pdf.subarray(0, pdf.length >> 1), Buffer.from('\n%%EOF\n')]);
    const r2 = await t.api('POST', '/api/v1/fax/outbox', { number: NUMBER, trunk: 'pstn-sim', files: [{ name: 'cut.pdf', data: cut.toString('base64') }] });
    expect(r2.status).toBe(400);
    expect(r2.body.message).toMatch(/cut\.pdf: ghostscript cannot read this PDF/);
    const r3 = await t.api('POST', '/api/v1/fax/outbox', { number: NUMBER, trunk: 'no-such-trunk', files: [{ name: 'a.pdf', data: pdf.toString('base64') }] });
    expect(r3.status).toBe(400);
    expect(r3.body.error).toBe('unknown_trunk');
    expect((await t.api<{ jobs: FaxJob[] }>('GET', '/api/v1/fax/outbox')).body.jobs).toEqual([]);
    // The prompt upload (IVR audio) refuses a file that only claims to be audio, too.
    const p = await t.api('POST', '/api/v1/hotline/prompts/welcome/upload', { filename: 'welcome.wav', data: png.toString('base64') });
    expect(p.status).toBe(400);
    expect(p.body).toMatchObject({ error: 'not_audio' });
    expect(p.body.message).toMatch(/welcome\.wav: the file is not audio .*PNG image/);
  });

  it('a job that meets busy is retried and sent; the far end gets every page', async () => {
    const s = await t.api('PUT', '/api/v1/fax/settings', { channels: 4, maxAttempts: 3, retryIntervalSeconds: 12, stationId: '+86 10 5555 0100', header: 'SeatBox test', demoIntervalSeconds: 0 });
    expect(s.status, s.text).toBe(200);
    await t.openLive();

    // Hold the far machine's only line: a silent caller it answers (its ReceiveFAX waits), 8 s.
    const hold = await t.agent.ami.action('Originate', {
      Channel: `Local/${NUMBER}@${FAX_CONTEXTS.simMachine}/n`,
      Application: 'Wait',
      Data: '8',
      Async: 'true',
      Timeout: '10000',
    });
    expect(hold.response).toBe('Success');
    await waitFor('the sim fax line held', async () => Number(await t.agent.ami.getVar(`GROUP_COUNT(${NUMBER}@seatbox-fax-sim)`)) === 1, 10_000);

    const pdf = await samplePdf('Outbound fax', 1);
    const started = Date.now();
    const r = await t.api<FaxJob>('POST', '/api/v1/fax/outbox', {
      number: NUMBER,
      trunk: 'pstn-sim',
      files: [{ name: 'offer.pdf', data: pdf.toString('base64') }],
      cover: { from: 'SeatBox', to: 'Test (remote)', note: 'Two pages: cover and offer.' },
    });
    expect(r.status, r.text).toBe(201);
    expect(r.body.status).toBe('converting');
    const id = r.body.id;

    const job = await waitFor('the job to finish', async () => {
      const j = (await t.api<{ jobs: FaxJob[] }>('GET', '/api/v1/fax/outbox')).body.jobs.find((x) => x.id === id);
      return j && ['sent', 'failed', 'cancelled'].includes(j.status) ? j : undefined;
    }, 200_000);
    const seconds = (Date.now() - started) / 1000;
    console.log(`fax out: ${job.pages} pages, ${job.attempts} attempts, ${seconds.toFixed(1)} s in all (T.30 ${job.durationSeconds} s at ${job.rate} bit/s)`);

    expect(job.status, job.error ?? '').toBe('sent');
    expect(job.attempts).toBe(2);
    expect(job.pages).toBe(2); // cover + 1
    expect(job.pagesSent).toBe(2);
    expect(job.lastResult).toBe('SUCCESS');
    expect(job.remoteStation).toBe('+86 21 5000 1000');
    expect(job.rate).toBeGreaterThanOrEqual(2400);

    // Status frames on the websocket: converting → queued → dialing → queued (BUSY, retry at) → dialing → sending → sent.
    const states = t.frames.filter((f): f is Extract<typeof f, { type: 'fax.job' }> => f.type === 'fax.job' && f.data.id === id).map((f) => f.data);
    const seq = states.map((j) => j.status);
    expect(seq[0]).toBe('converting');
    expect(seq).toContain('sending');
    expect(seq[seq.length - 1]).toBe('sent');
    const retry = states.find((j) => j.status === 'queued' && j.lastResult === 'BUSY');
    expect(retry, JSON.stringify(seq)).toBeDefined();
    expect(retry!.nextAttemptAt).not.toBeNull();
    expect(new Date(retry!.nextAttemptAt!).getTime() - new Date(retry!.updatedAt).getTime()).toBeGreaterThanOrEqual(11_000);

    // The far machine's received file has both pages.
    const simDir = join(t.agent.instanceDir, 'spool', FAX_SPOOL.sim);
    const newest = readdirSync(simDir)
      .filter((f) => f.endsWith('.tif'))
      .map((f) => ({ f, m: statSync(join(simDir, f)).mtimeMs, size: statSync(join(simDir, f)).size }))
      .filter((x) => x.size > 0)
      .sort((a, b) => b.m - a.m)[0];
    expect(newest).toBeDefined();
    expect(await tiffPages(readFileSync(join(simDir, newest!.f)))).toBe(2);

    const actions = t.agent.audit.recent(50).map((a) => `${a.action} ${a.target}`);
    expect(actions).toContain(`fax.queued fax-job:${id}`);
  }, 260_000);

  it('over a real SIP trunk: the trunk subroutine dials out, the box receives it on a fax DID', async () => {
    // A SIP trunk pointing at this very Asterisk: the INVITE leaves through the trunk's generated
    // subroutine (channel limit, caller ID) and comes back in on the same trunk (IP match),
    // where DID 88002 is routed to the fax receiver. Real SIP + RTP (G.711) + T.30 both ways.
    const set = await t.api('PUT', '/api/v1/fax/settings', { channels: 4, maxAttempts: 3, retryIntervalSeconds: 12, stationId: '+86 10 5555 0100', header: 'SeatBox test', demoIntervalSeconds: 0 });
    expect(set.status, set.text).toBe(200);
    const sipPort = t.agent.opts.asterisk.sipPort;
    const tr = await t.api<{ trunk: { pbxId: string } }>('POST', '/api/v1/trunks', { name: 'Loopback', kind: 'sip', host: '127.0.0.1', port: sipPort, register: false, qualifySeconds: 0, maxChannels: 4, callerIdNumber: '01055550100' });
    expect(tr.status, tr.text).toBe(200);
    const trunk = tr.body.trunk.pbxId;
    expect(trunk).toBeTruthy();
    const route = await t.api('POST', '/api/v1/routes/inbound', { name: 'Fax in', did: '88002', destination: 'fax' });
    expect(route.status, route.text).toBe(200);
    const out = await t.api<{ trunks: string[] }>('GET', '/api/v1/fax/outbox');
    expect(out.body.trunks).toContain(trunk);
    const dial = await t.agent.ami.command(`dialplan show seatbox-fax-dial-${trunk}`);
    expect(dial).toContain(`Gosub(seatbox-trunk-${trunk},s,1(\${EXTEN},0))`);

    const pdf = await samplePdf('Over the trunk', 1);
    const started = Date.now();
    const r = await t.api<FaxJob>('POST', '/api/v1/fax/outbox', { number: '88002', trunk, files: [{ name: 'one.pdf', data: pdf.toString('base64') }] });
    expect(r.status, r.text).toBe(201);
    const job = await waitFor('the trunk job to finish', async () => {
      const j = (await t.api<{ jobs: FaxJob[] }>('GET', '/api/v1/fax/outbox')).body.jobs.find((x) => x.id === r.body.id);
      return j && ['sent', 'failed', 'cancelled'].includes(j.status) ? j : undefined;
    }, 150_000);
    const item = await waitFor('the fax in the inbox', async () => {
      const items = (await t.api<{ items: FaxInboxItem[] }>('GET', '/api/v1/fax/inbox')).body.items;
      return items.find((i) => i.did === '88002');
    }, 30_000);
    console.log(`fax over SIP trunk: ${job.pagesSent} page(s), ${((Date.now() - started) / 1000).toFixed(1)} s (T.30 ${job.durationSeconds} s at ${job.rate} bit/s)`);
    expect(job.status, job.error ?? '').toBe('sent');
    expect(job.attempts).toBe(1);
    expect(job.pagesSent).toBe(1);
    expect(job.remoteStation).toBe('+86 10 5555 0100');
    expect(item).toMatchObject({ status: 'received', pages: 1, route: 'did', trunk, callerNumber: '01055550100', remoteStation: '+86 10 5555 0100' });
    // Not recorded: the trunk entry records only while bridged ("b") and a fax call never is,
    // so no audio of it is captured. (MixMonitor still leaves a 44-byte header-only WAV, which
    // the recording module currently keeps as a 0-ms row: reported to its owner.)
    await waitFor('the recording module to settle', () => (t.agent.db.prepare("SELECT count(*) AS n FROM recordings WHERE state = 'recording'").get() as { n: number }).n === 0, 15_000);
    const audio = t.agent.db.prepare('SELECT count(*) AS n FROM recordings WHERE duration_ms > 0 OR size_bytes > 44').get() as { n: number };
    expect(audio.n).toBe(0);

    // The same trunk made a dedicated fax line (API → model → Asterisk): every call on it goes
    // to the fax receiver, whatever number it carries.
    const id = (tr.body.trunk as unknown as { id: number }).id;
    const patch = await t.api<{ trunk: { faxLine?: boolean } }>('PATCH', `/api/v1/trunks/${id}`, { faxLine: true });
    expect(patch.status, patch.text).toBe(200);
    expect(patch.body.trunk.faxLine).toBe(true);
    const entry = await t.agent.ami.command(`dialplan show seatbox-trunk-in-${trunk}`);
    expect(entry).toContain('Set(SEATBOX_FAX_ROUTE=line)');
    expect(entry).toContain('Goto(seatbox-fax-in,s,1)');
    expect(entry).not.toContain('seatbox-from-trunk');
  }, 200_000);
});
