import type {
  AcceptInvitationBody,
  ApiKeyCreatedDto,
  ApiKeyListQuery,
  ApiKeyPage,
  AuditListQuery,
  AuditPage,
  CompareBody,
  ComparisonDto,
  CreateApiKeyBody,
  CreatedShareLinkDto,
  CreateInvitationBody,
  CreateOrgBody,
  CreateProjectBody,
  CreateRunBody,
  CreateRunQuery,
  CreateScenarioBody,
  CreateShareLinkBody,
  CreateSweepBody,
  DeleteAccountBody,
  DiffQuery,
  InvitationCreatedDto,
  InvitationListQuery,
  InvitationPage,
  MemberDto,
  MemberListQuery,
  MemberPage,
  OrgDto,
  OrgWithRoleDto,
  ProjectDto,
  RetentionPolicyDto,
  RevisionListQuery,
  RevisionPage,
  RunDto,
  RunListQuery,
  RunPage,
  ScenarioDiffDto,
  ScenarioDto,
  ScenarioListQuery,
  ScenarioPage,
  ScenarioRevisionDto,
  SharedResultDto,
  ShareLinkListQuery,
  ShareLinkPage,
  SweepDto,
  SweepQuery,
  SweepSummaryDto,
  UpdateMemberBody,
  UpdateOrgBody,
  UpdateProjectBody,
  UpdateRetentionBody,
  UpdateScenarioBody,
} from "@modelworks/contracts";
import type {
  ContentAnalyticsDto,
  ContentAnalyticsQuery,
  ContentFeedbackBody,
  ContentFetchListQuery,
  ContentFetchPage,
  ContentItemListQuery,
  ContentItemPage,
  ContentPostDto,
  ContentPostListQuery,
  ContentPostPage,
  ContentRunListQuery,
  ContentRunPage,
  ContentSourceDto,
  ContentSourceListQuery,
  ContentSourcePage,
  CreateContentPostBody,
  CreateContentRunBody,
  CreateContentSourceBody,
  ImportContentSourcesBody,
  ImportContentSourcesResult,
  UpdateContentSourceBody,
} from "@modelworks/contracts/content";
import type {
  ConversationDto,
  ConversationListQuery,
  ConversationPage,
  ConversationSummaryDto,
  CreateConversationBody,
  CreateDashboardShareLinkBody,
  DashboardQueryBody,
  DashboardQueryResult,
  PlanDiffDto,
  PlanDiffQuery,
  PlanRevisionDto,
  PlanRevisionList,
  PostMessageBody,
  PostMessageResult,
  ReplaceFileBody,
  ReplaceFileResult,
  SharedDashboardDto,
  SharedDashboardQueryBody,
  SlicerValuesBody,
  SlicerValuesResult,
  UpdateConversationBody,
  VisualEditSchemaDto,
} from "@modelworks/contracts/conversations";
import type {
  CreateFieldMappingBody,
  FieldMappingDto,
  FieldMappingListQuery,
  FieldMappingPage,
  FileDto,
  FileListQuery,
  FilePage,
  MapBody,
  MapResultDto,
  ProfileDto,
  SuggestionsDto,
  TargetRef,
} from "@modelworks/contracts/files";
import type {
  CreatePublicationBody,
  DraftCheckBody,
  DraftCheckDto,
  LinkedInConnectionDto,
  LinkedInConnectResult,
  PublicationDto,
  PublicationList,
  PublicationListQuery,
} from "@modelworks/contracts/linkedin";
import type {
  CreateLlmProviderBody,
  LlmProviderDto,
  LlmProviderList,
  LlmProviderListQuery,
  LlmSettings,
  LlmStatus,
  LlmTestResult,
  LlmUsage,
  LlmUsageQuery,
} from "@modelworks/contracts/llm";
import type {
  ApproveModelArtifactBody,
  CreateModelArtifactBody,
  CreateScoringRunBody,
  ModelArtifactDto,
  ModelArtifactListQuery,
  ModelArtifactPage,
} from "@modelworks/contracts/model-artifacts";
import type {
  PowerBiConnectionDto,
  PowerBiConnectionState,
  PowerBiPublishBody,
  PowerBiPublishList,
  PowerBiPublishStarted,
  PowerBiTestResult,
  PutPowerBiConnectionBody,
} from "@modelworks/contracts/powerbi";
import type { CreateUploadBody, UploadDto } from "@modelworks/contracts/uploads";
import { endpoint as ep, types } from "./endpoint.ts";

