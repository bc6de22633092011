export {
  type CrossValidation,
  type CrossValidationOptions,
  crossValidate,
  type FoldDeviance,
  foldDeviance,
  foldFit,
  heldOutDeviance,
  lambdaInterpolation,
  stratifiedFolds,
  summarizeFolds,
} from "./cv.ts";
export {
  allocateDesignValues,
  type DesignMatrix,
  fitLognet,
  type LognetFit,
  type LognetOptions,
  linearPredictor,
  predictProbability,
  sigmoid,
} from "./lognet.ts";
export { seededRandom, shuffle } from "./random.ts";
export { type ScoringModel, scoreLogOdds, scoreProbability } from "./scoring-model.ts";
