// Everything that must hold before a generated file set may reach Asterisk: the model
// passes its schema, every rendered file parses with our strict config-syntax checker, and
// the files agree with each other (dialplan targets exist, endpoints' aors/auths exist,
// AMI is loopback only, every application used is provided by a loaded module...).
// Errors name the file, the line and the reason.

import {
  checkBalanced,
  extensionMatches,
  formatConfigIssue,
  getValue,
  getValues,
  parseConf,
  splitTopLevel,
  type ConfEntry,
  type ConfigIssue,
  type ConfSection,
  type ParsedConf,
} from './conf-parser.js';
import { CODECS, formatModelIssue, QUEUE_STRATEGIES, validateModel, type PbxModel } from './model.js';
import { CONFIG_FILES, renderConfig, type RenderOptions } from './render.js';

export { formatConfigIssue, type ConfigIssue } from './conf-parser.js';

export interface ValidateOptions {
  /** Module file names present in Asterisk's module directory; when given, every "load" must exist. */
  availableModules?: ReadonlySet<string>;
}

// ---------------------------------------------------------------------------------------
// What the dialplan may use. Applications/functions not listed here are refused: a new
// template feature must name the module that provides it (and modules.conf must load it).

const CORE = 'core';

export const APP_MODULES: Readonly<Record<string, string>> = {
  // main/pbx_builtins.c, main/pbx_variables.c
  answer: CORE,
  background: CORE,
  busy: CORE,
  congestion: CORE,
  execiftime: CORE,
  goto: CORE,
  gotoif: CORE,
  gotoiftime: CORE,
  hangup: CORE,
  incomplete: CORE,
  noop: CORE,
  proceeding: CORE,
  progress: CORE,
  raiseexception: CORE,
  ringing: CORE,
  saydigits: CORE,
  saynumber: CORE,
  set: CORE,
  mset: CORE,
  wait: CORE,
  // main/features.c (agent desktop: take a held call back, complete a transfer)
  bridge: CORE,
  // agent desktop: three-party conference
  bridgeadd: 'app_bridgeaddchan.so',
  waitdigit: CORE,
  waitexten: CORE,
  dial: 'app_dial.so',
  queue: 'app_queue.so',
  addqueuemember: 'app_queue.so',
  removequeuemember: 'app_queue.so',
  pausequeuemember: 'app_queue.so',
  unpausequeuemember: 'app_queue.so',
  queuelog: 'app_queue.so',
  playback: 'app_playback.so',
  playtones: 'app_playtones.so',
  stopplaytones: 'app_playtones.so',
  echo: 'app_echo.so',
  verbose: 'app_verbose.so',
  log: 'app_verbose.so',
  gosub: 'app_stack.so',
  gosubif: 'app_stack.so',
  return: 'app_stack.so',
  exec: 'app_exec.so',
  execif: 'app_exec.so',
  tryexec: 'app_exec.so',
  userevent: 'app_userevent.so',
  senddtmf: 'app_senddtmf.so',
  mixmonitor: 'app_mixmonitor.so',
  stopmixmonitor: 'app_mixmonitor.so',
  chanspy: 'app_chanspy.so',
  extenspy: 'app_chanspy.so',
  musiconhold: 'res_musiconhold.so',
  startmusiconhold: 'res_musiconhold.so',
  stopmusiconhold: 'res_musiconhold.so',
  receivefax: 'res_fax.so',
  sendfax: 'res_fax.so',
  read: 'app_read.so',
  record: 'app_record.so',
};

export const FUNCTION_MODULES: Readonly<Record<string, string>> = {
  EXCEPTION: CORE,
  TESTTIME: CORE,
  RAND: 'func_rand.so',
  IF: 'func_logic.so',
  ISNULL: 'func_logic.so',
  EXISTS: 'func_logic.so',
  SET: 'func_logic.so',
  IFTIME: 'func_logic.so',
  IMPORT: 'func_logic.so',
  LEN: 'func_strings.so',
  FIELDQTY: 'func_strings.so',
  FILTER: 'func_strings.so',
  REPLACE: 'func_strings.so',
  TOUPPER: 'func_strings.so',
  TOLOWER: 'func_strings.so',
  STRFTIME: 'func_strings.so',
  MATH: 'func_math.so',
  INC: 'func_math.so',
  DEC: 'func_math.so',
  CUT: 'func_cut.so',
  SORT: 'func_cut.so',
  CHANNEL: 'func_channel.so',
  CALLERID: 'func_callerid.so',
  CONNECTEDLINE: 'func_callerid.so',
  GLOBAL: 'func_global.so',
  SHARED: 'func_global.so',
  HANGUPCAUSE: 'func_hangupcause.so',
  HANGUPCAUSE_KEYS: 'func_hangupcause.so',
  TIMEOUT: 'func_timeout.so',
  UUID: 'func_uuid.so',
  DEVICE_STATE: 'func_devstate.so',
  HINT: 'func_devstate.so',
  GROUP: 'func_groupcount.so',
  GROUP_COUNT: 'func_groupcount.so',
  URIENCODE: 'func_uri.so',
  URIDECODE: 'func_uri.so',
  PERIODIC_HOOK: 'func_periodic_hook.so',
  PJSIP_ENDPOINT: 'func_pjsip_endpoint.so',
  PJSIP_AOR: 'func_pjsip_aor.so',
  PJSIP_CONTACT: 'func_pjsip_contact.so',
  PJSIP_HEADER: 'res_pjsip_header_funcs.so',
  FAXOPT: 'res_fax.so',
  QUEUE_MEMBER: 'app_queue.so',
  QUEUE_VARIABLES: 'app_queue.so',
  QUEUE_WAITING_COUNT: 'app_queue.so',
  REGEX: 'func_strings.so',
  DB: 'func_db.so',
  DB_EXISTS: 'func_db.so',
  DB_DELETE: 'func_db.so',
  DB_KEYS: 'func_db.so',
  SHA1: 'func_sha1.so',
};

