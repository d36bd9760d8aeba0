// The one row a table shows when it has nothing to list ("no faxes yet", "no callbacks" …).
import type { ComponentChildren } from 'preact';

export function EmptyRow({ cols, children, testId }: { cols: number; children: ComponentChildren; testId?: string }) {
  return (
    <tr>
      <td colSpan={cols} class="table-empty" data-testid={testId}>
        {children}
      </td>
    </tr>
  );
}
