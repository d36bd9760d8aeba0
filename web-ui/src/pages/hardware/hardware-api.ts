// Telephony cards API client (types from the server's schemas).
import type { HardwareView, HwPort, HwSpan, PortAssignmentRequest } from '../../../../firmware-agent/src/hardware-inventory/schemas.js';
import type { SpanSettings, SpanSettingsRequest } from '../../../../firmware-agent/src/hardware-inventory/span-settings.js';
import { request } from '../../api.js';

export type { HardwareView, HwPort, HwSpan, SpanSettings, SpanSettingsRequest };

export const hardwareApi = {
  get: () => request<HardwareView>('GET', '/hardware'),
  rescan: () => request<HardwareView>('POST', '/hardware/rescan', {}),
  configureSpan: (span: number, req: SpanSettingsRequest) => request<HardwareView>('PUT', `/hardware/spans/${span}`, req),
  unconfigureSpan: (span: number) => request<HardwareView>('DELETE', `/hardware/spans/${span}`),
  assignPort: (channel: number, req: PortAssignmentRequest) => request<HardwareView>('PUT', `/hardware/ports/${channel}`, req),
};
