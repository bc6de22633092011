/**
 * Every query key the app uses, from one factory, so a read and the invalidation after a write
 * name the same data: `useQuery({ queryKey: queryKeys.scenario(org, id) })`, then
 * `invalidateQueries({ queryKey: queryKeys.scenario.all })`. Keys start with the family's name;
 * the organization is part of org-scoped keys, so switching organizations never shows another's
 * cached data.
 */
import { family, type Org, sessionKeys } from "./query-keys-session.ts";

export { SESSION_INDEPENDENT } from "./query-keys-session.ts";

export const queryKeys = {
  ...sessionKeys,
  project: family<"project", [org: Org, id: string]>("project"),
  scenarios: family<"scenarios", [org: Org, projectId: string]>("scenarios"),
  scenario: family<"scenario", [org: Org, id: string]>("scenario"),
  revisions: family<"revisions", [org: Org, scenarioId: string, revision: number]>("revisions"),
  diff: family<"diff", [org: Org, scenarioId: string, from: number, to: number]>("diff"),
  runs: family<"runs", [org: Org, filter: Record<string, unknown>]>("runs"),
  run: family<"run", [org: Org, id: string]>("run"),
  compare: family<"compare", [org: Org, runIds: string]>("compare"),
  sweep: family<"sweep", [id: string]>("sweep"),
  members: family<"members", [org: Org]>("members"),
  invitations: family<"invitations", [org: Org]>("invitations"),
  apiKeys: family<"api-keys", [org: Org]>("api-keys"),
  audit: family<"audit", [org: Org, action: string, offset: number]>("audit"),
  retention: family<"retention", [org: Org]>("retention"),
  files: family<"files", [org: Org]>("files"),
  shareLinks: family<"share-links", [org: Org, scope: string, filter?: string]>("share-links"),
  fieldMappings: family<"field-mappings", [org: Org, modelId: string]>("field-mappings"),
  shared: family<"shared", [token: string]>("shared"),
  visualEditSchema: family<"visual-edit-schema", []>("visual-edit-schema"),
  sharedDashboard: family<"shared-dashboard", [token: string]>("shared-dashboard"),
  sharedDashboardQuery: family<"shared-dashboard-query", [token: string, revision: number, state: string]>(
    "shared-dashboard-query",
  ),
  modelArtifacts: family<"model-artifacts", [org: Org, state: string]>("model-artifacts"),
  modelArtifact: family<"model-artifact", [org: Org, id: string]>("model-artifact"),
  llmStatus: family<"llm-status", [org: Org]>("llm-status"),
  llmProviders: family<"llm-providers", [org: Org]>("llm-providers"),
  llmSettings: family<"llm-settings", [org: Org]>("llm-settings"),
  powerBi: family<"powerbi", [org: Org]>("powerbi"),
  conversations: family<"conversations", [org: Org, projectId: string]>("conversations"),
  conversation: family<"conversation", [org: Org, id: string]>("conversation"),
  planRevision: family<"plan-revision", [org: Org, id: string, revision: number]>("plan-revision"),
  planDiff: family<"plan-diff", [org: Org, id: string, revision: number, against: number]>("plan-diff"),
  dashboardQuery: family<"dashboard-query", [org: Org, id: string, revision: number, state: string]>(
    "dashboard-query",
  ),
  slicerValues: family<
    "slicer-values",
    [org: Org, id: string, revision: number, slicerId: string, prefix: string, state: string]
  >("slicer-values"),
  llmUsage: family<"llm-usage", [org: Org, month: string]>("llm-usage"),
  contentSources: family<"content-sources", [org: Org]>("content-sources"),
  contentFetches: family<"content-fetches", [org: Org, sourceId: string]>("content-fetches"),
  contentItems: family<"content-items", [org: Org, q: string]>("content-items"),
  contentPosts: family<"content-posts", [org: Org]>("content-posts"),
  linkedin: family<"linkedin", [org: Org]>("linkedin"),
  linkedinPublications: family<"linkedin-publications", [org: Org]>("linkedin-publications"),
  draftCheck: family<"draft-check", [org: Org, runId: string, variantKind: string, text: string]>(
    "draft-check",
  ),
  contentRuns: family<"content-runs", [org: Org, offset: number]>("content-runs"),
  contentAnalytics: family<"content-analytics", [org: Org]>("content-analytics"),
};
