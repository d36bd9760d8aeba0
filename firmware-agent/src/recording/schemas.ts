// TypeBox schemas of the recording API and its live frames.
import { Type, type Static } from '@sinclair/typebox';

const NStr = () => Type.Union([Type.String(), Type.Null()]);
const NInt = () => Type.Union([Type.Integer(), Type.Null()]);

export const Recording = Type.Object({
  id: Type.Integer(),
  linkedid: Type.String(),
  startedAt: Type.String(),
  endedAt: NStr(),
  durationMs: NInt(),
  direction: NStr(),
  fromNumber: NStr(),
  toNumber: NStr(),
  seat: NStr(),
  agentId: NInt(),
  agentNumber: NStr(),
  agentName: NStr(),
  format: Type.Union([Type.Literal('wav'), Type.Literal('opus')]),
  state: Type.Union([Type.Literal('recording'), Type.Literal('complete'), Type.Literal('missing'), Type.Literal('deleted')]),
  sizeBytes: NInt(),
  sha256: NStr(),
  evidence: Type.Boolean(),
  evidenceReason: NStr(),
  evidenceBy: NStr(),
  evidenceAt: NStr(),
  compression: Type.Union([Type.Literal('none'), Type.Literal('compressed'), Type.Literal('failed')]),
  compressionError: NStr(),
});

export const RecordingList = Type.Object({ total: Type.Integer(), items: Type.Array(Recording) });

export const RecordingListQuery = Type.Object({
  from: Type.Optional(Type.String({ format: 'date-time', description: 'started at or after (ISO 8601)' })),
  to: Type.Optional(Type.String({ format: 'date-time', description: 'started before (ISO 8601)' })),
  agentId: Type.Optional(Type.Integer({ minimum: 1 })),
  agent: Type.Optional(Type.String({ pattern: '^[0-9]{3,8}$', description: 'agent number' })),
  seat: Type.Optional(Type.String({ pattern: '^[0-9]{2,8}$' })),
  number: Type.Optional(Type.String({ pattern: '^[0-9+*#]{1,32}$', description: 'part of the calling or called number' })),
  evidence: Type.Optional(Type.Boolean()),
  linkedid: Type.Optional(Type.String({ maxLength: 64 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
  offset: Type.Optional(Type.Integer({ minimum: 0, default: 0 })),
});

export const EvidenceBody = Type.Object({
  evidence: Type.Boolean(),
  reason: Type.String({ minLength: 1, maxLength: 500, description: 'why (required both to mark and to unmark)' }),
});

export const DiskThresholdsSchema = Type.Object({
  alarmPercent: Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 100 }),
  stopPercent: Type.Number({ exclusiveMinimum: 0, maximum: 100 }),
  reserveBytes: Type.Integer({ minimum: 0 }),
  resumeHysteresisPercent: Type.Number({ minimum: 0, maximum: 50 }),
});

export const LifecycleSettingsSchema = Type.Object({
  schedule: Type.String({ maxLength: 100, description: 'node-cron expression of the nightly job; empty disables it' }),
  retentionDays: Type.Integer({ minimum: 0, maximum: 36500 }),
  quotaBytes: Type.Integer({ minimum: 0 }),
  thresholds: DiskThresholdsSchema,
});

export const StorageAlarmSchema = Type.Object({
  level: Type.Union([Type.Literal('ok'), Type.Literal('alarm'), Type.Literal('stop')]),
  severity: Type.Union([Type.Literal('info'), Type.Literal('warning'), Type.Literal('critical')]),
  message: Type.String(),
  at: Type.String(),
});
export type StorageAlarm = Static<typeof StorageAlarmSchema>;

export const RecordingJobSchema = Type.Object({
  id: Type.Integer(),
  trigger: Type.Union([Type.Literal('nightly'), Type.Literal('manual')]),
  startedAt: Type.String(),
  endedAt: NStr(),
  status: Type.Union([Type.Literal('running'), Type.Literal('ok'), Type.Literal('partial'), Type.Literal('failed')]),
  compressed: Type.Integer(),
  failed: Type.Integer(),
  deletedAge: Type.Integer(),
  deletedQuota: Type.Integer(),
  freedBytes: Type.Integer(),
  error: NStr(),
});

export const RecordingStorageSchema = Type.Object({
  totalBytes: Type.Number(),
  freeBytes: Type.Number(),
  usedPercent: Type.Number(),
  level: Type.Union([Type.Literal('ok'), Type.Literal('alarm'), Type.Literal('stop')]),
  recordingStopped: Type.Boolean(),
  recordingsBytes: Type.Number(),
  alarms: Type.Array(StorageAlarmSchema),
  jobRunning: Type.Boolean(),
  lastJob: Type.Union([RecordingJobSchema, Type.Null()]),
  settings: LifecycleSettingsSchema,
});
export type RecordingStorage = Static<typeof RecordingStorageSchema>;

export const RecordingJobProgressSchema = Type.Object({
  jobId: Type.Integer(),
  trigger: Type.Union([Type.Literal('nightly'), Type.Literal('manual')]),
  phase: Type.Union([Type.Literal('compress'), Type.Literal('retention'), Type.Literal('done')]),
  done: Type.Integer(),
  total: Type.Integer(),
  compressed: Type.Integer(),
  failed: Type.Integer(),
  deleted: Type.Integer(),
  freedBytes: Type.Number(),
  at: Type.String(),
});
export type RecordingJobProgress = Static<typeof RecordingJobProgressSchema>;

