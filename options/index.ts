/** Option schemas of agents and algorithms (see schema.ts). */
export { coerceOption, describeOption, formatOptions, resolveOptions, schemaDefaults, showValue } from './schema';
export type { OptionSchema, OptionSpec, OptionType } from './schema';
