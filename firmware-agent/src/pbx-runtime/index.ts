export * from './sid-root.js';
export * from './chroot-asterisk.js';
