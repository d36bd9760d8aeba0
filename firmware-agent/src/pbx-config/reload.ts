// Which Asterisk reload each generated file needs, and how to prove afterwards that the
// running Asterisk really uses the new file. The expectations are read from the file text
// itself (not from a model), so the same checks verify a rollback to the last good set.

import type { AmiClient, AmiMessage } from '../ami/types.js';
import { getValue, getValues, parseConf, type ConfSection } from './conf-parser.js';
import { CONTEXTS } from './model.js';
import { dialplanCounts } from './validate.js';

/** CLI commands (via AMI Command) that make Asterisk re-read a file; 'restart' = not reloadable. */
export const RELOAD_COMMANDS: Readonly<Record<string, readonly string[] | 'restart'>> = {
  'asterisk.conf': 'restart',
  'modules.conf': [], // handled specially: "module load" for added modules, removals need a restart
  'logger.conf': ['logger reload'],
  'manager.conf': ['manager reload'],
  'rtp.conf': ['module reload res_rtp_asterisk.so'],
  'pjproject.conf': ['module reload res_pjproject.so'],
  'pjsip.conf': ['module reload res_pjsip.so'],
  'extensions.conf': ['dialplan reload'],
  'queues.conf': ['module reload app_queue.so'],
  'musiconhold.conf': ['module reload res_musiconhold.so'],
  'indications.conf': ['module reload indications'],
  'cdr.conf': ['module reload cdr'],
  'cel.conf': ['module reload cel'],
  'features.conf': ['module reload features'],
  'acl.conf': ['module reload acl'],
  'udptl.conf': ['module reload udptl'],
  'ccss.conf': 'restart',
  'stasis.conf': 'restart',
  // Only while chan_dahdi is loaded (planReload); without cards the file is not read at all.
  'chan_dahdi.conf': ['module reload chan_dahdi.so'],
};

/** Order in which changed files are reloaded (dependencies first: media before SIP, SIP before dialplan). */
export const RELOAD_ORDER = [
  'modules.conf',
  'logger.conf',
  'acl.conf',
  'rtp.conf',
  'udptl.conf',
  'pjproject.conf',
  'pjsip.conf',
  'chan_dahdi.conf',
  'musiconhold.conf',
  'indications.conf',
  'features.conf',
  'queues.conf',
  'extensions.conf',
  'cdr.conf',
  'cel.conf',
  'manager.conf',
  'asterisk.conf',
  'ccss.conf',
  'stasis.conf',
];

export function loadedModules(modulesConf: string | undefined): Set<string> {
  const out = new Set<string>();
  if (!modulesConf) return out;
  for (const s of parseConf('modules.conf', modulesConf).sections)
    for (const e of s.entries) if (/^(load|preload|require)$/i.test(e.key)) out.add(e.value);
  return out;
}

export interface ReloadPlan {
  commands: string[];
  restartRequired: string[];
}

/** The reload commands for a set of changed files (oldFiles: the set Asterisk runs on now). */
export function planReload(changed: readonly string[], newFiles: ReadonlyMap<string, string>, oldFiles: ReadonlyMap<string, string | undefined>): ReloadPlan {
  const commands: string[] = [];
  const restartRequired: string[] = [];
  const ordered = [...changed].sort((a, b) => rank(a) - rank(b));
  for (const f of ordered) {
    const r = RELOAD_COMMANDS[f];
    if (r === undefined) continue;
    if (r === 'restart') {
      restartRequired.push(f);
      continue;
    }
    if (f === 'modules.conf') {
      const before = loadedModules(oldFiles.get(f));
      const after = loadedModules(newFiles.get(f));
      for (const m of after) if (!before.has(m)) commands.push(`module load ${m}`);
      if ([...before].some((m) => !after.has(m))) restartRequired.push(f);
      continue;
    }
    if (f === 'chan_dahdi.conf') {
      // Loaded just now ("module load" reads the file) or not loaded at all: nothing to reload.
      const mod = 'chan_dahdi.so';
      if (!loadedModules(newFiles.get('modules.conf')).has(mod) || !loadedModules(oldFiles.get('modules.conf') ?? newFiles.get('modules.conf')).has(mod)) continue;
    }
    for (const c of r) if (!commands.includes(c)) commands.push(c);
  }
  return { commands, restartRequired };
}

