// What SeatBox knows about the telephony cards and their DAHDI drivers.
//
// Sources: dahdi-tools Dahdi/Hardware/PCI.pm (PCI ids -> driver, description), the OpenVox
// fork of it (dahdi-linux-complete 3.0.0: opvxd115, opvxa24xx ids), and each driver's
// source for span/channel names and module parameters:
//   wctdm.c, wctdm24xxp/base.c, opvxa1200/base.c, opvxa24xx/base.c:
//       module_param(opermode, charp) — the FXO country mode, matched CASE-SENSITIVELY
//       against fxo_modes.h ("CHINA"); an unknown value makes the module refuse to load.
//   wcte12xp/base.c, opvxd115/base.c: module_param(default_linemode, charp) "auto"|"e1"|"t1"
//       (auto = the card's jumper), wcte13xp/wcte43x: "t1" (default), "e1", "j1".

export type CardKind = 'analog' | 'digital' | 'hybrid';

export interface DriverInfo {
  driver: string;
  kind: CardKind;
  /** The driver takes opermode=<fxo_modes.h name> (FXO line impedance, ring and battery thresholds). */
  opermode: boolean;
  /** The driver takes default_linemode=e1|t1|j1 (and its default when not given). */
  linemode?: { param: 'default_linemode'; default: 'auto' | 't1' };
  /** Span names the driver registers start with one of these, followed by the card number. */
  spanNamePrefixes: readonly string[];
}

export const DRIVERS: Readonly<Record<string, DriverInfo>> = {
  wctdm: { driver: 'wctdm', kind: 'analog', opermode: true, spanNamePrefixes: ['WCTDM/'] },
  wctdm24xxp: { driver: 'wctdm24xxp', kind: 'hybrid', opermode: true, spanNamePrefixes: ['WCTDM/', 'WCBRI/'] },
  opvxa1200: { driver: 'opvxa1200', kind: 'analog', opermode: true, spanNamePrefixes: ['OPVXA1200/'] },
  opvxa24xx: { driver: 'opvxa24xx', kind: 'analog', opermode: true, spanNamePrefixes: ['OPVXA24XX/'] },
  wcte12xp: {
    driver: 'wcte12xp',
    kind: 'digital',
    opermode: false,
    linemode: { param: 'default_linemode', default: 'auto' },
    spanNamePrefixes: ['WCT1/'],
  },
  wcte13xp: {
    driver: 'wcte13xp',
    kind: 'digital',
    opermode: false,
    linemode: { param: 'default_linemode', default: 't1' },
    spanNamePrefixes: ['WCT13x/'],
  },
  wcte43x: { driver: 'wcte43x', kind: 'digital', opermode: false, linemode: { param: 'default_linemode', default: 't1' }, spanNamePrefixes: [] },
  opvxd115: {
    driver: 'opvxd115',
    kind: 'digital',
    opermode: false,
    linemode: { param: 'default_linemode', default: 'auto' },
    // 3.0.0 names spans "D115/<card>/<span>"; older releases "D115/D130/<card>/<span>".
    spanNamePrefixes: ['D115/D130/', 'D115/'],
  },
  wct4xxp: { driver: 'wct4xxp', kind: 'digital', opermode: false, spanNamePrefixes: ['TE4/', 'TE2/', 'TE8/', 'TE1/'] },
};

export interface CardModel {
  vendor: string;
  model: string;
  driver: string;
  kind: CardKind;
  /** Analog ports (module slots x ports) or E1/T1 spans of the card. */
  ports?: number;
  spans?: number;
}