export * from "./endpoints-session.ts";

/**
 * Every endpoint the web app calls, declared once with its contract schemas (types only). Use
 * them as `import * as endpoints from "./client/endpoints.ts"` and
 * `call(endpoints.scenario, { params: { id } })` (api.ts): the path parameters, body and query
 * are checked against the contracts and the answer is typed by them. Named exports, so each
 * page's chunk carries only the endpoints it calls.
 */
// Session and sign-in
export const deleteAccount = /* @__PURE__ */ ep(
  "DELETE",
  "/session/account",
  types<undefined, typeof DeleteAccountBody>,
);

// Organizations
export const createOrg = /* @__PURE__ */ ep(
  "POST",
  "/orgs",
  types<typeof OrgWithRoleDto, typeof CreateOrgBody>,
);
export const deleteOrg = /* @__PURE__ */ ep("DELETE", "/org", types<undefined>);
export const updateOrg = /* @__PURE__ */ ep("PATCH", "/org", types<typeof OrgDto, typeof UpdateOrgBody>);
export const acceptInvitation = /* @__PURE__ */ ep(
  "POST",
  "/invitations/accept",
  types<typeof OrgWithRoleDto, typeof AcceptInvitationBody>,
);
export const members = /* @__PURE__ */ ep(
  "GET",
  "/org/members",
  types<typeof MemberPage, undefined, typeof MemberListQuery>,
);
export const updateMember = /* @__PURE__ */ ep(
  "PATCH",
  "/org/members/:userId",
  types<typeof MemberDto, typeof UpdateMemberBody>,
);
export const removeMember = /* @__PURE__ */ ep("DELETE", "/org/members/:userId", types<undefined>);
export const invitations = /* @__PURE__ */ ep(
  "GET",
  "/org/invitations",
  types<typeof InvitationPage, undefined, typeof InvitationListQuery>,
);
export const createInvitation = /* @__PURE__ */ ep(
  "POST",
  "/org/invitations",
  types<typeof InvitationCreatedDto, typeof CreateInvitationBody>,
);
export const revokeInvitation = /* @__PURE__ */ ep("DELETE", "/org/invitations/:id", types<undefined>);
export const apiKeys = /* @__PURE__ */ ep(
  "GET",
  "/org/api-keys",
  types<typeof ApiKeyPage, undefined, typeof ApiKeyListQuery>,
);
export const createApiKey = /* @__PURE__ */ ep(
  "POST",
  "/org/api-keys",
  types<typeof ApiKeyCreatedDto, typeof CreateApiKeyBody>,
);
export const revokeApiKey = /* @__PURE__ */ ep("DELETE", "/org/api-keys/:id", types<undefined>);
export const auditEvents = /* @__PURE__ */ ep(
  "GET",
  "/org/audit-events",
  types<typeof AuditPage, undefined, typeof AuditListQuery>,
);
export const retention = /* @__PURE__ */ ep("GET", "/org/retention", types<typeof RetentionPolicyDto>);
export const updateRetention = /* @__PURE__ */ ep(
  "PUT",
  "/org/retention",
  types<typeof RetentionPolicyDto, typeof UpdateRetentionBody>,
);

