// The simulator's scenario document (issue 7): parsed and checked with a clear error per field.
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

const Range = Type.Object(
  { min: Type.Number({ minimum: 0 }), max: Type.Number({ minimum: 0 }) },
  { additionalProperties: false },
);

export const ScenarioSchema = Type.Object(
  {
    name: Type.Optional(Type.String({ maxLength: 80 })),
    agents: Type.Integer({ minimum: 1, maximum: 1000 }),
    hours: Type.Number({ exclusiveMinimum: 0, maximum: 24 * 60 }),
    answerProbability: Type.Number({ exclusiveMinimum: 0, maximum: 1 }),
    ringSeconds: Range,
    noAnswerSeconds: Range,
    talkSeconds: Type.Object(
      {
        /** 'uniform' (min..max) is our extension: the real-Asterisk run's simulated PSTN talks that way. */
        distribution: Type.Union([Type.Literal('exponential'), Type.Literal('lognormal'), Type.Literal('uniform')]),
        mean: Type.Number({ exclusiveMinimum: 0 }),
        sigma: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 3 })),
        min: Type.Optional(Type.Number({ minimum: 0 })),
        max: Type.Optional(Type.Number({ minimum: 0 })),
      },
      { additionalProperties: false },
    ),
    wrapSeconds: Type.Number({ minimum: 0 }),
    dropCap: Type.Number({ exclusiveMinimum: 0, maximum: 1 }),
    connectGraceSeconds: Type.Number({ minimum: 0, maximum: 60 }),
    seed: Type.Integer(),
    /** Optional trunk channel limit (simultaneous calls); unlimited when absent. */
    trunks: Type.Optional(Type.Integer({ minimum: 1 })),
  },
  { additionalProperties: false },
);
export type Scenario = Static<typeof ScenarioSchema>;

export class ScenarioError extends Error {}

/** Parse a scenario from JSON text; `where` names the source (file) for the error message. */
export function parseScenario(text: string, where = 'scenario'): Scenario {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new ScenarioError(`${where}: not valid JSON (${(e as Error).message})`);
  }
  return checkScenario(doc, where);
}

export function checkScenario(doc: unknown, where = 'scenario'): Scenario {
  const errors = [...Value.Errors(ScenarioSchema, doc)].slice(0, 10);
  if (errors.length > 0) {
    throw new ScenarioError(`${where}: ${errors.map((e) => `${e.path || '/'}: ${e.message}`).join('; ')}`);
  }
  const s = doc as Scenario;
  if (s.ringSeconds.min > s.ringSeconds.max) throw new ScenarioError(`${where}: /ringSeconds: min > max`);
  if (s.noAnswerSeconds.min > s.noAnswerSeconds.max) throw new ScenarioError(`${where}: /noAnswerSeconds: min > max`);
  if (s.talkSeconds.distribution === 'lognormal' && s.talkSeconds.sigma === undefined) {
    throw new ScenarioError(`${where}: /talkSeconds/sigma: required for the lognormal distribution`);
  }
  if (s.talkSeconds.distribution === 'uniform') {
    const { min, max } = s.talkSeconds;
    if (min === undefined || max === undefined || min > max) throw new ScenarioError(`${where}: /talkSeconds: uniform needs min <= max`);
  }
  return s;
}
