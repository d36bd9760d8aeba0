// The AMI layer. Domain code imports the contract (types.ts) and the client; asterisk-manager is
// not re-exported (only baseline.ts and the gap tests load it).
export * from './types.js';
export { AmiParser, parseAmiBytes, type AmiParserOptions } from './parser.js';
export { serializeAction, serializeFields, headerPairs, checkHeaderName, checkHeaderValue } from './serialize.js';
export { AsteriskAmiClient, type AsteriskAmiClientOptions } from './client.js';
export { chanVariables } from './message.js';
export { measureAsteriskManagerBaseline, measureAmiClientReplay, countEvents, type AmiReplayResult, type AmiReplayOptions } from './baseline.js';
