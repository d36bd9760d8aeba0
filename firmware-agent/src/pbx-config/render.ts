// Renders the Asterisk configuration from a validated PbxModel with the Handlebars
// templates in asterisk-conf/*.conf.hbs. Output is deterministic: the same model always
// gives byte-identical files (lists are sorted, no timestamps).

import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import { assertValidModel, type PbxModel } from './model.js';
import { telephonyView } from './telephony-view.js';
import { renderHotlineDialplan } from './hotline-render.js';
import { renderFaxDialplan } from '../fax/dialplan.js';
import { renderDeskDialplan } from '../desk/dialplan.js';

/** Every file we generate, in a fixed order. Asterisk's other config files are left absent. */
export const CONFIG_FILES = [
  'asterisk.conf',
  'modules.conf',
  'logger.conf',
  'manager.conf',
  'rtp.conf',
  'pjsip.conf',
  'extensions.conf',
  'queues.conf',
  'musiconhold.conf',
  'indications.conf',
  'cdr.conf',
  'cel.conf',
  'features.conf',
  'ccss.conf',
  'acl.conf',
  'udptl.conf',
  'pjproject.conf',
  'stasis.conf',
  'chan_dahdi.conf',
] as const;
export type ConfigFileName = (typeof CONFIG_FILES)[number];

/** Name of the one PJSIP transport. */
export const TRANSPORT_NAME = 'seatbox-udp';
/** manager.conf writetimeout (ms). Asterisk's default of 100 ms drops a reader that stalls briefly. */
export const AMI_WRITE_TIMEOUT_MS = 5000;
/** Seconds an internal seat-to-seat call rings. */
export const SEAT_RING_SECONDS = 30;
/** asterisk.conf maxcalls: 54 seats, Local channel pairs of the demo dialer, and headroom. */
export const MAX_CALLS = 1000;

/**
 * The modules SeatBox loads (modules.conf has autoload=no). Grouped only for readability of
 * the generated file. chan_local is part of the core (core_local) and needs no entry;
 * chan_dahdi is added by modulesFor() only when the model has DAHDI spans.
 */
export const MODULE_GROUPS: ReadonlyArray<{ title: string; modules: readonly string[] }> = [
  { title: 'Timing and object storage', modules: ['res_timing_timerfd.so', 'res_sorcery_config.so', 'res_sorcery_memory.so', 'res_sorcery_memory_cache.so', 'res_sorcery_astdb.so'] },
  {
    title: 'PJSIP stack',
    modules: [
      'res_pjproject.so',
      'res_pjsip.so',
      'res_pjsip_session.so',
      'res_pjsip_authenticator_digest.so',
      'res_pjsip_outbound_authenticator_digest.so',
      'res_pjsip_outbound_registration.so',
      'res_pjsip_endpoint_identifier_user.so',
      'res_pjsip_endpoint_identifier_ip.so',
      'res_pjsip_registrar.so',
      'res_pjsip_sdp_rtp.so',
      'res_pjsip_caller_id.so',
      'res_pjsip_dtmf_info.so',
      'res_pjsip_empty_info.so',
      'res_pjsip_diversion.so',
      'res_pjsip_rfc3326.so',
      'res_pjsip_nat.so',
      'res_pjsip_path.so',
      'res_pjsip_acl.so',
      'res_pjsip_refer.so',
      'res_pjsip_header_funcs.so',
      'res_pjsip_logger.so',
      'res_pjsip_pubsub.so',
      'res_pjsip_outbound_publish.so',
      'res_pjsip_exten_state.so',
      'res_pjsip_pidf_body_generator.so',
      'res_pjsip_dialog_info_body_generator.so',
      'res_pjsip_t38.so',
      'chan_pjsip.so',
    ],
  },
  { title: 'Media', modules: ['res_rtp_asterisk.so', 'bridge_simple.so', 'bridge_native_rtp.so', 'bridge_softmix.so', 'bridge_holding.so', 'bridge_builtin_features.so', 'bridge_builtin_interval_features.so'] },
  { title: 'Codecs and file formats', modules: ['codec_ulaw.so', 'codec_alaw.so', 'codec_a_mu.so', 'codec_gsm.so', 'codec_g722.so', 'codec_resample.so', 'format_gsm.so', 'format_wav.so', 'format_wav_gsm.so', 'format_pcm.so', 'format_sln.so'] },
  { title: 'Dialplan', modules: ['pbx_config.so'] },
  { title: 'Applications', modules: ['app_dial.so', 'app_queue.so', 'app_mixmonitor.so', 'app_chanspy.so', 'app_playback.so', 'app_playtones.so', 'app_echo.so', 'app_verbose.so', 'app_stack.so', 'app_exec.so', 'app_userevent.so', 'app_senddtmf.so', 'app_read.so', 'app_record.so', 'app_bridgeaddchan.so'] },
  {
    title: 'Dialplan functions',
    modules: ['func_rand.so', 'func_logic.so', 'func_strings.so', 'func_math.so', 'func_cut.so', 'func_channel.so', 'func_callerid.so', 'func_global.so', 'func_hangupcause.so', 'func_timeout.so', 'func_uuid.so', 'func_devstate.so', 'func_periodic_hook.so', 'func_groupcount.so', 'func_uri.so', 'func_pjsip_endpoint.so', 'func_pjsip_aor.so', 'func_pjsip_contact.so', 'func_db.so', 'func_sha1.so'],
  },
  { title: 'Music on hold, fax, AMI extras', modules: ['res_musiconhold.so', 'res_fax.so', 'res_fax_spandsp.so', 'res_manager_devicestate.so'] },
];

export const LOADED_MODULES: readonly string[] = MODULE_GROUPS.flatMap((g) => g.modules);