// Models, projects, scenarios
export const project = /* @__PURE__ */ ep("GET", "/projects/:id", types<typeof ProjectDto>);
export const createProject = /* @__PURE__ */ ep(
  "POST",
  "/projects",
  types<typeof ProjectDto, typeof CreateProjectBody>,
);
export const updateProject = /* @__PURE__ */ ep(
  "PATCH",
  "/projects/:id",
  types<typeof ProjectDto, typeof UpdateProjectBody>,
);
export const scenarios = /* @__PURE__ */ ep(
  "GET",
  "/projects/:projectId/scenarios",
  types<typeof ScenarioPage, undefined, typeof ScenarioListQuery>,
);
export const createScenario = /* @__PURE__ */ ep(
  "POST",
  "/projects/:projectId/scenarios",
  types<typeof ScenarioDto, typeof CreateScenarioBody>,
);
export const scenario = /* @__PURE__ */ ep("GET", "/scenarios/:id", types<typeof ScenarioDto>);
export const updateScenario = /* @__PURE__ */ ep(
  "PATCH",
  "/scenarios/:id",
  types<typeof ScenarioDto, typeof UpdateScenarioBody>,
);
export const revisions = /* @__PURE__ */ ep(
  "GET",
  "/scenarios/:id/revisions",
  types<typeof RevisionPage, undefined, typeof RevisionListQuery>,
);
export const revision = /* @__PURE__ */ ep(
  "GET",
  "/scenarios/:id/revisions/:revision",
  types<typeof ScenarioRevisionDto>,
);
export const diff = /* @__PURE__ */ ep(
  "GET",
  "/scenarios/:id/diff",
  types<typeof ScenarioDiffDto, undefined, typeof DiffQuery>,
);

// Runs, sweeps, comparison, sharing
export const runs = /* @__PURE__ */ ep("GET", "/runs", types<typeof RunPage, undefined, typeof RunListQuery>);
export const run = /* @__PURE__ */ ep("GET", "/runs/:id", types<typeof RunDto>);
export const createRun = /* @__PURE__ */ ep(
  "POST",
  "/models/:id/runs",
  types<typeof RunDto, typeof CreateRunBody, typeof CreateRunQuery>,
);
export const cancelRun = /* @__PURE__ */ ep("POST", "/runs/:id/cancel", types<typeof RunDto>);
export const compare = /* @__PURE__ */ ep(
  "POST",
  "/compare",
  types<typeof ComparisonDto, typeof CompareBody>,
);
export const createSweep = /* @__PURE__ */ ep(
  "POST",
  "/models/:id/sweeps",
  types<typeof SweepSummaryDto, typeof CreateSweepBody>,
);
export const sweep = /* @__PURE__ */ ep(
  "GET",
  "/sweeps/:id",
  types<typeof SweepDto, undefined, typeof SweepQuery>,
);
export const shareLinks = /* @__PURE__ */ ep(
  "GET",
  "/share-links",
  types<typeof ShareLinkPage, undefined, typeof ShareLinkListQuery>,
);
export const createShareLink = /* @__PURE__ */ ep(
  "POST",
  "/runs/:id/share-links",
  types<typeof CreatedShareLinkDto, typeof CreateShareLinkBody>,
);
export const revokeShareLink = /* @__PURE__ */ ep("DELETE", "/share-links/:id", types<undefined>);
export const shared = /* @__PURE__ */ ep("GET", "/shared/:token", types<typeof SharedResultDto>);
// A live, read-only link to a conversation's dashboard, and what its recipient reads.
export const createDashboardShareLink = /* @__PURE__ */ ep(
  "POST",
  "/conversations/:id/share-links",
  types<typeof CreatedShareLinkDto, typeof CreateDashboardShareLinkBody>,
);
export const sharedDashboard = /* @__PURE__ */ ep(
  "GET",
  "/shared/:token/dashboard",
  types<typeof SharedDashboardDto>,
);
export const sharedDashboardQuery = /* @__PURE__ */ ep(
  "POST",
  "/shared/:token/dashboard/query",
  types<typeof DashboardQueryResult, typeof SharedDashboardQueryBody>,
);
export const sharedSlicerValues = /* @__PURE__ */ ep(
  "POST",
  "/shared/:token/dashboard/slicers/:slicerId/values",
  types<typeof SlicerValuesResult, typeof SlicerValuesBody>,
);

