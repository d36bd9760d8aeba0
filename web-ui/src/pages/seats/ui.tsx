// Small UI pieces shared by the Seats, Trunks & Routes and Telephony cards pages: a modal
// dialog, copy-to-clipboard, status dots, extra icons, and turning refusals into text.
import type { ComponentChildren, JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiRequestError } from '../../api.js';
import { describeError } from '../../errors.js';
import { useI18n, type TFunction } from '../../i18n/index.js';

const PATHS = {
  plus: (
    <>
      <line x1="12" y1="5" x2="12" y2="19" />
      <line x1="5" y1="12" x2="19" y2="12" />
    </>
  ),
  trash: (
    <>
      <polyline points="3 6 5 6 21 6" />
      <path d="M19 6l-1 14a2 2 0 0 1-2 2H8a2 2 0 0 1-2-2L5 6" />
      <path d="M10 11v6M14 11v6M9 6V4a1 1 0 0 1 1-1h4a1 1 0 0 1 1 1v2" />
    </>
  ),
  copy: (
    <>
      <rect x="9" y="9" width="13" height="13" rx="2" />
      <path d="M5 15H4a2 2 0 0 1-2-2V4a2 2 0 0 1 2-2h9a2 2 0 0 1 2 2v1" />
    </>
  ),
  key: <path d="M21 2l-2 2m-7.6 7.6a5.5 5.5 0 1 1-7.8 7.8 5.5 5.5 0 0 1 7.8-7.8zm0 0L15.5 7.5m0 0l3 3L22 7l-3-3m-3.5 3.5L19 4" />,
  edit: (
    <>
      <path d="M11 4H4a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h14a2 2 0 0 0 2-2v-7" />
      <path d="M18.5 2.5a2.12 2.12 0 0 1 3 3L12 15l-4 1 1-4 9.5-9.5z" />
    </>
  ),
  close: (
    <>
      <line x1="18" y1="6" x2="6" y2="18" />
      <line x1="6" y1="6" x2="18" y2="18" />
    </>
  ),
  up: <polyline points="18 15 12 9 6 15" />,
  down: <polyline points="6 9 12 15 18 9" />,
  print: (
    <>
      <polyline points="6 9 6 2 18 2 18 9" />
      <path d="M6 18H4a2 2 0 0 1-2-2v-5a2 2 0 0 1 2-2h16a2 2 0 0 1 2 2v5a2 2 0 0 1-2 2h-2" />
      <rect x="6" y="14" width="12" height="8" />
    </>
  ),
  download: (
    <>
      <path d="M21 15v4a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2v-4" />
      <polyline points="7 10 12 15 17 10" />
      <line x1="12" y1="15" x2="12" y2="3" />
    </>
  ),
  search: (
    <>
      <circle cx="11" cy="11" r="8" />
      <line x1="21" y1="21" x2="16.65" y2="16.65" />
    </>
  ),
  arrow: (
    <>
      <line x1="5" y1="12" x2="19" y2="12" />
      <polyline points="12 5 19 12 12 19" />
    </>
  ),
  eye: (
    <>
      <path d="M1 12s4-8 11-8 11 8 11 8-4 8-11 8-11-8-11-8z" />
      <circle cx="12" cy="12" r="3" />
    </>
  ),
} as const;

export type UiIconName = keyof typeof PATHS;

export function UiIcon({ name, size = 16 }: { name: UiIconName; size?: number }) {
  return (
    <svg class="icon" width={size} height={size} viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true" focusable="false">
      {PATHS[name]}
    </svg>
  );
}

/** A dialog over the page: Escape and the close button call onClose (unless `locked`). */
export function Modal({
  title,
  onClose,
  children,
  footer,
  wide,
  locked,
  testId,
}: {
  title: ComponentChildren;
  onClose: () => void;
  children: ComponentChildren;
  footer?: ComponentChildren;
  wide?: boolean;
  locked?: boolean;
  testId?: string;
}) {
  const { t } = useI18n();
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && !locked) onClose();
    };
    window.addEventListener('keydown', onKey);
    box.current?.querySelector<HTMLElement>('input, select, textarea, button.btn-primary')?.focus();
    document.body.classList.add('st-modal-open');
    return () => {
      window.removeEventListener('keydown', onKey);
      document.body.classList.remove('st-modal-open');
    };
  }, [locked, onClose]);
  return (
    <div class="st-overlay" role="presentation">
      <div class={`st-modal${wide ? ' st-modal-wide' : ''}`} role="dialog" aria-modal="true" ref={box} data-testid={testId}>
        <div class="st-modal-head">
          <h2 class="st-modal-title">{title}</h2>
          {!locked && (
            <button type="button" class="btn btn-ghost st-modal-x" onClick={onClose} aria-label={t('st.close')} data-testid="modal-close">
              <UiIcon name="close" />
            </button>
          )}
        </div>
        <div class="st-modal-body">{children}</div>
        {footer && <div class="st-modal-foot">{footer}</div>}
      </div>
    </div>
  );
}

