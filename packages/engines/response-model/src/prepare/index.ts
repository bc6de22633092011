export { type PreparationCounter, preparationCounter } from "./counter.ts";
export {
  isMissingText,
  median,
  NUMBER_PATTERN_SOURCE,
  NUMERIC_STRIP_CHARS,
  parseNumericBytes,
  parseNumericText,
} from "./numeric-text.ts";
export { applyPreparation, prepare } from "./prepare.ts";
export * from "./types.ts";
