import type { ComponentChildren } from 'preact';
import { Icon, type IconName } from './Icon.js';

const ICON: Record<AlertKind, IconName> = { error: 'alert', warning: 'warning', info: 'info', success: 'check' };
type AlertKind = 'error' | 'warning' | 'info' | 'success';

export function Alert({
  kind,
  title,
  children,
  testId,
}: {
  kind: AlertKind;
  title?: ComponentChildren;
  children?: ComponentChildren;
  testId?: string;
}) {
  return (
    <div class={`alert alert-${kind}`} role={kind === 'error' || kind === 'warning' ? 'alert' : 'status'} data-testid={testId}>
      <Icon name={ICON[kind]} size={18} class="alert-icon" />
      <div class="alert-body">
        {title && <div class="alert-title">{title}</div>}
        {children && <div class="alert-text">{children}</div>}
      </div>
    </div>
  );
}