/** Copies `text`; says "copied" for a moment. Falls back to a hidden textarea on plain HTTP. */
export function CopyButton({ text, label, testId }: { text: string; label?: string; testId?: string }) {
  const { t } = useI18n();
  const [done, setDone] = useState(false);
  const copy = async () => {
    try {
      if (navigator.clipboard && window.isSecureContext) await navigator.clipboard.writeText(text);
      else {
        const ta = document.createElement('textarea');
        ta.value = text;
        ta.setAttribute('readonly', '');
        ta.style.position = 'fixed';
        ta.style.opacity = '0';
        document.body.appendChild(ta);
        ta.select();
        document.execCommand('copy');
        ta.remove();
      }
      setDone(true);
      setTimeout(() => setDone(false), 1500);
    } catch {
      setDone(false);
    }
  };
  return (
    <button type="button" class={`btn btn-small btn-secondary st-copy${done ? ' st-copied' : ''}`} onClick={() => void copy()} data-testid={testId} title={t('st.copy')}>
      <UiIcon name={done ? 'copy' : 'copy'} size={14} />
      {done ? t('st.copied') : (label ?? t('st.copy'))}
    </button>
  );
}

export type DotTone = 'green' | 'red' | 'amber' | 'slate' | 'blue';

export function StatusDot({ tone, label, testId, state }: { tone: DotTone; label: string; testId?: string; state?: string }) {
  return (
    <span class={`st-status st-tone-${tone}`} data-testid={testId} data-state={state}>
      <span class="st-dot" aria-hidden="true" />
      {label}
    </span>
  );
}

/** A refused change as text: the field's own message where we have one, else the box's reason. */
/** The most common refusals in the user's language; the rest keep the box's (English) reason. */
const KNOWN: Array<[RegExp, (t: TFunction, m: RegExpExecArray) => string]> = [
  [/^seats? ([\d, -]+) already exists?/, (t, m) => t('st.error.seatExists', { extensions: m[1]! })],
  [/already the port of seat (\d+)/, (t, m) => t('st.error.portTaken', { seat: m[1]! })],
  [/is used by outbound route (.+); remove/, (t, m) => t('st.error.trunkInUse', { routes: m[1]! })],
  [/^an? (?:trunk|outbound route|inbound route) named "(.+)" already exists/, (t, m) => t('st.error.nameTaken', { name: m[1]! })],
];

export function refusalText(t: TFunction, e: unknown): string {
  if (e instanceof ApiRequestError) {
    for (const [re, text] of KNOWN) {
      const m = re.exec(e.message);
      if (m) return text(t, m);
    }
    if (e.code === 'apply_failed') return t('st.error.applyFailed', { message: e.message });
    if (e.code === 'invalid_input' || e.code === 'conflict' || e.code === 'invalid_config' || e.code === 'not_found') return t('st.error.refused', { message: e.message });
  }
  return describeError(t, e);
}

/** Error state of a form: a message per field plus one for the whole form. */
export function useFormErrors<F extends string>() {
  const [errors, setErrors] = useState<Partial<Record<F | '_form', string>>>({});
  return {
    errors,
    set: setErrors,
    clear: () => setErrors({}),
    /** Puts an API refusal under its field when the field is one of the form's, else on top. */
    fromApi: (t: TFunction, e: unknown, fields: readonly F[], alias: Partial<Record<string, F>> = {}) => {
      const text = refusalText(t, e);
      const raw = e instanceof ApiRequestError ? e.field : undefined;
      const f = raw ? ((alias[raw] ?? raw) as F) : undefined;
      setErrors(f && fields.includes(f) ? ({ [f]: text } as Partial<Record<F | '_form', string>>) : ({ _form: text } as Partial<Record<F | '_form', string>>));
    },
  };
}

export function FieldError({ text, id }: { text: string | undefined; id?: string }) {
  if (!text) return null;
  return (
    <div class="field-error" data-testid={id ? `${id}-error` : undefined}>
      {text}
    </div>
  );
}

/** A confirmation dialog for destructive actions. */
export function ConfirmDialog({
  title,
  body,
  confirmLabel,
  onConfirm,
  onClose,
  danger,
}: {
  title: string;
  body: ComponentChildren;
  confirmLabel: string;
  onConfirm: () => Promise<void>;
  onClose: () => void;
  danger?: boolean;
}) {
  const { t } = useI18n();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const go = async () => {
    setBusy(true);
    setError(null);
    try {
      await onConfirm();
      onClose();
    } catch (e) {
      setError(refusalText(t, e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal
      title={title}
      onClose={onClose}
      testId="confirm-dialog"
      footer={
        <>
          <button type="button" class="btn btn-secondary" onClick={onClose} disabled={busy}>
            {t('st.cancel')}
          </button>
          <button type="button" class={`btn ${danger ? 'btn-danger' : 'btn-primary'}`} onClick={() => void go()} disabled={busy} data-testid="confirm-ok">
            {busy ? t('st.working') : confirmLabel}
          </button>
        </>
      }
    >
      <div class="st-confirm-body">{body}</div>
      {error && (
        <div class="alert alert-error" role="alert" data-testid="confirm-error">
          <div class="alert-body">
            <div class="alert-text">{error}</div>
          </div>
        </div>
      )}
    </Modal>
  );
}

/** A radio-like segmented control. */
export function Segmented<T extends string>({ value, options, onChange, testId }: { value: T; options: Array<{ value: T; label: string }>; onChange: (v: T) => void; testId?: string }) {
  return (
    <div class="st-seg" role="radiogroup" data-testid={testId}>
      {options.map((o) => (
        <button type="button" role="radio" aria-checked={o.value === value} class={o.value === value ? 'st-seg-on' : undefined} onClick={() => onChange(o.value)} data-value={o.value} key={o.value}>
          {o.label}
        </button>
      ))}
    </div>
  );
}

export type InputEvent = JSX.TargetedEvent<HTMLInputElement, Event>;
