// Shared parts of the QA pages: the audio player with seek, score and status labels, and the
// read-only evaluation view (items, time-stamped comments that seek the player, history).
import type { RefObject } from 'preact';
import { useRef } from 'preact/hooks';
import type { User } from '../../../../firmware-agent/src/http/schemas.js';
import type { MessageKey, TFunction } from '../../i18n/index.js';
import { clock, type EvaluationDetail, type FormVersion } from './qa-api.js';
import './qa.css';

export const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString(undefined, { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false }) : '—');
export const val = (e: Event) => (e.target as HTMLInputElement).value;
export const hasRole = (user: User, ...roles: string[]) => user.roles.includes('admin') || roles.some((r) => user.roles.includes(r as never));
export const isQaManager = (user: User) => hasRole(user, 'manager');

/** The player (same approach as the Recordings page: <audio> on a Range endpoint). */
export function Player({ src, audio }: { src: string; audio: RefObject<HTMLAudioElement> }) {
  return <audio ref={audio} controls preload="metadata" src={src} class="qa-audio" data-testid="qa-audio" />;
}

export function usePlayer() {
  const audio = useRef<HTMLAudioElement>(null);
  return {
    audio,
    positionMs: () => Math.round((audio.current?.currentTime ?? 0) * 1000),
    seek: (ms: number) => {
      if (!audio.current) return;
      audio.current.currentTime = ms / 1000;
      void audio.current.play().catch(() => undefined);
    },
  };
}

export function ScoreCell({ t, score, passed, criticalFailed }: { t: TFunction; score: number; passed: boolean; criticalFailed: boolean }) {
  return (
    <span class={passed ? 'qa-pass' : 'qa-fail'}>
      {score.toFixed(2)} · {passed ? t('qa.passed') : t('qa.failed')}
      {criticalFailed && ` · ${t('qa.criticalFailed')}`}
    </span>
  );
}

export function statusLabel(t: TFunction, status: string): string {
  return t(`qa.status.${status}` as MessageKey);
}

export function itemsOf(form: FormVersion) {
  return form.sections.flatMap((s) => s.items);
}

/** Read-only evaluation: items with points, comments (click = seek), history. */
export function EvaluationView({ t, lang, ev, audioSrc }: { t: TFunction; lang: string; ev: EvaluationDetail; audioSrc: string }) {
  const player = usePlayer();
  const form = ev.form as FormVersion;
  const points = new Map(ev.answers.map((a) => [a.itemId, a.points]));
  const text = (zh: string, en: string) => (lang === 'en' ? en : zh);
  return (
    <div class="qa-eval" data-testid="qa-eval-detail">
      <h3>{t('qa.eval.detail', { id: ev.id })}</h3>
      <div class="qa-row">
        <span>{ev.agentName ?? '—'}</span>
        <span>{text(form.nameZh, form.nameEn) && t('qa.eval.formVersion', { form: text(form.nameZh, form.nameEn), version: form.version })}</span>
        <span data-testid="qa-eval-score">
          <ScoreCell t={t} score={ev.score} passed={ev.passed} criticalFailed={ev.criticalFailed} />
        </span>
        {ev.criticalFailed && <span class="muted">{t('qa.eval.rawScore', { score: ev.rawScore.toFixed(2) })}</span>}
        <span data-testid="qa-eval-status">{statusLabel(t, ev.status)}</span>
        {ev.outlier && <span class="qa-fail">{t('qa.outlier')}</span>}
      </div>
      <Player src={audioSrc} audio={player.audio} />
      {form.sections.map((s) => (
        <div key={s.id} class="qa-section">
          <h4>{text(s.titleZh, s.titleEn)}</h4>
          {s.items.map((it) => {
            const p = points.get(it.id);
            return (
              <div key={it.id} class="qa-item" data-testid={`qa-eval-item-${it.id}`}>
                <span class="qa-item-text">
                  {text(it.textZh, it.textEn)} {it.critical && <em class="qa-critical">{t('qa.item.critical')}</em>}
                </span>
                <span>{p === null || p === undefined ? t('qa.item.na') : t('qa.item.points', { points: p, max: it.maxPoints })}</span>
              </div>
            );
          })}
        </div>
      ))}
      <h4>{t('qa.eval.comments')}</h4>
      {ev.comments.length === 0 ? (
        <div class="muted">{t('qa.eval.noComments')}</div>
      ) : (
        <ul class="qa-comments">
          {ev.comments.map((c) => (
            <li key={c.id}>
              <button type="button" class="btn btn-ghost btn-small" title={t('qa.comment.seek', { time: clock(c.positionMs) })} onClick={() => player.seek(c.positionMs)} data-testid={`qa-comment-seek-${c.id}`}>
                {clock(c.positionMs)}
              </button>{' '}
              {c.text}
            </li>
          ))}
        </ul>
      )}
      <h4>{t('qa.eval.history')}</h4>
      <ul class="qa-history" data-testid="qa-eval-history">
        {ev.events.map((e, i) => (
          <li key={i}>
            {when(e.at)} · {e.actor ?? '—'} · {e.event}
          </li>
        ))}
      </ul>
    </div>
  );
}
