export * from './model.js';
export * from './render.js';
export * from './validate.js';
export * from './apply.js';
export { atomicWriteFile } from './atomic.js';
export { RELOAD_COMMANDS, planReload } from './reload.js';
