/**
 * Fetching followed sources (issue 17, item 1): the plain-value API the ingestion job calls.
 * `createFetchDeps()` once per process (the politeness gate and the robots.txt cache are shared
 * state), then `fetchSource(source, state, deps)` per due source. See packages/server/README.md.
 */
export { contentHash, type ExtractedArticle, extractArticle, htmlToText } from "./extract.ts";
export { FeedError, type FeedFormat, type ParsedFeed, parseFeed } from "./feeds.ts";
export {
  createFetchDeps,
  type FetchDeps,
  type FetchedItem,
  type FetchSourceResult,
  fetchSource,
  type SourceState,
} from "./fetch-source.ts";
export {
  createHttpClient,
  DEFAULT_USER_AGENT,
  FetchError,
  type HttpClient,
  type Validators,
} from "./http.ts";
export {
  backoffDelayMs,
  createPoliteness,
  nextHealth,
  type Politeness,
  type SourceHealth,
} from "./politeness.ts";
export { createRobotsCache, type RobotsCache } from "./robots.ts";
