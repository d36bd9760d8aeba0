export * from './bundle.js';
export * from './grubenv.js';
export * from './slots.js';
export * from './update-service.js';
export * from './keys.js';