function rank(f: string): number {
  const i = RELOAD_ORDER.indexOf(f);
  return i < 0 ? RELOAD_ORDER.length : i;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Runs one reload command; returns an error text, or undefined when Asterisk accepted it. */
export async function runReloadCommand(ami: AmiClient, cmd: string, timeoutMs = 30_000): Promise<string | undefined> {
  if (cmd.startsWith('module load ')) return loadModule(ami, cmd.slice('module load '.length).trim(), timeoutMs);
  for (let attempt = 0; ; attempt++) {
    let out: string;
    try {
      out = await ami.command(cmd, { timeoutMs });
    } catch (e) {
      return `"${cmd}" failed: ${(e as Error).message}`;
    }
    // Another reload is running (or Asterisk is still booting): wait and try again.
    if (/already been processed|in progress|has been queued/i.test(out) && attempt < 40) {
      await sleep(250);
      continue;
    }
    const text = out.trim().replace(/\s+/g, ' ');
    if (cmd.startsWith('module reload ')) {
      return /reloaded successfully/i.test(out) ? undefined : `"${cmd}": ${text || 'no answer'}`;
    }
    if (/no such command|fail|error|unable/i.test(out)) return `"${cmd}": ${text}`;
    return undefined;
  }
}

/**
 * Loads a module with the AMI ModuleLoad action: AMI's Command action refuses "module load"
 * (it is on Asterisk's command blacklist), so the CLI form can never work over AMI.
 */
async function loadModule(ami: AmiClient, module: string, timeoutMs: number): Promise<string | undefined> {
  const check = await ami.action('ModuleCheck', { Module: module }, { timeoutMs }).catch(() => undefined);
  if (check?.response === 'Success') return undefined; // already running
  try {
    const res = await ami.action('ModuleLoad', { Module: module, LoadType: 'load' }, { timeoutMs });
    if (res.response === 'Success') return undefined;
    return `loading ${module} failed: ${res.get('Message') ?? 'no reason given'}`;
  } catch (e) {
    return `loading ${module} failed: ${(e as Error).message}`;
  }
}

// ---------------------------------------------------------------------------------------
// Verification.

export interface VerifyCheck {
  file: string;
  what: string;
  /** Resolves with a failure description, or undefined when Asterisk matches the file. */
  run(ami: AmiClient): Promise<string | undefined>;
}

async function cli(ami: AmiClient, cmd: string): Promise<string> {
  return ami.command(cmd, { timeoutMs: 15_000 });
}

/** A CLI command whose failure (Response: Error) is an expected answer, e.g. "no such context". */
async function cliMaybe(ami: AmiClient, cmd: string): Promise<{ ok: boolean; text: string }> {
  try {
    return { ok: true, text: await cli(ami, cmd) };
  } catch (e) {
    return { ok: false, text: (e as Error).message };
  }
}

const sameSet = (a: Iterable<string>, b: Iterable<string>) => {
  const x = [...new Set(a)].sort();
  const y = [...new Set(b)].sort();
  return x.length === y.length && x.every((v, i) => v === y[i]);
};

const listDiff = (want: Iterable<string>, got: Iterable<string>) => {
  const w = new Set(want);
  const g = new Set(got);
  const missing = [...w].filter((x) => !g.has(x));
  const extra = [...g].filter((x) => !w.has(x));
  return [missing.length ? `missing ${missing.join(', ')}` : '', extra.length ? `unexpected ${extra.join(', ')}` : '']
    .filter(Boolean)
    .join('; ');
};

function sections(file: string, text: string): ConfSection[] {
  return parseConf(file, text).sections;
}

function extensionsChecks(text: string): VerifyCheck[] {
  const file = 'extensions.conf';
  const revision = /^exten => revision,1,NoOp\((.*)\)$/m.exec(text)?.[1];
  const tag = /^exten => content,1,NoOp\((.*)\)$/m.exec(text)?.[1];
  const counts = dialplanCounts(text);
  const checks: VerifyCheck[] = [
    {
      file,
      what: 'sentinel seatbox-meta',
      async run(ami) {
        const r = await cliMaybe(ami, `dialplan show ${CONTEXTS.meta}`);
        if (!r.ok) return `context ${CONTEXTS.meta} is not loaded`;
        const liveRev = /'revision'\s*=>\s*1\.\s*NoOp\(([^)]*)\)/.exec(r.text)?.[1];
        const liveTag = /'content'\s*=>\s*1\.\s*NoOp\(([^)]*)\)/.exec(r.text)?.[1];
        if (liveRev !== revision) return `live dialplan revision is ${liveRev ?? '(none)'}, expected ${revision}`;
        if (liveTag !== tag) return `live dialplan content tag is ${liveTag ?? '(none)'}, expected ${tag}`;
        return undefined;
      },
    },
  ];
  for (const [ctx, want] of counts) {
    if (ctx === CONTEXTS.meta) continue;
    checks.push({
      file,
      what: `context ${ctx}`,
      async run(ami) {
        const r = await cliMaybe(ami, `dialplan show ${ctx}`);
        if (!r.ok) return `context ${ctx} is not loaded`;
        const m = /-= (\d+) extensions? \((\d+) priorit(?:y|ies)\) in 1 context/.exec(r.text);
        if (!m) return `cannot read "dialplan show ${ctx}"`;
        if (Number(m[1]) !== want.extensions || Number(m[2]) !== want.priorities)
          return `context ${ctx} has ${m[1]} extensions/${m[2]} priorities live, the file has ${want.extensions}/${want.priorities}`;
        return undefined;
      },
    });
  }
  for (const ctx of Object.values(CONTEXTS)) {
    if (counts.has(ctx)) continue;
    checks.push({
      file,
      what: `context ${ctx} removed`,
      async run(ami) {
        const r = await cliMaybe(ami, `dialplan show ${ctx}`);
        return r.ok && /created by/.test(r.text) ? `context ${ctx} is still loaded although the file no longer has it` : undefined;
      },
    });
  }
  return checks;
}

