// Pieces shared by the inbound pages: destination picker, issue list, number inputs.
import type { TFunction, MessageKey } from '../../i18n/index.js';
import { useI18n } from '../../i18n/index.js';
import type { Destination, HotlineIssue } from './inbound-api.js';

export const DEST_LABEL: Record<Destination['kind'], MessageKey> = {
  menu: 'inbound.dest.menu',
  queue: 'inbound.dest.queue',
  seat: 'inbound.dest.seat',
  hangup: 'inbound.dest.hangup',
  voicemail: 'inbound.dest.voicemail',
  callback: 'inbound.dest.callback',
  fax: 'inbound.dest.fax',
};
const NEEDS_TARGET: Record<Destination['kind'], 'menu' | 'queue' | 'seat' | null> = { menu: 'menu', queue: 'queue', seat: 'seat', callback: 'queue', hangup: null, voicemail: null, fax: null };

export function DestinationPicker({ value, onChange, menus, queues, testId, allowMenu = true }: { value: Destination; onChange: (d: Destination) => void; menus: Array<{ id: string; name: string }>; queues: string[]; testId: string; allowMenu?: boolean }) {
  const { t } = useI18n();
  const need = NEEDS_TARGET[value.kind];
  const kinds = (Object.keys(DEST_LABEL) as Array<Destination['kind']>).filter((k) => allowMenu || k !== 'menu');
  const setKind = (kind: Destination['kind']) => {
    const n = NEEDS_TARGET[kind];
    const target = n === 'menu' ? menus[0]?.id : n === 'queue' ? queues[0] : n === 'seat' ? '' : undefined;
    onChange(target !== undefined ? { kind, target } : { kind });
  };
  return (
    <span class="ib-dest">
      <select value={value.kind} onChange={(e) => setKind((e.target as HTMLSelectElement).value as Destination['kind'])} data-testid={`${testId}-kind`} aria-label={t('inbound.dest.kind')}>
        {kinds.map((k) => (
          <option value={k} key={k}>
            {t(DEST_LABEL[k])}
          </option>
        ))}
      </select>
      {need === 'menu' && (
        <select value={value.target ?? ''} onChange={(e) => onChange({ kind: value.kind, target: (e.target as HTMLSelectElement).value })} data-testid={`${testId}-target`} aria-label={t('inbound.dest.target')}>
          {menus.map((m) => (
            <option value={m.id} key={m.id}>
              {m.name}
            </option>
          ))}
        </select>
      )}
      {need === 'queue' && (
        <select value={value.target ?? ''} onChange={(e) => onChange({ kind: value.kind, target: (e.target as HTMLSelectElement).value })} data-testid={`${testId}-target`} aria-label={t('inbound.dest.target')}>
          {queues.map((q) => (
            <option value={q} key={q}>
              {q}
            </option>
          ))}
        </select>
      )}
      {need === 'seat' && (
        <input class="ib-short" value={value.target ?? ''} onInput={(e) => onChange({ kind: value.kind, target: (e.target as HTMLInputElement).value.trim() })} placeholder={t('inbound.dest.seatPlaceholder')} data-testid={`${testId}-target`} aria-label={t('inbound.dest.target')} />
      )}
    </span>
  );
}

const ISSUE_LABEL: Record<string, MessageKey> = {
  schema: 'inbound.issue.schema',
  duplicate: 'inbound.issue.duplicate',
  unknown_target: 'inbound.issue.unknown_target',
  loop: 'inbound.issue.loop',
  dead_end: 'inbound.issue.dead_end',
  unreachable: 'inbound.issue.unreachable',
  hours: 'inbound.issue.hours',
};

export function issueText(t: TFunction, i: HotlineIssue): string {
  return `${t(ISSUE_LABEL[i.code] ?? 'inbound.issue.schema')}: ${i.message}`;
}

/** Issues under one editor item (path prefix, e.g. "menus[1]"). */
export function IssuesFor({ issues, prefix, testId }: { issues: HotlineIssue[]; prefix: string; testId: string }) {
  const { t } = useI18n();
  const mine = issues.filter((i) => i.path === prefix || i.path.startsWith(`${prefix}.`) || i.path.startsWith(`${prefix}[`));
  if (mine.length === 0) return null;
  return (
    <ul class="ib-issues" data-testid={testId}>
      {mine.map((i, n) => (
        <li key={n} data-code={i.code} data-path={i.path}>
          {issueText(t, i)}
        </li>
      ))}
    </ul>
  );
}

export const num = (e: Event): number => Number((e.target as HTMLInputElement).value);
export const str = (e: Event): string => (e.target as HTMLInputElement).value;
