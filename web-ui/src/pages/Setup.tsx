// First-run setup: create the administrator (there is no default password).
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import type { User } from '../../../firmware-agent/src/http/schemas.js';
import { api, ApiRequestError } from '../api.js';
import { Alert } from '../components/Alert.js';
import { AuthFrame } from '../components/AuthFrame.js';
import { Icon } from '../components/Icon.js';
import { describeError } from '../errors.js';
import { isLang, LANGUAGES, useI18n, type MessageKey } from '../i18n/index.js';

export const USERNAME_RE = /^[A-Za-z0-9_.-]{3,32}$/;
export const PASSWORD_MIN = 10;

type Field = 'username' | 'displayName' | 'password' | 'confirm';

export function SetupPage({ onDone }: { onDone: (user: User) => void | Promise<void> }) {
  const { t, lang, setLang } = useI18n();
  const [username, setUsername] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [errors, setErrors] = useState<Partial<Record<Field, MessageKey | string>>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const lengthOk = password.length >= PASSWORD_MIN;
  const matchOk = password.length > 0 && password === confirm;
  const noUsernameOk = password.length > 0 && !(username && password.toLowerCase().includes(username.toLowerCase()));
  const varietyOk = new Set(password).size >= 4;

  const validate = (): Partial<Record<Field, MessageKey>> => {
    const e: Partial<Record<Field, MessageKey>> = {};
    if (!username) e.username = 'error.required';
    else if (!USERNAME_RE.test(username)) e.username = 'error.usernameInvalid';
    if (!password) e.password = 'error.required';
    else if (!lengthOk) e.password = 'error.passwordTooShort';
    else if (!noUsernameOk) e.password = 'error.passwordHasUsername';
    else if (!varietyOk) e.password = 'error.passwordVariety';
    if (!confirm) e.confirm = 'error.required';
    else if (password !== confirm) e.confirm = 'error.passwordMismatch';
    return e;
  };

  const submit = async (ev: JSX.TargetedEvent<HTMLFormElement>) => {
    ev.preventDefault();
    setFormError(null);
    const e = validate();
    setErrors(e);
    if (Object.keys(e).length > 0) return;
    setBusy(true);
    try {
      const res = await api.setup({
        username,
        password,
        displayName: displayName.trim() || undefined,
        language: lang,
      });
      await onDone(res.user);
    } catch (err) {
      const msg = describeError(t, err);
      const field = err instanceof ApiRequestError ? err.field : undefined;
      if (field === 'username' || field === 'password' || field === 'displayName') {
        const fe: Partial<Record<Field, string>> = {};
        fe[field] = msg;
        setErrors(fe);
      } else setFormError(msg);
    } finally {
      setBusy(false);
    }
  };

  const fieldError = (f: Field) => {
    const v = errors[f];
    if (!v) return null;
    const text = v.startsWith('error.') ? t(v as MessageKey) : v;
    return (
      <div class="field-error" id={`setup-${f}-error`} data-testid={`setup-${f}-error`}>
        {text}
      </div>
    );
  };

  return (
    <AuthFrame wide>
      <div class="auth-card-head">
        <span class="eyebrow">{t('setup.title')}</span>
        <h1 class="auth-title">{t('setup.subtitle')}</h1>
        <p class="auth-lead">{t('setup.intro')}</p>
      </div>
      <Alert kind="info" title={t('setup.noDefaultPassword.title')} testId="no-default-password">
        {t('setup.noDefaultPassword.body')}
      </Alert>
      {formError && (
        <Alert kind="error" testId="form-error">
          {formError}
        </Alert>
      )}
      <form class="form" onSubmit={submit} noValidate data-testid="setup-form">
        <div class="form-row">
          <div class="field">
            <label for="setup-username">{t('setup.username')}</label>
            <input
              id="setup-username"
              name="username"
              autocomplete="username"
              autoCapitalize="none"
              spellcheck={false}
              value={username}
              onInput={(e) => setUsername(e.currentTarget.value.trim())}
              aria-invalid={errors.username ? true : undefined}
              aria-describedby="setup-username-hint"
            />
            <div class="field-hint" id="setup-username-hint">
              {t('setup.usernameHint')}
            </div>
            {fieldError('username')}
          </div>
          <div class="field">
            <label for="setup-display-name">{t('setup.displayName')}</label>
            <input
              id="setup-display-name"
              name="displayName"
              autocomplete="name"
              maxLength={64}
              value={displayName}
              onInput={(e) => setDisplayName(e.currentTarget.value)}
            />
            <div class="field-hint">{t('setup.displayNameHint')}</div>
            {fieldError('displayName')}
          </div>
        </div>
        <div class="form-row">
          <div class="field">
            <label for="setup-password">{t('setup.password')}</label>
            <input
              id="setup-password"
              name="password"
              type="password"
              autocomplete="new-password"
              value={password}
              onInput={(e) => setPassword(e.currentTarget.value)}
              aria-invalid={errors.password ? true : undefined}
            />
            {fieldError('password')}
          </div>
          <div class="field">
            <label for="setup-confirm">{t('setup.passwordConfirm')}</label>
            <input
              id="setup-confirm"
              name="confirm"
              type="password"
              autocomplete="new-password"
              value={confirm}
              onInput={(e) => setConfirm(e.currentTarget.value)}
              aria-invalid={errors.confirm ? true : undefined}
            />
            {fieldError('confirm')}
          </div>
        </div>
        <div class="rules" data-testid="password-rules">
          <div class="rules-title">{t('setup.rules.title')}</div>
          <ul>
            <li class={lengthOk ? 'ok' : ''} data-ok={String(lengthOk)}>
              <Icon name={lengthOk ? 'check' : 'circle'} size={14} />
              {t('setup.rules.length')}
            </li>
            <li class={noUsernameOk ? 'ok' : ''} data-ok={String(noUsernameOk)}>
              <Icon name={noUsernameOk ? 'check' : 'circle'} size={14} />
              {t('setup.rules.noUsername')}
            </li>
            <li class={varietyOk ? 'ok' : ''} data-ok={String(varietyOk)}>
              <Icon name={varietyOk ? 'check' : 'circle'} size={14} />
              {t('setup.rules.variety')}
            </li>
            <li class={matchOk ? 'ok' : ''} data-ok={String(matchOk)}>
              <Icon name={matchOk ? 'check' : 'circle'} size={14} />
              {t('setup.rules.match')}
            </li>
            <li class="info">
              <Icon name="info" size={14} />
              {t('setup.rules.common')}
            </li>
          </ul>
        </div>
        <div class="field field-narrow">
          <label for="setup-language">{t('setup.language')}</label>
          <select
            id="setup-language"
            name="language"
            value={lang}
            onChange={(e) => {
              const v = e.currentTarget.value;
              if (isLang(v)) setLang(v);
            }}
          >
            {LANGUAGES.map((l) => (
              <option key={l} value={l}>
                {t(l === 'zh-CN' ? 'lang.zh-CN' : 'lang.en')}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" class="btn btn-primary btn-block" disabled={busy} data-testid="setup-submit">
          {busy ? t('setup.submitting') : t('setup.submit')}
        </button>
      </form>
    </AuthFrame>
  );
}