const CONCURRENCY = 8;
async function mapLimit<T, R>(items: readonly T[], fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(CONCURRENCY, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i] as T);
      }
    }),
  );
  return out;
}

function pjsipChecks(text: string): VerifyCheck[] {
  const file = 'pjsip.conf';
  const secs = sections(file, text);
  const ofType = (t: string) => secs.filter((s) => getValue(s, 'type') === t);
  const find = (t: string, name: string) => ofType(t).find((s) => s.name === name);
  const global = ofType('global')[0];
  const userAgent = global ? getValue(global, 'user_agent') : undefined;
  const endpoints = ofType('endpoint');
  const transports = ofType('transport');
  const identifies = ofType('identify');
  const registrations = ofType('registration');
  return [
    {
      file,
      what: 'outbound registrations',
      async run(ami) {
        let events: AmiMessage[] = [];
        try {
          events = (await ami.listAction('PJSIPShowRegistrationsOutbound', undefined, { timeoutMs: 15_000 })).events;
        } catch (e) {
          if (registrations.length === 0 && /no registrations|not found/i.test((e as Error).message)) return undefined;
          throw e;
        }
        const live = new Map(events.filter((e) => e.event === 'OutboundRegistrationDetail').map((e) => [e.get('ObjectName') ?? '', e]));
        const want = registrations.map((r) => r.name);
        if (!sameSet(want, live.keys())) return `live outbound registrations differ from pjsip.conf: ${listDiff(want, live.keys())}`;
        for (const r of registrations) {
          const l = live.get(r.name)!;
          for (const [k, f] of [['server_uri', 'ServerUri'], ['client_uri', 'ClientUri'], ['expiration', 'Expiration'], ['endpoint', 'Endpoint']] as const) {
            const w = getValue(r, k);
            if (w !== undefined && l.get(f) !== w) return `registration ${r.name} ${k} is "${l.get(f) ?? ''}", expected "${w}"`;
          }
        }
        return undefined;
      },
    },
    {
      file,
      what: 'global settings (user_agent tag)',
      async run(ami) {
        if (!userAgent) return undefined;
        const out = await cli(ami, 'pjsip show settings');
        const live = /^\s*user_agent\s*:\s*(.*?)\s*$/m.exec(out)?.[1];
        return live === userAgent ? undefined : `live user_agent is "${live ?? ''}", expected "${userAgent}" (pjsip.conf not re-read?)`;
      },
    },
    {
      file,
      what: 'transports',
      async run(ami) {
        if (transports.length === 0) return undefined;
        const out = await cli(ami, 'pjsip show transports');
        for (const t of transports) {
          const re = new RegExp(`Transport:\\s+${t.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s+\\S+\\s+\\d+\\s+\\d+\\s+(\\S+)`);
          const live = re.exec(out)?.[1];
          const want = getValue(t, 'bind');
          if (live !== want) return `transport ${t.name} is bound to ${live ?? '(not loaded)'}, expected ${want}`;
        }
        return undefined;
      },
    },
    {
      file,
      what: 'endpoint list',
      async run(ami) {
        let names: string[] = [];
        try {
          const r = await ami.listAction('PJSIPShowEndpoints', undefined, { timeoutMs: 15_000 });
          names = r.events.filter((e) => e.event === 'EndpointList').map((e) => e.get('ObjectName') ?? '');
        } catch (e) {
          if (!/no endpoints found/i.test((e as Error).message)) throw e;
        }
        const want = endpoints.map((s) => s.name);
        return sameSet(want, names) ? undefined : `live endpoints differ from pjsip.conf: ${listDiff(want, names)}`;
      },
    },
    {
      file,
      what: 'endpoint details',
      async run(ami) {
        const problems = await mapLimit(endpoints, async (ep) => {
          let events;
          try {
            events = (await ami.listAction('PJSIPShowEndpoint', { Endpoint: ep.name }, { timeoutMs: 15_000 })).events;
          } catch (e) {
            return `endpoint ${ep.name}: ${(e as Error).message}`;
          }
          const detail = events.find((e) => e.event === 'EndpointDetail');
          if (!detail) return `endpoint ${ep.name} is not loaded`;
          const diffs: string[] = [];
          const cmp = (what: string, live: string | undefined, want: string | undefined) => {
            if (want !== undefined && live !== want) diffs.push(`${what} is "${live ?? ''}", expected "${want}"`);
          };
          cmp('context', detail.get('Context'), getValue(ep, 'context'));
          cmp('aors', detail.get('Aors'), getValue(ep, 'aors'));
          cmp('auth', detail.get('Auth'), getValue(ep, 'auth'));
          cmp('callerid', detail.get('Callerid'), getValue(ep, 'callerid'));
          const setVars = getValues(ep, 'set_var').map((v) => v.value);
          if (setVars.length && !setVars.every((v) => (detail.get('SetVar') ?? '').split(',').map((x) => x.trim()).includes(v)))
            diffs.push(`set_var is "${detail.get('SetVar') ?? ''}", expected ${setVars.join(', ')}`);
          const outAuth = getValue(ep, 'outbound_auth');
          if (outAuth !== undefined) cmp('outbound_auth', detail.get('OutboundAuth'), outAuth);
          for (const idSec of identifies.filter((i) => getValue(i, 'endpoint') === ep.name)) {
            const live = events.find((e) => e.event === 'IdentifyDetail' && e.get('ObjectName') === idSec.name);
            if (!live) {
              diffs.push(`identify ${idSec.name} is not loaded`);
              continue;
            }
            // Only address literals can be compared: host names are resolved by Asterisk.
            const liveMatch = live.get('Match') ?? '';
            for (const mv of getValues(idSec, 'match').map((x) => x.value)) {
              const ip = /^(\d{1,3}(?:\.\d{1,3}){3})(?:\/\d+)?$/.exec(mv)?.[1];
              if (ip && !liveMatch.includes(ip)) diffs.push(`identify ${idSec.name} matches "${liveMatch}", expected ${mv}`);
            }
          }
          const allow = getValues(ep, 'allow').flatMap((a) => a.value.split(',').map((x) => x.trim()));
          const liveAllow = (detail.get('Allow') ?? '').replace(/[()]/g, '').split('|').filter(Boolean);
          if (allow.length && !sameSet(allow, liveAllow)) diffs.push(`codecs are ${liveAllow.join(',')}, expected ${allow.join(',')}`);
          const authName = getValue(ep, 'auth');
          const authSec = authName ? find('auth', authName) : undefined;
          if (authSec) {
            const a = events.find((e) => e.event === 'AuthDetail' && e.get('ObjectName') === authName);
            if (!a) diffs.push(`auth ${authName} is not loaded`);
            else {
              cmp('auth username', a.get('Username'), getValue(authSec, 'username'));
              if (a.get('Password') !== getValue(authSec, 'password')) diffs.push('auth password differs from pjsip.conf');
            }
          }
          for (const aorName of (getValue(ep, 'aors') ?? '').split(',').map((x) => x.trim()).filter(Boolean)) {
            const aorSec = find('aor', aorName);
            const a = events.find((e) => e.event === 'AorDetail' && e.get('ObjectName') === aorName);
            if (!a) diffs.push(`aor ${aorName} is not loaded`);
            else if (aorSec) cmp('aor max_contacts', a.get('MaxContacts'), getValue(aorSec, 'max_contacts'));
          }
          return diffs.length ? `endpoint ${ep.name}: ${diffs.join('; ')}` : undefined;
        });
        const bad = problems.filter((p): p is string => !!p);
        return bad.length ? bad.slice(0, 5).join(' | ') + (bad.length > 5 ? ` (+${bad.length - 5} more)` : '') : undefined;
      },
    },
  ];
}