/** Which module reads which generated file (the file is pointless, or refused, without it). */
const FILE_MODULES: Readonly<Record<string, readonly string[]>> = {
  'pjsip.conf': ['res_pjsip.so', 'chan_pjsip.so'],
  'extensions.conf': ['pbx_config.so'],
  'queues.conf': ['app_queue.so'],
  'musiconhold.conf': ['res_musiconhold.so'],
  'rtp.conf': ['res_rtp_asterisk.so'],
  'pjproject.conf': ['res_pjproject.so'],
};

/** Settings that may legitimately repeat inside one section, per file. */
const REPEATABLE: Readonly<Record<string, ReadonlySet<string>>> = {
  'modules.conf': new Set(['load', 'noload', 'preload', 'require']),
  'extensions.conf': new Set(['exten', 'same', 'include']),
  'pjsip.conf': new Set(['allow', 'disallow', 'local_net', 'set_var', 'match', 'contact', 'permit', 'deny']),
  'manager.conf': new Set(['permit', 'deny', 'eventfilter', 'setvar']),
  'queues.conf': new Set(['member']),
};

const PJSIP_TYPES = new Set([
  'global',
  'system',
  'transport',
  'endpoint',
  'aor',
  'auth',
  'identify',
  'acl',
  'domain_alias',
  'registration',
  'outbound-publish',
  'inbound-publication',
  'resource_list',
  'phoneprov',
  'contact',
]);

const AMI_CLASSES = new Set([
  'all',
  'system',
  'call',
  'log',
  'verbose',
  'agent',
  'user',
  'config',
  'command',
  'dtmf',
  'reporting',
  'cdr',
  'dialplan',
  'originate',
  'agi',
  'cc',
  'aoc',
  'test',
  'security',
  'message',
]);

// ---------------------------------------------------------------------------------------