/** Telephony cards: chan_dahdi (its only hard dependency, ccss, is part of the core). */
export const DAHDI_MODULE_GROUP = { title: 'Telephony cards (DAHDI)', modules: ['chan_dahdi.so'] } as const;

/** The module groups of a model: the base list, plus chan_dahdi when DAHDI spans are configured. */
export function modulesFor(m: PbxModel): ReadonlyArray<{ title: string; modules: readonly string[] }> {
  return (m.dahdi?.spans.length ?? 0) > 0 ? [...MODULE_GROUPS, DAHDI_MODULE_GROUP] : MODULE_GROUPS;
}

export interface RenderOptions {
  /** Directory holding the *.conf.hbs templates (default: <project>/asterisk-conf). */
  templateDir?: string;
}

/** <project>/asterisk-conf, found from this file in src/ or dist/, or $SEATBOX_ASTERISK_CONF_DIR. */
export function defaultTemplateDir(): string {
  const env = process.env['SEATBOX_ASTERISK_CONF_DIR'];
  if (env) return env;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'asterisk-conf');
    if (existsSync(join(candidate, 'asterisk.conf.hbs'))) return candidate;
    dir = dirname(dir);
  }
  throw new Error('pbx-config: cannot find the asterisk-conf template directory (set SEATBOX_ASTERISK_CONF_DIR)');
}

type Template = (ctx: unknown) => string;
const templateCache = new Map<string, Map<string, Template>>();

function loadTemplates(dir: string): Map<string, Template> {
  const key = resolve(dir);
  const cached = templateCache.get(key);
  if (cached) return cached;
  // An isolated Handlebars environment: no globally registered helpers/partials leak in.
  const hb = Handlebars.create();
  const map = new Map<string, Template>();
  for (const name of CONFIG_FILES) {
    const src = readFileSync(join(key, `${name}.hbs`), 'utf8');
    // noEscape: config files are not HTML. Safe only because the model is validated first.
    // strict: a misspelt field in a template throws instead of rendering an empty string.
    map.set(name, hb.compile(src, { noEscape: true, strict: true }));
  }
  templateCache.set(key, map);
  return map;
}

const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Short content hash used as a reload sentinel. */
export function contentTag(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 12);
}

const TAG_PLACEHOLDER = '@@SEATBOX_CONTENT_TAG@@';

function buildView(m: PbxModel) {
  const endpoints = [...m.endpoints]
    .sort((a, b) => byCodePoint(a.id, b.id))
    .map((e) => ({
      ...e,
      allow: e.codecs.join(','),
      callerid: e.callerName !== undefined ? `"${e.callerName}" <${e.id}>` : '',
    }));
  const queues = [...m.queues]
    .sort((a, b) => byCodePoint(a.name, b.name))
    .map((q) => {
      const announce = q.announcePosition === true || q.announceHoldtime === true;
      // "No agent free" overflow: do not join / leave when every member is busy, paused or away.
      const noFree = 'paused,penalty,inuse,ringing,unavailable,invalid,unknown,wrapup';
      return {
        ...q,
        members: [...q.members].sort((a, b) => byCodePoint(a.endpoint, b.endpoint)),
        musicClass: q.musicClass ?? 'default',
        joinEmpty: q.overflow?.whenNoAgentFree ? noFree : 'yes',
        leaveWhenEmpty: q.overflow?.whenNoAgentFree ? noFree : 'no',
        announceFrequency: announce ? (q.announceFrequency ?? 30) : 0,
        announcePosition: q.announcePosition ? 'yes' : 'no',
        announceHoldtime: q.announceHoldtime ? 'yes' : 'no',
      };
    });
  const d = m.demo;
  return {
    revision: m.revision,
    paths: m.paths,
    ami: m.ami,
    sip: { ...m.sip, externalAddress: m.sip.externalAddress ?? '', localNets: m.sip.localNets ?? [] },
    toneZone: m.toneZone,
    moh: m.moh,
    endpoints,
    queues,
    demo: {
      ...d,
      answerUpTo: d.answerPercent,
      busyUpTo: d.answerPercent + d.busyPercent,
      noAnswerUpTo: d.answerPercent + d.busyPercent + d.noAnswerPercent,
    },
    moduleGroups: modulesFor(m),
    tel: telephonyView(m),
    hotlineDialplan: renderHotlineDialplan(m),
    faxDialplan: renderFaxDialplan(m),
    deskDialplan: renderDeskDialplan(m),
    features: { blindTransfer: '##', attendedTransfer: '*2' },
    transportName: TRANSPORT_NAME,
    writeTimeoutMs: AMI_WRITE_TIMEOUT_MS,
    seatRingSeconds: SEAT_RING_SECONDS,
    maxCalls: MAX_CALLS,
    contentTag: TAG_PLACEHOLDER,
  };
}

/**
 * Renders every config file. Validates the model first (throws PbxModelError), so a caller
 * can never render unchecked values into a noEscape template.
 */
export function renderConfig(model: PbxModel, opts: RenderOptions = {}): Map<string, string> {
  const m = assertValidModel(model);
  const templates = loadTemplates(opts.templateDir ?? defaultTemplateDir());
  const view = buildView(m);
  const out = new Map<string, string>();
  for (const name of CONFIG_FILES) {
    const tpl = templates.get(name);
    if (!tpl) throw new Error(`pbx-config: no template for ${name}`);
    let text = tpl(view).replace(/\n{3,}/g, '\n\n');
    if (!text.endsWith('\n')) text += '\n';
    if (text.includes(TAG_PLACEHOLDER)) text = text.split(TAG_PLACEHOLDER).join(contentTag(text));
    out.set(name, text);
  }
  return out;
}