function queuesChecks(text: string): VerifyCheck[] {
  const file = 'queues.conf';
  const queues = sections(file, text).filter((s) => s.name !== 'general');
  return [
    {
      file,
      what: 'queues',
      async run(ami) {
        const r = await ami.listAction('QueueStatus', undefined, { timeoutMs: 15_000 });
        const params = r.events.filter((e) => e.event === 'QueueParams');
        const members = r.events.filter((e) => e.event === 'QueueMember');
        const live = new Map(params.map((p) => [p.get('Queue') ?? '', p]));
        const problems: string[] = [];
        for (const q of queues) {
          const p = live.get(q.name);
          if (!p) {
            problems.push(`queue ${q.name} is not loaded`);
            continue;
          }
          const strategy = getValue(q, 'strategy');
          if (strategy && p.get('Strategy') !== strategy) problems.push(`queue ${q.name} strategy is ${p.get('Strategy')}, expected ${strategy}`);
          const want = getValues(q, 'member').map((m) => (m.value.split(',')[0] ?? '').trim());
          const got = members
            .filter((m) => m.get('Queue') === q.name && (m.get('Membership') ?? '').toLowerCase() === 'static')
            .map((m) => m.get('Location') ?? m.get('StateInterface') ?? '');
          if (!sameSet(want, got)) problems.push(`queue ${q.name} static members: ${listDiff(want, got)}`);
        }
        // A queue removed from the file lingers only while callers still wait in it.
        for (const [name, p] of live) {
          if (!queues.some((q) => q.name === name) && (p.get('Calls') ?? '0') === '0') problems.push(`queue ${name} is still loaded although the file no longer has it`);
        }
        return problems.length ? problems.join('; ') : undefined;
      },
    },
  ];
}