// Files, uploads, mappings
export const files = /* @__PURE__ */ ep(
  "GET",
  "/files",
  types<typeof FilePage, undefined, typeof FileListQuery>,
);
export const deleteFile = /* @__PURE__ */ ep("DELETE", "/files/:id", types<undefined>);
export const fileProfile = /* @__PURE__ */ ep("GET", "/files/:id/profile", types<typeof ProfileDto>);
export const mappingSuggestions = /* @__PURE__ */ ep(
  "POST",
  "/files/:id/mapping-suggestions",
  types<typeof SuggestionsDto, typeof TargetRef>,
);
export const mapFile = /* @__PURE__ */ ep(
  "POST",
  "/files/:id/map",
  types<typeof MapResultDto, typeof MapBody>,
);
export const fieldMappings = /* @__PURE__ */ ep(
  "GET",
  "/field-mappings",
  types<typeof FieldMappingPage, undefined, typeof FieldMappingListQuery>,
);
export const createFieldMapping = /* @__PURE__ */ ep(
  "POST",
  "/field-mappings",
  types<typeof FieldMappingDto, typeof CreateFieldMappingBody>,
);
export const createUpload = /* @__PURE__ */ ep(
  "POST",
  "/uploads",
  types<typeof UploadDto, typeof CreateUploadBody>,
);
export const upload = /* @__PURE__ */ ep("GET", "/uploads/:id", types<typeof UploadDto>);
export const completeUpload = /* @__PURE__ */ ep("POST", "/uploads/:id/complete", types<typeof FileDto>);

// Language models (issue 14): providers, per-task routes, budget, usage
export const llmStatus = /* @__PURE__ */ ep("GET", "/org/llm/status", types<typeof LlmStatus>);
export const llmProviders = /* @__PURE__ */ ep(
  "GET",
  "/org/llm/providers",
  types<typeof LlmProviderList, undefined, typeof LlmProviderListQuery>,
);
export const createLlmProvider = /* @__PURE__ */ ep(
  "POST",
  "/org/llm/providers",
  types<typeof LlmProviderDto, typeof CreateLlmProviderBody>,
);
export const testLlmProvider = /* @__PURE__ */ ep(
  "POST",
  "/org/llm/providers/:id/test",
  types<typeof LlmTestResult>,
);
export const revokeLlmProvider = /* @__PURE__ */ ep("DELETE", "/org/llm/providers/:id", types<undefined>);
export const llmSettings = /* @__PURE__ */ ep("GET", "/org/llm/settings", types<typeof LlmSettings>);
export const updateLlmSettings = /* @__PURE__ */ ep(
  "PUT",
  "/org/llm/settings",
  types<typeof LlmSettings, typeof LlmSettings>,
);
export const llmUsage = /* @__PURE__ */ ep(
  "GET",
  "/org/llm/usage",
  types<typeof LlmUsage, undefined, typeof LlmUsageQuery>,
);

// Dashboard conversations (issue 16): messages that plan, plan revisions, live queries, Power BI
export const conversations = /* @__PURE__ */ ep(
  "GET",
  "/projects/:projectId/conversations",
  types<typeof ConversationPage, undefined, typeof ConversationListQuery>,
);
export const createConversation = /* @__PURE__ */ ep(
  "POST",
  "/projects/:projectId/conversations",
  types<typeof ConversationSummaryDto, typeof CreateConversationBody>,
);
export const conversation = /* @__PURE__ */ ep("GET", "/conversations/:id", types<typeof ConversationDto>);
export const updateConversation = /* @__PURE__ */ ep(
  "PATCH",
  "/conversations/:id",
  types<typeof ConversationSummaryDto, typeof UpdateConversationBody>,
);
export const deleteConversation = /* @__PURE__ */ ep("DELETE", "/conversations/:id", types<undefined>);
export const postMessage = /* @__PURE__ */ ep(
  "POST",
  "/conversations/:id/messages",
  types<typeof PostMessageResult, typeof PostMessageBody>,
);
export const planRevisions = /* @__PURE__ */ ep(
  "GET",
  "/conversations/:id/plan-revisions",
  types<typeof PlanRevisionList>,
);
export const planRevision = /* @__PURE__ */ ep(
  "GET",
  "/conversations/:id/plan-revisions/:revision",
  types<typeof PlanRevisionDto>,
);
export const planDiff = /* @__PURE__ */ ep(
  "GET",
  "/conversations/:id/plan-revisions/:revision/diff",
  types<typeof PlanDiffDto, undefined, typeof PlanDiffQuery>,
);
export const undoPlan = /* @__PURE__ */ ep(
  "POST",
  "/conversations/:id/undo",
  types<typeof ConversationSummaryDto>,
);
export const dashboardQuery = /* @__PURE__ */ ep(
  "POST",
  "/conversations/:id/plan-revisions/:revision/query",
  types<typeof DashboardQueryResult, typeof DashboardQueryBody>,
);
export const slicerValues = /* @__PURE__ */ ep(
  "POST",
  "/conversations/:id/plan-revisions/:revision/slicers/:slicerId/values",
  types<typeof SlicerValuesResult, typeof SlicerValuesBody>,
);