/** Index of the ")" closing the "(" at `open`, or -1. */
function closingParen(s: string, open: number): number {
  let depth = 0;
  for (let i = open; i < s.length; i++) {
    const c = s[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return i;
  }
  return -1;
}

const isLoopback = (addr: string) => /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.test(addr) || addr === '::1' || addr === '[::1]';
const isInt = (v: string | undefined, min: number, max: number) =>
  v !== undefined && /^\d+$/.test(v) && Number(v) >= min && Number(v) <= max;
const hasVars = (s: string) => s.includes('$');

class Checker {
  readonly issues: ConfigIssue[] = [];
  readonly parsed = new Map<string, ParsedConf>();

  constructor(
    private readonly files: ReadonlyMap<string, string>,
    private readonly opts: ValidateOptions,
  ) {}

  err(file: string, line: number, message: string): void {
    this.issues.push({ file, line, message });
  }

  run(): ConfigIssue[] {
    for (const name of CONFIG_FILES) if (!this.files.has(name)) this.err(name, 0, 'missing from the generated set');
    for (const [name, text] of this.files) {
      if (!(CONFIG_FILES as readonly string[]).includes(name)) this.err(name, 0, 'is not a file SeatBox generates');
      const p = parseConf(name, text);
      this.issues.push(...p.issues);
      this.parsed.set(name, p);
      this.checkDuplicates(p);
    }
    const loaded = this.checkModules();
    this.checkAsteriskConf();
    this.checkManager();
    this.checkRtp();
    this.checkIndications();
    this.checkLogger();
    this.checkOnOff('cdr.conf');
    this.checkOnOff('cel.conf');
    const moh = this.checkMoh();
    const dp = this.checkDialplan(loaded);
    const pj = this.checkPjsip(dp);
    this.checkDialplanTargets(dp, pj, this.queueNames());
    this.checkQueues(pj, moh);
    for (const [file, mods] of Object.entries(FILE_MODULES)) {
      if (!this.files.has(file) || !loaded) continue;
      for (const m of mods) if (!loaded.has(m)) this.err(file, 0, `needs ${m}, which modules.conf does not load`);
    }
    return this.issues.sort((a, b) => (a.file === b.file ? a.line - b.line : a.file < b.file ? -1 : 1));
  }

  private sections(file: string): ConfSection[] {
    return this.parsed.get(file)?.sections ?? [];
  }

  private section(file: string, name: string): ConfSection | undefined {
    return this.sections(file).find((s) => s.name.toLowerCase() === name.toLowerCase());
  }

  private requireSection(file: string, name: string): ConfSection | undefined {
    const s = this.section(file, name);
    if (!s && this.files.has(file)) this.err(file, 0, `has no [${name}] section`);
    return s;
  }

  /** Duplicate sections merge or shadow each other in Asterisk; duplicate keys mostly shadow. */
  private checkDuplicates(p: ParsedConf): void {
    const seen = new Map<string, ConfSection>();
    for (const s of p.sections) {
      // pjsip.conf: objects of different types may share a name (endpoint 8001 + aor 8001).
      const type = p.file === 'pjsip.conf' ? (getValue(s, 'type') ?? '') : '';
      const key = `${s.name.toLowerCase()}\u0000${type}`;
      const prev = seen.get(key);
      if (prev)
        this.err(
          p.file,
          s.line,
          `duplicate section [${s.name}]${type ? ` of type ${type}` : ''} (first at line ${prev.line}): Asterisk would merge or shadow them`,
        );
      else seen.set(key, s);
      const repeatable = REPEATABLE[p.file] ?? new Set<string>();
      const keys = new Map<string, ConfEntry>();
      for (const e of s.entries) {
        const k = e.key.toLowerCase();
        // chan_dahdi.conf: options apply to the following "channel =>" lines, so every block repeats them.
        if (repeatable.has(k) || (p.file === 'extensions.conf' && s.name === 'globals') || p.file === 'chan_dahdi.conf') continue;
        const first = keys.get(k);
        if (first) this.err(p.file, e.line, `"${e.key}" set twice in [${s.name}] (first at line ${first.line})`);
        else keys.set(k, e);
      }
    }
  }

  private checkModules(): Set<string> | undefined {
    const file = 'modules.conf';
    if (!this.files.has(file)) return undefined;
    const secs = this.sections(file);
    for (const s of secs) if (s.name !== 'modules') this.err(file, s.line, `unexpected section [${s.name}]`);
    const s = this.requireSection(file, 'modules');
    if (!s) return undefined;
    const loaded = new Set<string>();
    if (getValue(s, 'autoload')?.toLowerCase() !== 'no') this.err(file, s.line, 'autoload must be "no" (SeatBox loads an explicit list)');
    for (const e of s.entries) {
      const k = e.key.toLowerCase();
      if (k === 'autoload') continue;
      if (k !== 'load' && k !== 'noload' && k !== 'preload' && k !== 'require') {
        this.err(file, e.line, `unknown setting "${e.key}"`);
        continue;
      }
      if (!/^[a-z0-9_]+\.so$/.test(e.value)) {
        this.err(file, e.line, `"${e.value}" is not a module file name (name.so)`);
        continue;
      }
      if (k === 'noload') continue;
      if (loaded.has(e.value)) this.err(file, e.line, `${e.value} is listed twice`);
      loaded.add(e.value);
      if (this.opts.availableModules && !this.opts.availableModules.has(e.value))
        this.err(file, e.line, `${e.value} does not exist in Asterisk's module directory`);
    }
    return loaded;
  }

  private checkAsteriskConf(): void {
    const file = 'asterisk.conf';
    const dirs = this.requireSection(file, 'directories');
    this.requireSection(file, 'options');
    if (!dirs) return;
    for (const k of ['astetcdir', 'astmoddir', 'astvarlibdir', 'astdatadir', 'astspooldir', 'astrundir', 'astlogdir']) {
      if (getValue(dirs, k) === undefined) this.err(file, dirs.line, `[directories] lacks ${k}`);
    }
    for (const e of dirs.entries) {
      if (!/^(\/[A-Za-z0-9_.+-]+)+$/.test(e.value) || e.value.split('/').includes('..'))
        this.err(file, e.line, `${e.key} must be an absolute path, got "${e.value}"`);
    }
  }

  private checkManager(): void {
    const file = 'manager.conf';
    const g = this.requireSection(file, 'general');
    if (!g) return;
    if (getValue(g, 'enabled')?.toLowerCase() !== 'yes') this.err(file, g.line, 'AMI must be enabled (enabled = yes)');
    const bind = getValues(g, 'bindaddr');
    if (bind.length === 0) this.err(file, g.line, 'bindaddr is missing (Asterisk would listen on every interface)');
    for (const b of bind) if (!isLoopback(b.value)) this.err(file, b.line, `bindaddr must be a loopback address, got "${b.value}"`);
    if (!isInt(getValue(g, 'port'), 1, 65535)) this.err(file, g.line, 'port must be a number 1-65535');
    for (const k of ['webenabled', 'tlsenable']) {
      const e = getValues(g, k)[0];
      if (e && /^(yes|true|on|1)$/i.test(e.value)) this.err(file, e.line, `${k} must stay off (AMI is loopback TCP only)`);
    }
    const users = this.sections(file).filter((s) => s.name.toLowerCase() !== 'general');
    if (users.length === 0) this.err(file, 0, 'has no AMI user section');
    for (const u of users) {
      if (!getValue(u, 'secret')) this.err(file, u.line, `user [${u.name}] has no secret`);
      const deny = getValues(u, 'deny');
      if (!deny.some((d) => d.value === '0.0.0.0/0.0.0.0' || d.value === '0.0.0.0/0'))
        this.err(file, u.line, `user [${u.name}] must deny 0.0.0.0/0.0.0.0 and permit loopback only`);
      const permits = getValues(u, 'permit');
      if (permits.length === 0) this.err(file, u.line, `user [${u.name}] has no permit line`);
      for (const p of permits) {
        const addr = p.value.split('/')[0] ?? '';
        if (!isLoopback(addr)) this.err(file, p.line, `user [${u.name}] permits non-loopback address "${p.value}"`);
      }
      const wt = getValues(u, 'writetimeout')[0];
      if (!wt) this.err(file, u.line, `user [${u.name}] has no writetimeout (Asterisk's 100 ms default drops a briefly stalled reader)`);
      else if (!isInt(wt.value, 1000, 60000)) this.err(file, wt.line, `writetimeout must be 1000-60000 ms, got "${wt.value}"`);
      for (const k of ['read', 'write']) {
        for (const e of getValues(u, k)) {
          for (const c of e.value.split(',').map((x) => x.trim().toLowerCase())) {
            if (!AMI_CLASSES.has(c)) this.err(file, e.line, `unknown AMI permission class "${c}"`);
          }
        }
      }
    }
  }

  private checkRtp(): void {
    const file = 'rtp.conf';
    const g = this.requireSection(file, 'general');
    if (!g) return;
    const start = getValue(g, 'rtpstart');
    const end = getValue(g, 'rtpend');
    if (!isInt(start, 1024, 65535) || !isInt(end, 1024, 65535) || Number(start) >= Number(end))
      this.err(file, g.line, `rtpstart/rtpend must be ports 1024-65535 with start < end, got ${start}-${end}`);
  }

  private checkIndications(): void {
    const file = 'indications.conf';
    const g = this.requireSection(file, 'general');
    if (!g) return;
    const country = getValues(g, 'country')[0];
    if (!country) this.err(file, g.line, 'country (the default tone zone) is missing');
    else if (!this.section(file, country.value)) this.err(file, country.line, `tone zone "${country.value}" has no [${country.value}] section`);
    for (const z of this.sections(file)) {
      if (z.name === 'general') continue;
      for (const k of ['ringcadence', 'dial', 'busy', 'ring', 'congestion']) {
        if (!getValue(z, k)) this.err(file, z.line, `tone zone [${z.name}] lacks "${k}"`);
      }
    }
  }

  private checkLogger(): void {
    this.requireSection('logger.conf', 'general');
    this.requireSection('logger.conf', 'logfiles');
  }

  private checkOnOff(file: string): void {
    const g = this.requireSection(file, 'general');
    if (g && !/^(yes|no)$/.test(getValue(g, 'enable') ?? '')) this.err(file, g.line, 'enable must be yes or no');
  }

  private checkMoh(): Set<string> {
    const file = 'musiconhold.conf';
    const classes = new Set<string>();
    for (const s of this.sections(file)) {
      if (s.name === 'general') continue;
      classes.add(s.name);
      const mode = getValue(s, 'mode');
      if (!mode) this.err(file, s.line, `class [${s.name}] has no mode`);
      if (mode === 'files') {
        const dir = getValue(s, 'directory');
        if (!dir || !dir.startsWith('/')) this.err(file, s.line, `class [${s.name}] needs an absolute directory`);
      }
    }
    if (!classes.has('default') && this.files.has(file)) this.err(file, 0, 'has no [default] class');
    return classes;
  }

  // ----- dialplan

  private checkDialplan(loaded: Set<string> | undefined): Dialplan {
    const file = 'extensions.conf';
    const dp: Dialplan = new Map();
    for (const s of this.sections(file)) {
      if (s.name === 'general' || s.name === 'globals') continue;
      const ctx: DpContext = { name: s.name, line: s.line, includes: [], extens: new Map(), steps: [] };
      dp.set(s.name, ctx);
      let cur: DpExten | undefined;
      for (const e of s.entries) {
        const key = e.key.toLowerCase();
        if (key === 'include') {
          if (e.op !== '=>') this.err(file, e.line, 'use "include =>"');
          ctx.includes.push({ target: e.value, line: e.line });
          continue;
        }
        if (key !== 'exten' && key !== 'same') {
          this.err(file, e.line, `"${e.key}" is not allowed in a context (only exten, same, include)`);
          continue;
        }
        if (e.op !== '=>') this.err(file, e.line, `use "${key} =>"`);
        let name: string;
        let rest: string;
        if (key === 'exten') {
          const i = e.value.indexOf(',');
          if (i <= 0) {
            this.err(file, e.line, 'exten needs "extension,priority,Application(args)"');
            continue;
          }
          name = e.value.slice(0, i).trim();
          rest = e.value.slice(i + 1);
          if (!/^(_?[A-Za-z0-9*#+\-[\].!]+)$/.test(name)) {
            this.err(file, e.line, `invalid extension "${name}"`);
            continue;
          }
          cur = ctx.extens.get(name);
          if (!cur) {
            cur = { name, line: e.line, priorities: [], labels: new Map() };
            ctx.extens.set(name, cur);
          }
        } else {
          if (!cur) {
            this.err(file, e.line, '"same =>" without a preceding "exten =>" in this context');
            continue;
          }
          name = cur.name;
          rest = e.value;
        }
        const i = rest.indexOf(',');
        const prioText = (i < 0 ? rest : rest.slice(0, i)).trim();
        const appText = i < 0 ? '' : rest.slice(i + 1).trim();
        const pm = /^(\d+|n|hint)(?:\(([A-Za-z0-9_-]+)\))?$/.exec(prioText);
        if (!pm) {
          this.err(file, e.line, `invalid priority "${prioText}" (use 1, n or n(label))`);
          continue;
        }
        if (pm[1] === 'hint') continue;
        const last = cur.priorities[cur.priorities.length - 1] ?? 0;
        const prio = pm[1] === 'n' ? last + 1 : Number(pm[1]);
        if (pm[1] === 'n' && last === 0) {
          this.err(file, e.line, `extension "${name}" starts with priority n: the first priority must be 1`);
          continue;
        }
        if (cur.priorities.includes(prio)) {
          this.err(file, e.line, `extension "${name}" priority ${prio} is defined twice (Asterisk refuses the second)`);
          continue;
        }
        if (prio !== last + 1) this.err(file, e.line, `extension "${name}" jumps from priority ${last} to ${prio}`);
        cur.priorities.push(prio);
        if (pm[2]) {
          if (cur.labels.has(pm[2])) this.err(file, e.line, `label "${pm[2]}" is defined twice in extension "${name}"`);
          cur.labels.set(pm[2], prio);
        }
        if (!appText) {
          this.err(file, e.line, 'missing application');
          continue;
        }
        const step = this.parseApp(file, e.line, appText, loaded);
        if (step) ctx.steps.push({ ...step, exten: cur, line: e.line });
      }
    }
    const meta = dp.get('seatbox-meta');
    if (this.files.has(file)) {
      if (!meta) this.err(file, 0, 'has no [seatbox-meta] sentinel context');
      else {
        for (const x of ['revision', 'content'])
          if (!meta.extens.has(x)) this.err(file, meta.line, `[seatbox-meta] lacks the "${x}" sentinel extension`);
      }
    }
    return dp;
  }

  private parseApp(
    file: string,
    line: number,
    text: string,
    loaded: Set<string> | undefined,
  ): { app: string; args: string } | undefined {
    const m = /^([A-Za-z][A-Za-z0-9_]*)\s*(\(([\s\S]*)\))?$/.exec(text);
    const bal = checkBalanced(text);
    if (bal) {
      this.err(file, line, `${bal} in "${text}"`);
      return undefined;
    }
    if (!m) {
      this.err(file, line, `"${text}" is not Application(args)`);
      return undefined;
    }
    const app = m[1] as string;
    const args = m[3] ?? '';
    // The regex is greedy: "App(a)junk)" would match; the first "(" must close at the very end.
    if (m[2] && closingParen(text, text.indexOf('(')) !== text.length - 1) {
      this.err(file, line, `text after the closing parenthesis of ${app}()`);
      return undefined;
    }
    const mod = APP_MODULES[app.toLowerCase()];
    if (!mod) this.err(file, line, `unknown application "${app}" (not in pbx-config's application map)`);
    else if (mod !== CORE && loaded && !loaded.has(mod)) this.err(file, line, `application ${app} needs ${mod}, which modules.conf does not load`);
    for (const fm of text.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)\(/g)) {
      const fn = (fm[1] as string).toUpperCase();
      const fmod = FUNCTION_MODULES[fn];
      if (!fmod) this.err(file, line, `unknown dialplan function ${fn}() (not in pbx-config's function map)`);
      else if (fmod !== CORE && loaded && !loaded.has(fmod)) this.err(file, line, `function ${fn}() needs ${fmod}, which modules.conf does not load`);
    }
    return { app, args };
  }

  private checkDialplanTargets(dp: Dialplan, pj: Pjsip, queues: Set<string>): void {
    const file = 'extensions.conf';
    const dahdi = this.dahdiChannels();
    // include => targets and cycles
    for (const ctx of dp.values()) {
      for (const inc of ctx.includes) {
        if (!dp.has(inc.target)) this.err(file, inc.line, `include => ${inc.target}: no such context`);
        else if (inc.target === ctx.name) this.err(file, inc.line, `context ${ctx.name} includes itself`);
      }
    }
    for (const ctx of dp.values()) {
      const path = this.includeCycle(dp, ctx.name, []);
      if (path) {
        this.err(file, ctx.line, `include cycle: ${path.join(' -> ')}`);
        break;
      }
    }
    for (const ctx of dp.values()) {
      for (const step of ctx.steps) {
        const app = step.app.toLowerCase();
        const args = splitTopLevel(step.args, ',');
        if (app === 'goto' || app === 'gosub') {
          this.checkTarget(dp, ctx, step, step.args, `${step.app}(${step.args})`);
        } else if (app === 'gotoif' || app === 'gosubif') {
          const q = splitTopLevel(step.args, '?');
          if (q.length !== 2) {
            this.err(file, step.line, `${step.app} needs "condition?target[:target]"`);
            continue;
          }
          for (const t of splitTopLevel(q[1] as string, ':')) {
            if (t.trim() !== '') this.checkTarget(dp, ctx, step, t, `${step.app} target "${t}"`);
          }
        } else if (app === 'dial') {
          const first = (args[0] ?? '').trim();
          if (!first) this.err(file, step.line, 'Dial() without a destination');
          for (const dest of splitTopLevel(first, '&')) this.checkDialDest(dp, pj, dahdi, step.line, dest.trim());
          // b(context^exten^priority(args)) / B(...): pre-dial handlers run a dialplan subroutine.
          for (const hm of (args[2] ?? '').matchAll(/(?:^|[^A-Za-z])([bB])\(([^()^]+)\^([^()^]+)\^([^()^]+)(\([^()]*\))?\)/g)) {
            this.checkTarget(dp, ctx, step, `${hm[2]},${hm[3]},${hm[4]}`, `Dial option ${hm[1]}(${hm[2]}^${hm[3]}^${hm[4]})`);
          }
        } else if (app === 'queue') {
          const q = (args[0] ?? '').trim();
          if (!q) this.err(file, step.line, 'Queue() without a queue name');
          else if (!hasVars(q) && !queues.has(q)) this.err(file, step.line, `Queue(${q}): no such queue in queues.conf`);
        }
      }
    }
  }

  private includeCycle(dp: Dialplan, name: string, path: string[]): string[] | undefined {
    if (path.includes(name)) return [...path.slice(path.indexOf(name)), name];
    const ctx = dp.get(name);
    if (!ctx) return undefined;
    for (const inc of ctx.includes) {
      if (inc.target === name) continue;
      const c = this.includeCycle(dp, inc.target, [...path, name]);
      if (c) return c;
    }
    return undefined;
  }

  /** Extensions reachable in a context: its own and those of included contexts. */
  private findExten(dp: Dialplan, ctxName: string, exten: string, seen = new Set<string>()): DpExten | undefined {
    if (seen.has(ctxName)) return undefined;
    seen.add(ctxName);
    const ctx = dp.get(ctxName);
    if (!ctx) return undefined;
    const exact = ctx.extens.get(exten);
    if (exact) return exact;
    for (const e of ctx.extens.values()) if (extensionMatches(e.name, exten)) return e;
    for (const inc of ctx.includes) {
      const f = this.findExten(dp, inc.target, exten, seen);
      if (f) return f;
    }
    return undefined;
  }

  /** [[context,]extension,]priority|label */
  private checkTarget(dp: Dialplan, ctx: DpContext, step: DpStep, target: string, what: string): void {
    const file = 'extensions.conf';
    // Gosub arguments "(a,b)" after the priority are not part of the target.
    const parts = splitTopLevel(target.trim().replace(/\([^()]*\)$/, ''), ',').map((p) => p.trim());
    if (parts.length < 1 || parts.length > 3 || parts.some((p) => p === '')) {
      this.err(file, step.line, `${what}: target must be [[context,]extension,]priority`);
      return;
    }
    const prio = parts[parts.length - 1] as string;
    const extenName = parts.length >= 2 ? (parts[parts.length - 2] as string) : undefined;
    const ctxName = parts.length === 3 ? (parts[0] as string) : ctx.name;
    if (hasVars(ctxName)) return;
    if (!dp.has(ctxName)) {
      this.err(file, step.line, `${what}: context "${ctxName}" does not exist`);
      return;
    }
    let exten: DpExten | undefined = step.exten;
    if (extenName !== undefined) {
      if (hasVars(extenName)) return;
      exten = this.findExten(dp, ctxName, extenName);
      if (!exten) {
        this.err(file, step.line, `${what}: extension "${extenName}" does not exist in context ${ctxName}`);
        return;
      }
    }
    if (hasVars(prio) || !exten) return;
    if (/^\d+$/.test(prio)) {
      if (!exten.priorities.includes(Number(prio)))
        this.err(file, step.line, `${what}: extension "${exten.name}" has no priority ${prio}`);
    } else if (!exten.labels.has(prio)) {
      this.err(file, step.line, `${what}: label "${prio}" does not exist in extension "${exten.name}"${ctxName !== ctx.name ? ` of ${ctxName}` : ''}`);
    }
  }

  /** chan_dahdi.conf's channels and groups (undefined when chan_dahdi is not loaded). */
  private dahdiChannels(): { channels: Set<number>; groups: Set<number> } | undefined {
    const loaded = this.parsed.get('modules.conf') ? loadedModulesOf(this.sections('modules.conf')) : undefined;
    if (!loaded?.has('chan_dahdi.so')) return undefined;
    const out = { channels: new Set<number>(), groups: new Set<number>() };
    const file = 'chan_dahdi.conf';
    for (const s of this.sections(file)) {
      if (s.name !== 'channels') continue;
      let groups: number[] = [];
      for (const e of s.entries) {
        const k = e.key.toLowerCase();
        if (k === 'group') groups = e.value.trim() === '' ? [] : e.value.split(',').map((g) => Number(g.trim()));
        if (k !== 'channel' && k !== 'channels') continue;
        for (const part of e.value.split(',')) {
          const m = /^\s*(\d+)(?:-(\d+))?\s*$/.exec(part);
          if (!m) {
            this.err(file, e.line, `"${part.trim()}" is not a channel or channel range`);
            continue;
          }
          const a = Number(m[1]);
          const b = m[2] !== undefined ? Number(m[2]) : a;
          for (let c = a; c <= b; c++) out.channels.add(c);
          for (const g of groups) out.groups.add(g);
        }
      }
    }
    return out;
  }

  private checkDialDest(dp: Dialplan, pj: Pjsip, dahdi: { channels: Set<number>; groups: Set<number> } | undefined, line: number, dest: string): void {
    const file = 'extensions.conf';
    const slash = dest.indexOf('/');
    if (slash <= 0) {
      this.err(file, line, `Dial destination "${dest}" is not Technology/resource`);
      return;
    }
    const tech = dest.slice(0, slash).toLowerCase();
    const res = dest.slice(slash + 1);
    if (tech === 'local') {
      const m = /^([^@/]+)@([^/]+)(\/[a-zA-Z]+)?$/.exec(res);
      if (!m) {
        this.err(file, line, `Dial destination "${dest}" must be Local/extension@context`);
        return;
      }
      const [, ext, ctxName] = m as unknown as [string, string, string];
      if (hasVars(ctxName)) return;
      if (!dp.has(ctxName)) this.err(file, line, `Dial(${dest}): context "${ctxName}" does not exist`);
      else if (!hasVars(ext) && !this.findExten(dp, ctxName, ext))
        this.err(file, line, `Dial(${dest}): extension "${ext}" does not exist in context ${ctxName}`);
    } else if (tech === 'pjsip') {
      // PJSIP/<endpoint>[/<uri>] or PJSIP/<number>@<endpoint> (dial a number through a trunk).
      const at = res.indexOf('@');
      const ep = at >= 0 ? res.slice(at + 1) : (res.split('/')[0] ?? '');
      if (!hasVars(ep) && !pj.endpoints.has(ep)) this.err(file, line, `Dial(${dest}): no such PJSIP endpoint in pjsip.conf`);
    } else if (tech === 'dahdi') {
      // DAHDI/<channel> or DAHDI/g<group>/<number> (r/G/R: other hunting orders of a group).
      if (!dahdi) {
        this.err(file, line, `Dial(${dest}): DAHDI needs chan_dahdi.so, which modules.conf does not load`);
        return;
      }
      const m = /^(?:(\d+)|([gGrR])(\d+)\/.+)$/.exec(res);
      if (!m) this.err(file, line, `Dial destination "${dest}" must be DAHDI/<channel> or DAHDI/g<group>/<number>`);
      else if (m[1] !== undefined && !dahdi.channels.has(Number(m[1]))) this.err(file, line, `Dial(${dest}): channel ${m[1]} is not configured in chan_dahdi.conf`);
      else if (m[3] !== undefined && !dahdi.groups.has(Number(m[3]))) this.err(file, line, `Dial(${dest}): no channel of chan_dahdi.conf is in group ${m[3]}`);
    } else {
      this.err(file, line, `Dial destination "${dest}": technology ${dest.slice(0, slash)} is not used by SeatBox`);
    }
  }

  // ----- pjsip

  private checkPjsip(dp: Dialplan): Pjsip {
    const file = 'pjsip.conf';
    const pj: Pjsip = { endpoints: new Set(), byType: new Map() };
    const secs = this.sections(file);
    for (const s of secs) {
      const types = getValues(s, 'type');
      if (types.length !== 1) {
        this.err(file, s.line, `[${s.name}] must have exactly one "type"`);
        continue;
      }
      const type = (types[0] as ConfEntry).value;
      if (!PJSIP_TYPES.has(type)) {
        this.err(file, s.line, `[${s.name}] has unknown type "${type}"`);
        continue;
      }
      let m = pj.byType.get(type);
      if (!m) pj.byType.set(type, (m = new Map()));
      m.set(s.name, s);
      if (type === 'endpoint') pj.endpoints.add(s.name);
    }
    const has = (type: string, name: string) => pj.byType.get(type)?.has(name) ?? false;
    const binds = new Map<string, number>();
    for (const t of pj.byType.get('transport')?.values() ?? []) {
      const proto = getValue(t, 'protocol') ?? 'udp';
      if (!['udp', 'tcp', 'tls', 'ws', 'wss'].includes(proto)) this.err(file, t.line, `transport [${t.name}] has unknown protocol "${proto}"`);
      const bind = getValue(t, 'bind');
      const bm = bind ? /^(\d{1,3}(?:\.\d{1,3}){3}|\[[0-9a-fA-F:]+\]):(\d+)$/.exec(bind) : null;
      if (!bm || !isInt(bm[2], 1, 65535)) this.err(file, t.line, `transport [${t.name}] needs bind = address:port, got "${bind ?? ''}"`);
      else {
        const key = `${proto}/${bm[2]}`;
        const prev = binds.get(key);
        if (prev) this.err(file, t.line, `transport [${t.name}] binds ${proto} port ${bm[2]} again (first at line ${prev})`);
        binds.set(key, t.line);
      }
    }
    for (const ep of pj.byType.get('endpoint')?.values() ?? []) {
      for (const e of getValues(ep, 'aors')) {
        for (const a of e.value.split(',').map((x) => x.trim())) {
          if (!has('aor', a)) this.err(file, e.line, `endpoint [${ep.name}] names aor "${a}", which is not defined`);
        }
      }
      for (const k of ['auth', 'outbound_auth']) {
        for (const e of getValues(ep, k)) {
          for (const a of e.value.split(',').map((x) => x.trim())) {
            if (!has('auth', a)) this.err(file, e.line, `endpoint [${ep.name}] names ${k} "${a}", which is not defined`);
          }
        }
      }
      const tr = getValues(ep, 'transport')[0];
      if (tr && !has('transport', tr.value)) this.err(file, tr.line, `endpoint [${ep.name}] names transport "${tr.value}", which is not defined`);
      const ctx = getValues(ep, 'context')[0];
      if (!ctx) this.err(file, ep.line, `endpoint [${ep.name}] has no context`);
      else if (this.files.has('extensions.conf') && !dp.has(ctx.value))
        this.err(file, ctx.line, `endpoint [${ep.name}] context "${ctx.value}" does not exist in extensions.conf`);
      for (const e of getValues(ep, 'allow')) {
        for (const c of e.value.split(',').map((x) => x.trim())) {
          if (c !== 'all' && !(CODECS as readonly string[]).includes(c)) this.err(file, e.line, `endpoint [${ep.name}] allows unknown codec "${c}"`);
        }
      }
    }
    for (const id of pj.byType.get('identify')?.values() ?? []) {
      const ep = getValues(id, 'endpoint')[0];
      if (!ep || !has('endpoint', ep.value)) this.err(file, ep?.line ?? id.line, `identify [${id.name}] names endpoint "${ep?.value ?? ''}", which is not defined`);
      if (getValues(id, 'match').length === 0) this.err(file, id.line, `identify [${id.name}] has no match`);
    }
    for (const reg of pj.byType.get('registration')?.values() ?? []) {
      for (const k of ['outbound_auth', 'endpoint', 'transport'] as const) {
        const e = getValues(reg, k)[0];
        const type = k === 'outbound_auth' ? 'auth' : k;
        if (e && !has(type, e.value)) this.err(file, e.line, `registration [${reg.name}] names ${k} "${e.value}", which is not defined`);
      }
      for (const k of ['server_uri', 'client_uri']) {
        const v = getValue(reg, k);
        if (!v || !/^sips?:[^\s]+$/.test(v)) this.err(file, reg.line, `registration [${reg.name}] needs ${k} = sip:..., got "${v ?? ''}"`);
      }
    }
    for (const aor of pj.byType.get('aor')?.values() ?? []) {
      const mc = getValue(aor, 'max_contacts');
      if (mc !== undefined && !isInt(mc, 0, 100)) this.err(file, aor.line, `aor [${aor.name}] max_contacts must be a number, got "${mc}"`);
    }
    for (const auth of pj.byType.get('auth')?.values() ?? []) {
      if (!getValue(auth, 'username')) this.err(file, auth.line, `auth [${auth.name}] has no username`);
      if (!getValue(auth, 'password')) this.err(file, auth.line, `auth [${auth.name}] has no password`);
    }
    if ((pj.byType.get('global')?.size ?? 0) > 1) this.err(file, 0, 'more than one section of type global');
    return pj;
  }

  private queueNames(): Set<string> {
    return new Set(this.sections('queues.conf').filter((s) => s.name !== 'general').map((s) => s.name));
  }

  private checkQueues(pj: Pjsip, moh: Set<string>): void {
    const file = 'queues.conf';
    if (!this.files.has(file)) return;
    this.requireSection(file, 'general');
    for (const q of this.sections(file)) {
      if (q.name === 'general') continue;
      const strategy = getValue(q, 'strategy');
      if (strategy && !(QUEUE_STRATEGIES as readonly string[]).includes(strategy))
        this.err(file, q.line, `queue [${q.name}] has unknown strategy "${strategy}"`);
      const mc = getValue(q, 'musicclass');
      if (mc && !moh.has(mc)) this.err(file, q.line, `queue [${q.name}] uses music class "${mc}", which musiconhold.conf does not define`);
      const seen = new Map<string, number>();
      for (const m of getValues(q, 'member')) {
        const iface = (m.value.split(',')[0] ?? '').trim();
        const pm = /^PJSIP\/([^,/]+)$/i.exec(iface);
        if (!pm) this.err(file, m.line, `queue [${q.name}] member "${iface}" is not PJSIP/<endpoint>`);
        else if (!pj.endpoints.has(pm[1] as string))
          this.err(file, m.line, `queue [${q.name}] member ${iface}: no such endpoint in pjsip.conf`);
        const prev = seen.get(iface);
        if (prev) this.err(file, m.line, `queue [${q.name}] lists member ${iface} twice (first at line ${prev})`);
        seen.set(iface, m.line);
      }
    }
  }
}

interface DpExten {
  name: string;
  line: number;
  priorities: number[];
  labels: Map<string, number>;
}
interface DpStep {
  app: string;
  args: string;
  exten: DpExten;
  line: number;
}
interface DpContext {
  name: string;
  line: number;
  includes: Array<{ target: string; line: number }>;
  extens: Map<string, DpExten>;
  steps: DpStep[];
}
type Dialplan = Map<string, DpContext>;
interface Pjsip {
  endpoints: Set<string>;
  byType: Map<string, Map<string, ConfSection>>;
}

function loadedModulesOf(sections: ConfSection[]): Set<string> {
  const out = new Set<string>();
  for (const s of sections) for (const e of s.entries) if (/^(load|preload|require)$/i.test(e.key)) out.add(e.value);
  return out;
}

// ---------------------------------------------------------------------------------------
// Public API.

/** Checks a rendered file set; returns every problem found (empty = valid). */
export function validateConfigFiles(files: ReadonlyMap<string, string>, opts: ValidateOptions = {}): ConfigIssue[] {
  return new Checker(files, opts).run();
}

export type CheckResult =
  | { ok: true; model: PbxModel; files: Map<string, string> }
  | { ok: false; stage: 'model' | 'render' | 'files'; errors: string[] };

/**
 * The whole pre-flight: schema + semantic model checks, render, then the config-syntax and
 * cross-file checks on the rendered text. Nothing is written.
 */
export function checkPbxConfig(input: unknown, opts: ValidateOptions & RenderOptions = {}): CheckResult {
  const mv = validateModel(input);
  if (!mv.ok) return { ok: false, stage: 'model', errors: mv.errors.map(formatModelIssue) };
  let files: Map<string, string>;
  try {
    files = renderConfig(mv.model, opts);
  } catch (e) {
    return { ok: false, stage: 'render', errors: [`render failed: ${(e as Error).message}`] };
  }
  const issues = validateConfigFiles(files, opts);
  if (issues.length) return { ok: false, stage: 'files', errors: issues.map(formatConfigIssue) };
  return { ok: true, model: mv.model, files };
}

/** Per-context extension and priority counts, as "dialplan show <context>" reports them. */
export function dialplanCounts(extensionsConf: string): Map<string, { extensions: number; priorities: number }> {
  const out = new Map<string, { extensions: number; priorities: number }>();
  const p = parseConf('extensions.conf', extensionsConf);
  for (const s of p.sections) {
    if (s.name === 'general' || s.name === 'globals') continue;
    const names = new Set<string>();
    let priorities = 0;
    let cur: string | undefined;
    for (const e of s.entries) {
      const k = e.key.toLowerCase();
      if (k === 'exten') {
        cur = e.value.split(',')[0]?.trim();
        if (cur) names.add(cur);
      }
      if ((k === 'exten' || k === 'same') && cur) {
        const prio = (k === 'exten' ? e.value.split(',')[1] : e.value.split(',')[0])?.trim();
        if (prio !== 'hint') priorities++;
      }
    }
    out.set(s.name, { extensions: names.size, priorities });
  }
  return out;
}

export { parseConf, getValue, getValues } from './conf-parser.js';