function managerChecks(text: string): VerifyCheck[] {
  const file = 'manager.conf';
  const secs = sections(file, text);
  const general = secs.find((s) => s.name === 'general');
  const users = secs.filter((s) => s.name !== 'general');
  return [
    {
      file,
      what: 'AMI settings',
      async run(ami) {
        if (!general) return undefined;
        const out = await cli(ami, 'manager show settings');
        const want = `${getValue(general, 'bindaddr')}:${getValue(general, 'port')}`;
        const live = /TCP Bindaddress:\s*(\S+)/.exec(out)?.[1];
        if (live !== want) return `AMI listens on ${live ?? '?'}, expected ${want}`;
        return undefined;
      },
    },
    ...users.map(
      (u): VerifyCheck => ({
        file,
        what: `AMI user ${u.name}`,
        async run(ami) {
          const r = await cliMaybe(ami, `manager show user ${u.name}`);
          if (!r.ok || !new RegExp(`username:\\s*${u.name}\\b`).test(r.text)) return `AMI user ${u.name} is not loaded`;
          for (const k of ['read', 'write']) {
            const want = (getValue(u, k) ?? '').split(',').map((x) => x.trim()).filter(Boolean);
            const live = (new RegExp(`${k} perm:\\s*(.*)$`, 'm').exec(r.text)?.[1] ?? '').split(',').map((x) => x.trim()).filter(Boolean);
            if (want.length && !sameSet(want, live)) return `AMI user ${u.name} ${k} permissions are ${live.join(',')}, expected ${want.join(',')}`;
          }
          return undefined;
        },
      }),
    ),
  ];
}