// Power BI publishing (issue 16 item 5d): the org's connection, its test, publish runs
export const powerBiConnection = /* @__PURE__ */ ep(
  "GET",
  "/org/powerbi",
  types<typeof PowerBiConnectionState>,
);
export const putPowerBiConnection = /* @__PURE__ */ ep(
  "PUT",
  "/org/powerbi",
  types<typeof PowerBiConnectionDto, typeof PutPowerBiConnectionBody>,
);
export const deletePowerBiConnection = /* @__PURE__ */ ep("DELETE", "/org/powerbi", types<undefined>);
export const testPowerBiConnection = /* @__PURE__ */ ep(
  "POST",
  "/org/powerbi/test",
  types<typeof PowerBiTestResult>,
);
export const powerBiPublishes = /* @__PURE__ */ ep(
  "GET",
  "/conversations/:id/powerbi-publishes",
  types<typeof PowerBiPublishList>,
);
export const publishToPowerBi = /* @__PURE__ */ ep(
  "POST",
  "/conversations/:id/plan-revisions/:revision/powerbi-publish",
  types<typeof PowerBiPublishStarted, typeof PowerBiPublishBody>,
);

// Content sources, content-intel runs on stored items, published posts and their feedback (issue 17)
export const contentSources = /* @__PURE__ */ ep(
  "GET",
  "/content/sources",
  types<typeof ContentSourcePage, undefined, typeof ContentSourceListQuery>,
);
export const createContentSource = /* @__PURE__ */ ep(
  "POST",
  "/content/sources",
  types<typeof ContentSourceDto, typeof CreateContentSourceBody>,
);
export const importContentSources = /* @__PURE__ */ ep(
  "POST",
  "/content/sources/import",
  types<typeof ImportContentSourcesResult, typeof ImportContentSourcesBody>,
);
export const updateContentSource = /* @__PURE__ */ ep(
  "PATCH",
  "/content/sources/:id",
  types<typeof ContentSourceDto, typeof UpdateContentSourceBody>,
);
export const fetchContentSourceNow = /* @__PURE__ */ ep(
  "POST",
  "/content/sources/:id/fetch",
  types<typeof ContentSourceDto>,
);
export const deleteContentSource = /* @__PURE__ */ ep("DELETE", "/content/sources/:id", types<undefined>);
export const contentFetches = /* @__PURE__ */ ep(
  "GET",
  "/content/sources/:id/fetches",
  types<typeof ContentFetchPage, undefined, typeof ContentFetchListQuery>,
);
export const contentItems = /* @__PURE__ */ ep(
  "GET",
  "/content/items",
  types<typeof ContentItemPage, undefined, typeof ContentItemListQuery>,
);
export const createContentRun = /* @__PURE__ */ ep(
  "POST",
  "/content/runs",
  types<typeof RunDto, typeof CreateContentRunBody, typeof CreateRunQuery>,
);
export const contentPosts = /* @__PURE__ */ ep(
  "GET",
  "/content/posts",
  types<typeof ContentPostPage, undefined, typeof ContentPostListQuery>,
);
export const createContentPost = /* @__PURE__ */ ep(
  "POST",
  "/content/posts",
  types<typeof ContentPostDto, typeof CreateContentPostBody>,
);
export const contentRuns = /* @__PURE__ */ ep(
  "GET",
  "/content/runs",
  types<typeof ContentRunPage, undefined, typeof ContentRunListQuery>,
);
export const contentAnalytics = /* @__PURE__ */ ep(
  "GET",
  "/content/analytics",
  types<typeof ContentAnalyticsDto, undefined, typeof ContentAnalyticsQuery>,
);
export const recordContentFeedback = /* @__PURE__ */ ep(
  "POST",
  "/content/feedback",
  types<typeof ContentPostDto, typeof ContentFeedbackBody>,
);

