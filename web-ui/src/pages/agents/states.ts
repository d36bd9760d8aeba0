// Agent states as the UI shows them: colour tone and label; pause reason labels by language.
import type { AgentStateName } from '../../../../firmware-agent/src/http/schemas.js';
import type { Lang, MessageKey, TFunction } from '../../i18n/index.js';
import type { PauseReason } from './agents-api.js';

export const STATE_META: Record<AgentStateName, { key: MessageKey; tone: string }> = {
  ready: { key: 'agentState.ready', tone: 'green' },
  ringing: { key: 'agentState.ringing', tone: 'cyan' },
  talking: { key: 'agentState.talking', tone: 'blue' },
  wrap_up: { key: 'agentState.wrap_up', tone: 'violet' },
  paused: { key: 'agentState.paused', tone: 'amber' },
  logged_out: { key: 'agentState.logged_out', tone: 'slate' },
};

export function stateLabel(t: TFunction, state: string): string {
  const m = STATE_META[state as AgentStateName];
  return m ? t(m.key) : state;
}

export function stateTone(state: string): string {
  return STATE_META[state as AgentStateName]?.tone ?? 'slate';
}

/** "用餐" / "Meal"; an unknown code shows as "#7"; no reason → "no reason". */
export function reasonLabel(t: TFunction, lang: Lang, reasons: PauseReason[], code: string | null): string {
  if (code === null) return t('agents.reason.none');
  const r = reasons.find((x) => x.code === code);
  if (!r) return t('agents.reason.unknown', { code });
  return lang === 'zh-CN' ? r.labelZh : r.labelEn;
}