function simpleChecks(file: string, text: string): VerifyCheck[] {
  const secs = sections(file, text);
  const general = secs.find((s) => s.name === 'general');
  switch (file) {
    case 'rtp.conf':
      return [
        {
          file,
          what: 'RTP port range',
          async run(ami) {
            if (!general) return undefined;
            const out = await cli(ami, 'rtp show settings');
            const start = /Port start:\s*(\d+)/.exec(out)?.[1];
            const end = /Port end:\s*(\d+)/.exec(out)?.[1];
            const ws = getValue(general, 'rtpstart');
            const we = getValue(general, 'rtpend');
            return start === ws && end === we ? undefined : `RTP ports are ${start}-${end}, expected ${ws}-${we}`;
          },
        },
      ];
    case 'indications.conf':
      return secs
        .filter((s) => s.name !== 'general')
        .map(
          (z): VerifyCheck => ({
            file,
            what: `tone zone ${z.name}`,
            async run(ami) {
              const r = await cliMaybe(ami, `indication show ${z.name}`);
              const live = new RegExp(`^${z.name}\\s+busy\\s+(\\S+)`, 'm').exec(r.text)?.[1];
              const want = getValue(z, 'busy');
              return live === want ? undefined : `tone zone ${z.name} busy tone is ${live ?? '(not loaded)'}, expected ${want}`;
            },
          }),
        );
    case 'logger.conf': {
      const logfiles = secs.find((s) => s.name === 'logfiles');
      const names = (logfiles?.entries ?? []).map((e) => e.key).filter((k) => k !== 'console');
      return [
        {
          file,
          what: 'log channels',
          async run(ami) {
            const out = await cli(ami, 'logger show channels');
            const missing = names.filter((n) => !new RegExp(`/${n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s+File\\s`).test(out));
            return missing.length ? `log channels not active: ${missing.join(', ')}` : undefined;
          },
        },
      ];
    }
    case 'cdr.conf':
    case 'cel.conf': {
      const cmd = file === 'cdr.conf' ? 'cdr show status' : 'cel show status';
      const re = file === 'cdr.conf' ? /^\s*Logging:\s*(\w+)/m : /CEL Logging:\s*(\w+)/;
      const want = general && getValue(general, 'enable') === 'yes' ? 'Enabled' : 'Disabled';
      return [
        {
          file,
          what: cmd,
          async run(ami) {
            const live = re.exec(await cli(ami, cmd))?.[1];
            return live === want ? undefined : `${file.replace('.conf', '').toUpperCase()} logging is ${live ?? '?'}, expected ${want}`;
          },
        },
      ];
    }
    case 'musiconhold.conf':
      return [
        {
          file,
          what: 'music-on-hold classes',
          async run(ami) {
            const out = await cli(ami, 'moh show classes');
            // An empty or missing directory registers no class at all (Asterisk only warns);
            // that is a content problem, not a failed reload, so only a mismatch counts.
            for (const c of secs.filter((s) => s.name !== 'general')) {
              const block = new RegExp(`Class: ${c.name}\\n(?:\\s+.*\\n?)*`).exec(out)?.[0];
              if (!block) continue;
              const dir = /Directory:\s*(\S+)/.exec(block)?.[1];
              const want = getValue(c, 'directory');
              if (want && dir !== want) return `music class ${c.name} uses ${dir}, expected ${want}`;
            }
            return undefined;
          },
        },
      ];
    case 'modules.conf': {
      const want = [...loadedModules(text)];
      return [
        {
          file,
          what: 'loaded modules',
          async run(ami) {
            const out = await cli(ami, 'module show');
            const running = new Set<string>();
            for (const line of out.split('\n')) {
              const m = /^(\S+\.so)\s.*\sRunning\s/.exec(line);
              if (m && !/Not Running/.test(line)) running.add(m[1] as string);
            }
            const missing = want.filter((m) => !running.has(m));
            return missing.length ? `modules not running: ${missing.join(', ')}` : undefined;
          },
        },
      ];
    }
    default:
      return [];
  }
}