// LinkedIn publishing (issue 17 item 5): connect, status, disconnect, publish now or scheduled
export const linkedinConnection = /* @__PURE__ */ ep(
  "GET",
  "/content/linkedin",
  types<typeof LinkedInConnectionDto>,
);
export const connectLinkedin = /* @__PURE__ */ ep(
  "POST",
  "/content/linkedin/connect",
  types<typeof LinkedInConnectResult>,
);
export const disconnectLinkedin = /* @__PURE__ */ ep("DELETE", "/content/linkedin", types<undefined>);
export const checkContentDraft = /* @__PURE__ */ ep(
  "POST",
  "/content/drafts/check",
  types<typeof DraftCheckDto, typeof DraftCheckBody>,
);
export const publishToLinkedin = /* @__PURE__ */ ep(
  "POST",
  "/content/linkedin/publications",
  types<typeof PublicationDto, typeof CreatePublicationBody>,
);
export const linkedinPublications = /* @__PURE__ */ ep(
  "GET",
  "/content/linkedin/publications",
  types<typeof PublicationList, undefined, typeof PublicationListQuery>,
);

// Fitted response models as artifacts (issue 15 item 8): save, approve, retire, score a file
export const modelArtifacts = /* @__PURE__ */ ep(
  "GET",
  "/model-artifacts",
  types<typeof ModelArtifactPage, undefined, typeof ModelArtifactListQuery>,
);
export const modelArtifact = /* @__PURE__ */ ep(
  "GET",
  "/model-artifacts/:id",
  types<typeof ModelArtifactDto>,
);
export const createModelArtifact = /* @__PURE__ */ ep(
  "POST",
  "/model-artifacts",
  types<typeof ModelArtifactDto, typeof CreateModelArtifactBody>,
);
export const approveModelArtifact = /* @__PURE__ */ ep(
  "POST",
  "/model-artifacts/:id/approve",
  types<typeof ModelArtifactDto, typeof ApproveModelArtifactBody>,
);
export const retireModelArtifact = /* @__PURE__ */ ep(
  "POST",
  "/model-artifacts/:id/retire",
  types<typeof ModelArtifactDto>,
);
export const createScoringRun = /* @__PURE__ */ ep(
  "POST",
  "/model-artifacts/:id/scoring-runs",
  types<typeof RunDto, typeof CreateScoringRunBody>,
);
/**
 * A layout patch: the engine's `LayoutPatch` (the web may not import the engine, and the server
 * validates it), so the body is typed here by its plain shape only.
 */
interface LayoutPatchBody {
  baseRevision: number;
  tiles: { id: string; x: number; y: number; w: number; h: number }[];
}
export const replaceConversationFile = /* @__PURE__ */ ep(
  "POST",
  "/conversations/:id/files/:fileId/replace",
  types<typeof ReplaceFileResult, typeof ReplaceFileBody>,
);
/** The visual form's body: the engine's `VisualEdit` (schema served by visualEditSchema), by its plain shape. */
interface VisualEditBody {
  baseRevision: number;
  visual: import("../lib/visual-form.ts").VisualEditValue;
}
export const editVisual = /* @__PURE__ */ ep(
  "PUT",
  "/conversations/:id/visuals/:visualId",
  types<typeof PlanRevisionDto, import("zod").ZodType<VisualEditBody, VisualEditBody>>,
);
export const visualEditSchema = /* @__PURE__ */ ep(
  "GET",
  "/dashboard-plans/visual-edit-schema",
  types<typeof VisualEditSchemaDto>,
);
export const movePlanTiles = /* @__PURE__ */ ep(
  "POST",
  "/conversations/:id/layout",
  types<typeof PlanRevisionDto, import("zod").ZodType<LayoutPatchBody, LayoutPatchBody>>,
);