/** vendor:device -> model, for ids that name a single model. */
const BY_ID: Readonly<Record<string, CardModel>> = {
  'd161:8001': { vendor: 'Digium', model: 'TE122', driver: 'wcte12xp', kind: 'digital', spans: 1 },
  'd161:8000': { vendor: 'Digium', model: 'TE121', driver: 'wcte12xp', kind: 'digital', spans: 1 },
  'd161:0120': { vendor: 'Digium', model: 'TE120P', driver: 'wcte12xp', kind: 'digital', spans: 1 },
  'd161:800a': { vendor: 'Digium', model: 'TE131/TE133', driver: 'wcte13xp', kind: 'digital', spans: 1 },
  'd161:800b': { vendor: 'Digium', model: 'TE132/TE134', driver: 'wcte13xp', kind: 'digital', spans: 1 },
  'd161:2400': { vendor: 'Digium', model: 'TDM2400P', driver: 'wctdm24xxp', kind: 'analog', ports: 24 },
  'd161:8003': { vendor: 'Digium', model: 'AEX2400', driver: 'wctdm24xxp', kind: 'analog', ports: 24 },
  'd161:0800': { vendor: 'Digium', model: 'TDM800P', driver: 'wctdm24xxp', kind: 'analog', ports: 8 },
  'd161:8002': { vendor: 'Digium', model: 'AEX800', driver: 'wctdm24xxp', kind: 'analog', ports: 8 },
  'd161:8005': { vendor: 'Digium', model: 'TDM410P', driver: 'wctdm24xxp', kind: 'analog', ports: 4 },
  'd161:8006': { vendor: 'Digium', model: 'AEX410P', driver: 'wctdm24xxp', kind: 'analog', ports: 4 },
  '1b74:d130': { vendor: 'OpenVox', model: 'D130P/D130E', driver: 'opvxd115', kind: 'digital', spans: 1 },
  '1b74:0115': { vendor: 'OpenVox', model: 'D115P/D115E', driver: 'opvxd115', kind: 'digital', spans: 1 },
  '1b74:2410': { vendor: 'OpenVox', model: 'A2410P', driver: 'opvxa24xx', kind: 'analog', ports: 24 },
  '1b74:1610': { vendor: 'OpenVox', model: 'A1610P', driver: 'opvxa24xx', kind: 'analog', ports: 16 },
  '1b74:0810': { vendor: 'OpenVox', model: 'A810P', driver: 'opvxa24xx', kind: 'analog', ports: 8 },
};

/**
 * e159:0001 is the Tiger320 PCI bridge shared by many cards; dahdi_hardware tells them apart
 * by the subsystem id, which it does not print — the driver and description do.
 */
function byTiger320(driver: string, description: string): CardModel | undefined {
  if (driver === 'opvxa1200') {
    const a800 = /\bA800P\b/.test(description) && !/A1200/.test(description);
    return { vendor: 'OpenVox', model: a800 ? 'A800P' : 'A1200P/A800P', driver, kind: 'analog', ports: a800 ? 8 : 12 };
  }
  if (driver === 'wctdm') {
    // The OpenVox A400P answers with the TDM400P REV E/F subsystem id (b100) and is driven by wctdm.
    return { vendor: 'Digium/OpenVox', model: 'TDM400P / A400P', driver, kind: 'analog', ports: 4 };
  }
  return undefined;
}

export function lookupCardModel(id: string, driver: string, description: string): CardModel | undefined {
  return BY_ID[id.toLowerCase()] ?? (id.toLowerCase() === 'e159:0001' ? byTiger320(driver, description) : undefined);
}

export function driverInfo(driver: string): DriverInfo | undefined {
  return Object.prototype.hasOwnProperty.call(DRIVERS, driver) ? DRIVERS[driver] : undefined;
}

/** fxo_modes.h (dahdi-linux) names, the only values opermode= accepts. Case-sensitive. */
export const FXO_MODES = [
  'FCC', 'TBR21', 'ARGENTINA', 'AUSTRALIA', 'AUSTRIA', 'BAHRAIN', 'BELGIUM', 'BRAZIL', 'BULGARIA', 'CANADA',
  'CHILE', 'CHINA', 'COLOMBIA', 'CROATIA', 'CYPRUS', 'CZECH', 'DENMARK', 'ECUADOR', 'EGYPT', 'ELSALVADOR',
  'FINLAND', 'FRANCE', 'GERMANY', 'GREECE', 'GUAM', 'HONGKONG', 'HUNGARY', 'ICELAND', 'INDIA', 'INDONESIA',
  'IRELAND', 'ISRAEL', 'ITALY', 'JAPAN', 'JORDAN', 'KAZAKHSTAN', 'KUWAIT', 'LATVIA', 'LEBANON', 'LUXEMBOURG',
  'MACAO', 'MALAYSIA', 'MALTA', 'MEXICO', 'MOROCCO', 'NETHERLANDS', 'NEWZEALAND', 'NIGERIA', 'NORWAY', 'OMAN',
  'PAKISTAN', 'PERU', 'PHILIPPINES', 'POLAND', 'PORTUGAL', 'ROMANIA', 'RUSSIA', 'SAUDIARABIA', 'SINGAPORE',
  'SLOVAKIA', 'SLOVENIA', 'SOUTHAFRICA', 'SOUTHKOREA', 'SPAIN', 'SWEDEN', 'SWITZERLAND', 'SYRIA', 'TAIWAN',
  'THAILAND', 'UAE', 'UK', 'USA', 'YEMEN',
] as const;
export type FxoMode = (typeof FXO_MODES)[number];