/** chan_dahdi.conf's channels and the context each one gets (ranges expanded). */
export function dahdiChannelContexts(text: string): Map<number, string> {
  const out = new Map<number, string>();
  for (const s of sections('chan_dahdi.conf', text)) {
    if (s.name !== 'channels') continue;
    let context = 'default';
    for (const e of s.entries) {
      const k = e.key.toLowerCase();
      if (k === 'context') context = e.value;
      if (k !== 'channel' && k !== 'channels') continue;
      for (const part of e.value.split(',')) {
        const m = /^\s*(\d+)(?:-(\d+))?\s*$/.exec(part);
        if (!m) continue;
        for (let c = Number(m[1]); c <= Number(m[2] ?? m[1]); c++) out.set(c, context);
      }
    }
  }
  return out;
}

/** "dahdi show channels": every channel of the file exists, in its context (only while chan_dahdi is loaded). */
export function dahdiChecks(text: string, modulesConf: string | undefined): VerifyCheck[] {
  if (!loadedModules(modulesConf).has('chan_dahdi.so')) return [];
  const want = dahdiChannelContexts(text);
  return [
    {
      file: 'chan_dahdi.conf',
      what: 'DAHDI channels',
      async run(ami) {
        const out = await cli(ami, 'dahdi show channels');
        const live = new Map<number, string>();
        // Rows: "%7s %4d %-20.20s ..." = channel, group bitmask, context (cut to 20 characters), ...
        for (const line of out.split('\n')) {
          const m = /^\s*(\d+)\s+(-?\d+)\s+(\S+)/.exec(line);
          if (m) live.set(Number(m[1]), m[3]!);
        }
        const problems: string[] = [];
        for (const [ch, ctx] of want) {
          const l = live.get(ch);
          if (l === undefined) problems.push(`channel ${ch} is not configured`);
          else if (l !== ctx.slice(0, 20)) problems.push(`channel ${ch} is in context ${l}, expected ${ctx}`);
        }
        return problems.length ? `DAHDI: ${problems.slice(0, 5).join('; ')}${problems.length > 5 ? ` (+${problems.length - 5} more)` : ''}` : undefined;
      },
    },
  ];
}

/** The checks proving that Asterisk runs on `files` for each file in `which`. */
export function buildVerifyChecks(files: ReadonlyMap<string, string>, which: readonly string[]): VerifyCheck[] {
  const out: VerifyCheck[] = [];
  for (const f of which) {
    const text = files.get(f);
    if (text === undefined) continue;
    if (f === 'extensions.conf') out.push(...extensionsChecks(text));
    else if (f === 'pjsip.conf') out.push(...pjsipChecks(text));
    else if (f === 'queues.conf') out.push(...queuesChecks(text));
    else if (f === 'manager.conf') out.push(...managerChecks(text));
    else if (f === 'chan_dahdi.conf') out.push(...dahdiChecks(text, files.get('modules.conf')));
    else out.push(...simpleChecks(f, text));
  }
  return out;
}

/**
 * Runs the checks until all pass or timeoutMs passes (some reloads finish asynchronously).
 * Returns the failures of the last round (empty = verified).
 */
export async function verifyChecks(ami: AmiClient, checks: readonly VerifyCheck[], timeoutMs: number, intervalMs = 250): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  let pending = [...checks];
  let failures: string[] = [];
  for (;;) {
    const results = await Promise.all(
      pending.map(async (c) => {
        try {
          return await c.run(ami);
        } catch (e) {
          return `${c.what}: ${(e as Error).message}`;
        }
      }),
    );
    const still: VerifyCheck[] = [];
    failures = [];
    results.forEach((r, i) => {
      if (r !== undefined) {
        still.push(pending[i] as VerifyCheck);
        failures.push(`${(pending[i] as VerifyCheck).file}: ${r}`);
      }
    });
    pending = still;
    if (pending.length === 0 || Date.now() >= deadline) return failures;
    await sleep(intervalMs);
  }
}
