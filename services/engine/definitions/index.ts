/**
 * definitions: trigger YAML in, validated definitions and compiled plans out (DESIGN.md decision 6).
 * Texts come from a folder (dev, `triggerctl validate`) or from the trigger-definitions topic (production).
 */
export { DURATION_UNITS_MS, formatDuration, parseDuration } from './duration';
export { formatDefinitionError } from './errors';
export type { DefinitionError } from './errors';
export { TRIGGER_JSON_SCHEMA_PATH, triggerJsonSchema, triggerJsonSchemaText } from './json-schema';
export { readDefinitionFolder } from './load';
export { parsePoliciesText, parseTriggerText } from './parse';
export type { Parsed, ParseResult } from './parse';
export { CHANNELS, policiesSchema, STANDARD_ACTION_TYPES, triggerSchema } from './schema';
export type {
  Action,
  Channel,
  ChannelPolicy,
  Condition,
  ExitCondition,
  HistoryCondition,
  Operators,
  PoliciesDefinition,
  Signal,
  Step,
  TriggerDefinition,
} from './schema';
export { isPoliciesName, POLICIES_KEY, validateDefinitions } from './validate';
export type { DefinitionTexts, ValidationResult, ValidDefinitions } from './validate';
export { describeSignal, formatPerChannel, summarizeTrigger } from './summary';
export type { TriggerSummary } from './summary';
export { compilePolicies, compileTrigger, SINGLE_ACTION_STEP_ID } from './compile';
export { compileDefinitions, loadDefinitions } from './definitions';
export type { CompiledDefinitions, DefinitionsResult } from './definitions';
