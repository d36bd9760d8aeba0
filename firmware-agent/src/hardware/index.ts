// Telephony cards: detection from the DAHDI tools' output, the DAHDI configuration model,
// and the generators of system.conf, chan_dahdi.conf and the driver module options.
// Pure domain code: it reads texts and returns texts; running the tools and writing the
// files belongs to the caller.

export * from './alarms.js';
export * from './card-catalog.js';
export * from './config.js';
export * from './dahdi-hardware.js';
export * from './dahdi-scan.js';
export * from './inventory.js';
export * from './proc-dahdi.js';
export * from './propose.js';
export * from './render.js';
export * from './show-status.js';
export * from './system-conf.js';
export { formatChannelList, parseChannelList, type ParseWarning } from './text.js';
export * from './validate.js';
