export {
  buildScorecard,
  probabilityOfPoints,
  type Scorecard,
  type ScorecardRule,
  type ScorecardScale,
  scoreRecord,
} from "./scorecard.ts";
