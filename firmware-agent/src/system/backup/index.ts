export * from './backup-service.js';
export * from './backup-scheduler.js';
