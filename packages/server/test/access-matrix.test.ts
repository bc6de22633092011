import { randomBytes, randomUUID } from "node:crypto";
import { dashboardPlanner } from "@modelworks/engine-dashboard-planner";
import { responseModel } from "@modelworks/engine-response-model";
import { createContext, executeModel } from "@modelworks/model-kit";
import { eq } from "drizzle-orm";
import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { modelArtifacts, runs, users } from "../src/db/schema.ts";
import {
  type Actor,
  addMember,
  createApiKey,
  createOwner,
  createTestApp,
  mailOf,
  PASSWORD,
  request,
  requestSignUp,
  signIn,
  signUp,
  uniqueEmail,
} from "./harness.ts";
import { startFakeLinkedIn } from "./linkedin-fake-server.ts";
import { startFakeLlmServer } from "./llm-fake-server.ts";
import { verifyTokenIn } from "./mail-server.ts";
import { multipart } from "./multipart.ts";
import { startFakePowerBi } from "./powerbi-fake-server.ts";

/*
 * The access matrix: every operation of the OpenAPI document, called by every kind of caller.
 *
 *  - a member of organization A gets 404 for organization B's resources, by id or by header;
 *  - a member (or API key) below an operation's role gets 403, at or above it gets through;
 *  - an API key acts at most at its creator's current role (a demoted creator's keys included)
 *    and not at all (401) once its creator has left the organization;
 *  - an external JWT acts only in the organization it names (403 elsewhere, and with none named);
 *  - nobody gets anywhere without credentials (401).
 *
 * EXPECTED is written by hand, deliberately apart from the routes' own `config.access`: a route
 * that declares the wrong permission fails here, and so does a route missing from the table.
 */

const ROLES = ["viewer", "analyst", "admin", "owner"] as const;
type Role = (typeof ROLES)[number];
const SCOPES = ["read", "run", "admin"] as const;
type Scope = (typeof SCOPES)[number];

/**
 * An API key acts like a member of this role — capped by its creator's current role, and except
 * where an operation takes no keys at all.
 */
const KEY_ACTS_AS: Record<Scope, Role> = { read: "viewer", run: "analyst", admin: "admin" };
/** The role an admin who made keys was demoted to before the matrix runs. */
const DEMOTED_TO: Role = "analyst";

type Rule =
  | { kind: "public" }
  | { kind: "user" } // any signed-in person; never an API key
  | { kind: "org"; role: Role; permission: string; noKeys: boolean }; // least role in the org

const PUBLIC: Rule = { kind: "public" };
const USER: Rule = { kind: "user" };
const NO_KEYS = true; // keys cannot manage keys: a leaked key must not mint its successors
const org = (role: Role, permission: string, noKeys = false): Rule => ({
  kind: "org",
  role,
  permission,
  noKeys,
});

const EXPECTED: Record<string, Rule> = {
  "GET /health": PUBLIC,
  "GET /ready": PUBLIC,
  "POST /api/v1/auth/sign-up": PUBLIC,
  "POST /api/v1/auth/sign-in": PUBLIC,
  "POST /api/v1/auth/verify-email": PUBLIC,
  "POST /api/v1/auth/resend-verification": PUBLIC,
  "POST /api/v1/auth/sign-out": USER,
  "POST /api/v1/auth/password": USER,
  "GET /api/v1/session": USER,
  "PUT /api/v1/session/organization": USER,
  "GET /api/v1/orgs": USER,
  "POST /api/v1/orgs": USER,
  "POST /api/v1/invitations/accept": USER,
  "GET /api/v1/org": org("viewer", "org:read"),
  "PATCH /api/v1/org": org("owner", "org:manage"),
  "DELETE /api/v1/org": org("owner", "org:manage"),
  "GET /api/v1/org/members": org("viewer", "org:read"),
  "PATCH /api/v1/org/members/{userId}": org("admin", "members:manage"),
  "DELETE /api/v1/org/members/{userId}": org("admin", "members:manage"),
  "POST /api/v1/org/invitations": org("admin", "members:manage"),
  "GET /api/v1/org/invitations": org("admin", "members:manage"),
  "DELETE /api/v1/org/invitations/{id}": org("admin", "members:manage"),
  "POST /api/v1/org/api-keys": org("admin", "keys:manage", NO_KEYS),
  "GET /api/v1/org/api-keys": org("admin", "keys:manage", NO_KEYS),
  "DELETE /api/v1/org/api-keys/{id}": org("admin", "keys:manage", NO_KEYS),
  "GET /api/v1/org/audit-events": org("admin", "audit:read"),
  "GET /api/v1/projects": org("viewer", "projects:read"),
  "POST /api/v1/projects": org("analyst", "projects:write"),
  "GET /api/v1/projects/{id}": org("viewer", "projects:read"),
  "PATCH /api/v1/projects/{id}": org("analyst", "projects:write"),
  "DELETE /api/v1/projects/{id}": org("admin", "projects:delete"),
  "GET /api/v1/models": PUBLIC,
  "GET /api/v1/models/{id}": PUBLIC,
  "GET /api/v1/reference-data": PUBLIC,
  "POST /api/v1/models/{id}/runs": org("analyst", "runs:execute"),
  "GET /api/v1/runs": org("viewer", "runs:read"),
  "GET /api/v1/runs/{id}": org("viewer", "runs:read"),
  "GET /api/v1/runs/{id}/events": org("viewer", "runs:read"),
  "GET /api/v1/runs/{id}/output": org("viewer", "runs:read"),
  "POST /api/v1/runs/{id}/cancel": org("analyst", "runs:execute"),
  "DELETE /api/v1/runs/{id}": org("admin", "runs:delete"),
  "GET /api/v1/projects/{projectId}/scenarios": org("viewer", "projects:read"),
  "POST /api/v1/projects/{projectId}/scenarios": org("analyst", "projects:write"),
  "POST /api/v1/projects/{projectId}/scenarios/import": org("analyst", "projects:write"),
  "GET /api/v1/scenarios/{id}": org("viewer", "projects:read"),
  "PATCH /api/v1/scenarios/{id}": org("analyst", "projects:write"),
  "DELETE /api/v1/scenarios/{id}": org("admin", "projects:delete"),
  "GET /api/v1/scenarios/{id}/revisions": org("viewer", "projects:read"),
  "GET /api/v1/scenarios/{id}/revisions/{revision}": org("viewer", "projects:read"),
  "GET /api/v1/scenarios/{id}/diff": org("viewer", "projects:read"),
  "GET /api/v1/scenarios/{id}/export": org("viewer", "projects:read"),
  "POST /api/v1/scenarios/{id}/duplicate": org("analyst", "projects:write"),
  "POST /api/v1/compare": org("viewer", "runs:read"),
  "POST /api/v1/models/{id}/sweeps": org("analyst", "runs:execute"),
  "GET /api/v1/sweeps": org("viewer", "runs:read"),
  "GET /api/v1/sweeps/{id}": org("viewer", "runs:read"),
  "POST /api/v1/sweeps/{id}/cancel": org("analyst", "runs:execute"),
  "GET /api/v1/runs/{id}/export": org("viewer", "runs:read"),
  "POST /api/v1/runs/{id}/share-links": org("analyst", "runs:execute"),
  "GET /api/v1/share-links": org("viewer", "runs:read"),
  "DELETE /api/v1/share-links/{id}": org("analyst", "runs:execute"),
  "GET /api/v1/shared/{token}": PUBLIC,
  "GET /api/v1/shared/{token}/export": PUBLIC,
  // A live, read-only link to a dashboard: made by whoever may edit the conversation.
  "POST /api/v1/conversations/{id}/share-links": org("analyst", "projects:write"),
  "GET /api/v1/shared/{token}/dashboard": PUBLIC,
  "POST /api/v1/shared/{token}/dashboard/query": PUBLIC,
  "POST /api/v1/shared/{token}/dashboard/slicers/{slicerId}/values": PUBLIC,
  "GET /api/v1/shared/{token}/dashboard/export": PUBLIC,
  "GET /api/v1/dashboard-plans/visual-edit-schema": PUBLIC,
  "POST /api/v1/files": org("analyst", "projects:write"),
  "GET /api/v1/files": org("viewer", "projects:read"),
  "GET /api/v1/files/{id}": org("viewer", "projects:read"),
  "GET /api/v1/files/{id}/profile": org("viewer", "projects:read"),
  "GET /api/v1/files/{id}/rows": org("viewer", "projects:read"),
  "DELETE /api/v1/files/{id}": org("admin", "projects:delete"),
  "POST /api/v1/files/{id}/mapping-suggestions": org("viewer", "projects:read"),
  "POST /api/v1/files/{id}/map": org("viewer", "projects:read"),
  "POST /api/v1/uploads": org("analyst", "projects:write"),
  "GET /api/v1/uploads": org("analyst", "projects:write"),
  "GET /api/v1/uploads/{id}": org("analyst", "projects:write"),
  "PATCH /api/v1/uploads/{id}": org("analyst", "projects:write"),
  "POST /api/v1/uploads/{id}/complete": org("analyst", "projects:write"),
  "DELETE /api/v1/uploads/{id}": org("analyst", "projects:write"),
  "GET /api/v1/models/{id}/templates/{field}": PUBLIC,
  "GET /api/v1/standard-schemas": PUBLIC,
  "GET /api/v1/problems": PUBLIC,
  "GET /api/v1/problems/{code}": PUBLIC,
  "GET /api/v1/standard-schemas/{name}/template.csv": PUBLIC,
  "POST /api/v1/field-mappings": org("analyst", "projects:write"),
  "GET /api/v1/field-mappings": org("viewer", "projects:read"),
  "GET /api/v1/field-mappings/{id}": org("viewer", "projects:read"),
  "PATCH /api/v1/field-mappings/{id}": org("analyst", "projects:write"),
  "DELETE /api/v1/field-mappings/{id}": org("admin", "projects:delete"),
  "GET /api/v1/org/retention": org("viewer", "org:read"),
  "PUT /api/v1/org/retention": org("admin", "retention:manage"),
  // Keys cannot export: a leaked key must not carry the whole organization off in one call.
  "GET /api/v1/org/export": org("admin", "data:export", NO_KEYS),
  "DELETE /api/v1/session/account": USER,
  "POST /api/v1/session/external-identity": USER,
  // Language models (issue 14): provider keys are keys, so no API key manages them.
  "GET /api/v1/org/llm/status": org("viewer", "org:read"),
  "GET /api/v1/org/llm/providers": org("admin", "keys:manage", NO_KEYS),
  "POST /api/v1/org/llm/providers": org("admin", "keys:manage", NO_KEYS),
  "POST /api/v1/org/llm/providers/{id}/test": org("admin", "keys:manage", NO_KEYS),
  "DELETE /api/v1/org/llm/providers/{id}": org("admin", "keys:manage", NO_KEYS),
  "GET /api/v1/org/llm/settings": org("admin", "keys:manage", NO_KEYS),
  "PUT /api/v1/org/llm/settings": org("admin", "keys:manage", NO_KEYS),
  "GET /api/v1/org/llm/usage": org("admin", "audit:read"),
  "GET /api/v1/org/powerbi": org("admin", "keys:manage", NO_KEYS),
  "PUT /api/v1/org/powerbi": org("admin", "keys:manage", NO_KEYS),
  "DELETE /api/v1/org/powerbi": org("admin", "keys:manage", NO_KEYS),
  "POST /api/v1/org/powerbi/test": org("admin", "keys:manage", NO_KEYS),
  "POST /api/v1/conversations/{id}/plan-revisions/{revision}/powerbi-publish": org("analyst", "runs:execute"),
  "GET /api/v1/conversations/{id}/powerbi-publishes": org("viewer", "runs:read"),
  // Content sources, items, posts and feedback (issue 17).
  "POST /api/v1/content/sources": org("analyst", "projects:write"),
  "POST /api/v1/content/sources/import": org("analyst", "projects:write"),
  "GET /api/v1/content/sources": org("viewer", "projects:read"),
  "GET /api/v1/content/sources/{id}": org("viewer", "projects:read"),
  "PATCH /api/v1/content/sources/{id}": org("analyst", "projects:write"),
  "DELETE /api/v1/content/sources/{id}": org("admin", "projects:delete"),
  "GET /api/v1/content/sources/{id}/fetches": org("viewer", "projects:read"),
  "POST /api/v1/content/sources/{id}/fetch": org("analyst", "projects:write"),
  "GET /api/v1/content/items": org("viewer", "projects:read"),
  "POST /api/v1/content/runs": org("analyst", "runs:execute"),
  "POST /api/v1/content/posts": org("analyst", "projects:write"),
  "GET /api/v1/content/posts": org("viewer", "projects:read"),
  "GET /api/v1/content/posts/{id}": org("viewer", "projects:read"),
  "POST /api/v1/content/feedback": org("analyst", "projects:write"),
  "POST /api/v1/content/feedback/import": org("analyst", "projects:write"),
  // LinkedIn publishing (issue 17 item 5): each person's own connection; the callback is theirs.
  "POST /api/v1/content/linkedin/connect": org("analyst", "projects:write"),
  "GET /api/v1/content/linkedin/callback": USER,
  "GET /api/v1/content/linkedin": org("viewer", "projects:read"),
  "DELETE /api/v1/content/linkedin": org("analyst", "projects:write"),
  "POST /api/v1/content/drafts/check": org("viewer", "projects:read"),
  "POST /api/v1/content/linkedin/publications": org("analyst", "projects:write"),
  "GET /api/v1/content/linkedin/publications": org("viewer", "projects:read"),
  "POST /api/v1/content/linkedin/publications/{id}/cancel": org("analyst", "projects:write"),
  "GET /api/v1/content/runs": org("viewer", "runs:read"),
  "GET /api/v1/content/analytics": org("viewer", "runs:read"),
  "GET /api/v1/files/{id}/download": org("viewer", "projects:read"),
  // Fitted models as artifacts (issue 15 item 8): approving and retiring are an admin's.
  "POST /api/v1/model-artifacts": org("analyst", "runs:execute"),
  "GET /api/v1/model-artifacts": org("viewer", "runs:read"),
  "GET /api/v1/model-artifacts/{id}": org("viewer", "runs:read"),
  "POST /api/v1/model-artifacts/{id}/approve": org("admin", "models:approve"),
  "POST /api/v1/model-artifacts/{id}/retire": org("admin", "models:approve"),
  "GET /api/v1/model-artifacts/{id}/download": org("viewer", "runs:read"),
  "GET /api/v1/model-artifacts/{id}/sql": org("viewer", "runs:read"),
  "POST /api/v1/model-artifacts/{id}/scoring-runs": org("analyst", "runs:execute"),
  // Dashboard conversations (issue 16): a message starts a run, so it takes runs:execute.
  "POST /api/v1/projects/{projectId}/conversations": org("analyst", "projects:write"),
  "GET /api/v1/projects/{projectId}/conversations": org("viewer", "projects:read"),
  "GET /api/v1/conversations/{id}": org("viewer", "projects:read"),
  "PATCH /api/v1/conversations/{id}": org("analyst", "projects:write"),
  "DELETE /api/v1/conversations/{id}": org("admin", "projects:delete"),
  "POST /api/v1/conversations/{id}/messages": org("analyst", "runs:execute"),
  "GET /api/v1/conversations/{id}/plan-revisions": org("viewer", "projects:read"),
  "GET /api/v1/conversations/{id}/plan-revisions/{revision}": org("viewer", "projects:read"),
  "GET /api/v1/conversations/{id}/plan-revisions/{revision}/diff": org("viewer", "projects:read"),
  "POST /api/v1/conversations/{id}/undo": org("analyst", "projects:write"),
  "POST /api/v1/conversations/{id}/files/{fileId}/replace": org("analyst", "projects:write"),
  "POST /api/v1/conversations/{id}/plan-revisions/{revision}/query": org("viewer", "projects:read"),
  "POST /api/v1/conversations/{id}/plan-revisions/{revision}/slicers/{slicerId}/values": org(
    "viewer",
    "projects:read",
  ),
  "GET /api/v1/conversations/{id}/plan-revisions/{revision}/powerbi": org("viewer", "projects:read"),
  "POST /api/v1/conversations/{id}/layout": org("analyst", "projects:write"),
  "GET /api/v1/conversations/{id}/plan-revisions/{revision}/export": org("viewer", "projects:read"),
  "PUT /api/v1/conversations/{id}/visuals/{visualId}": org("analyst", "projects:write"),
};

/* ------------------------------------------------------------------------------------------- */
/* The world: organization A with a member of every role and a key of every scope; organization */
/* B with an owner, a second member, a pending invitation, an API key, a project and a run.     */
/* No run worker: runs stay queued until canceled, so every run is either cancelable or final.  */

type Owner = Actor & { orgId: string };
interface Caller {
  name: string;
  as: Actor | string;
  role?: Role;
  scope?: Scope;
  /** For a key: its creator's role now (the owner's keys: owner). */
  creatorRole?: Role;
}
const CALLERS = [
  ...ROLES.map((r) => `${r} of A`),
  ...SCOPES.map((s) => `${s}-key of A`),
  ...SCOPES.map((s) => `${s}-key of a demoted admin of A`),
];

const MODEL = "test-montecarlo-sum";
const JWT_SECRET = "matrix-jwt-secret-0123456789abcdef0123";
// A master key for stored provider keys: on PGlite one is derived from the data directory, on
// PostgreSQL (CI's second pass) the server has none unless it is given one.
/** LinkedIn's documented endpoints, locally (the callback route needs a real authorization). */
const fakeLinkedIn = await startFakeLinkedIn();
afterAll(() => fakeLinkedIn.close());
/** A local Power BI and identity platform: the connection test and publish runs call it. */
const fakePbi = await startFakePowerBi();
afterAll(() => fakePbi.close());
const PBI_APP = {
  tenantId: "contoso.onmicrosoft.com",
  clientId: "5e6f7a8b-0000-4000-8000-00000000bbbb",
  clientSecret: "matrix-secret-1234",
  groups: ["f089354e-8366-4e18-aea3-4cb4a3a50b48"],
};
fakePbi.registerApp(PBI_APP);
const t = await createTestApp({
  POWERBI_AUTHORITY_HOST: fakePbi.authorityHost,
  POWERBI_API_BASE: fakePbi.apiBase,
  INTERNAL_MODELS: "true",
  JWT_HS256_SECRET: JWT_SECRET,
  LLM_MASTER_KEY: randomBytes(32).toString("base64"),
  LINKEDIN_CLIENT_ID: fakeLinkedIn.clientId,
  LINKEDIN_CLIENT_SECRET: fakeLinkedIn.clientSecret,
  LINKEDIN_REDIRECT_URL: fakeLinkedIn.redirectUrl,
  LINKEDIN_AUTH_BASE: fakeLinkedIn.url,
  LINKEDIN_API_BASE: fakeLinkedIn.url,
});
/** An external token (HS256, the app's secret) for a person, naming an organization by slug or none. */
const jwtFor = (claims: { email: string; sub: string; org?: string; role?: Role }) =>
  new SignJWT(claims)
    .setProtectedHeader({ alg: "HS256" })
    .setExpirationTime("10m")
    .sign(new TextEncoder().encode(JWT_SECRET));
afterAll(async () => t?.close());
/** A local language-model provider: adding one tests its key with a one-token request. */
const fakeLlm = await startFakeLlmServer();
afterAll(() => fakeLlm.close());

const doc = (await t.app.inject({ method: "GET", url: "/api/v1/openapi.json" })).json() as {
  paths: Record<string, Record<string, { "x-access"?: string }>>;
};
const OPERATIONS = Object.entries(doc.paths).flatMap(([path, methods]) =>
  Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
);
const KNOWN = OPERATIONS.filter((op) => op in EXPECTED);
const orgScoped = (op: string) => EXPECTED[op]!.kind === "org";
const hasPathParam = (op: string) => op.includes("{");

const A = {} as {
  setup: Owner;
  projectId: string;
  runId: string;
  scenarioId: string;
  sweepId: string;
  succeededRunIds: [string, string];
  shareToken: string;
  fileId: string;
  mappingId: string;
  uploadId: string;
  callers: Record<string, Caller>;
  slug: string;
  /** An admin-scope key whose creator has since been removed from A. */
  leaverKey: string;
  llmProviderId: string;
  sourceId: string;
  postId: string;
  analyticsFileId: string;
  fitRunId: string;
  /** A finished content-intel run (its drafts are checked). */
  contentRunId: string;
  artifactId: string;
  /** A conversation with plan revisions 1 and 2 (2 made from 1). */
  conversationId: string;
  /** A share link to that conversation's dashboard. */
  dashboardToken: string;
};
const B = {} as {
  owner: Owner;
  orgId: string;
  memberId: string;
  invitationId: string;
  keyId: string;
  projectId: string;
  runId: string;
  scenarioId: string;
  sweepId: string;
  succeededRunIds: [string, string];
  shareLinkId: string;
  fileId: string;
  mappingId: string;
  uploadId: string;
  llmProviderId: string;
  sourceId: string;
  postId: string;
  analyticsFileId: string;
  fitRunId: string;
  /** A finished content-intel run (its drafts are checked). */
  contentRunId: string;
  artifactId: string;
  conversationId: string;
  publicationId: string;
  snapshot: Snapshot;
};

beforeAll(async () => {
  A.setup = await createOwner(t.app, "Org A");
  A.callers = {};
  for (const role of ROLES) {
    A.callers[`${role} of A`] = { name: `${role} of A`, as: await addMember(t.app, A.setup, role), role };
  }
  for (const scope of SCOPES) {
    const { key } = await createApiKey(t.app, A.setup, scope);
    A.callers[`${scope}-key of A`] = { name: `${scope}-key of A`, as: key, scope, creatorRole: "owner" };
  }
  // An admin makes a key of every scope and is then demoted: the keys act at most at the new role.
  const demoted = await addMember(t.app, A.setup, "admin");
  for (const scope of SCOPES) {
    const name = `${scope}-key of a demoted admin of A`;
    A.callers[name] = {
      name,
      as: (await createApiKey(t.app, demoted, scope)).key,
      scope,
      creatorRole: DEMOTED_TO,
    };
  }
  await setupCall(A.setup, "PATCH", `/api/v1/org/members/${demoted.userId}`, { role: DEMOTED_TO });
  // An admin makes a key and then leaves: the key is dead everywhere.
  const leaver = await addMember(t.app, A.setup, "admin");
  A.leaverKey = (await createApiKey(t.app, leaver, "admin")).key;
  await setupCall(A.setup, "DELETE", `/api/v1/org/members/${leaver.userId}`);
  A.slug = (await setupCall(A.setup, "GET", "/api/v1/org")).slug;
  A.projectId = await freshProject();
  A.runId = await finishedRun(A.setup);
  A.scenarioId = await freshScenario();
  A.sweepId = await freshSweep();
  A.succeededRunIds = [await succeededRun(A.setup.orgId), await succeededRun(A.setup.orgId)];
  A.shareToken = (await freshShareLink(A.setup, A.succeededRunIds[0])).token;
  A.fileId = await freshFile();
  A.mappingId = await freshMapping();
  A.uploadId = await freshUpload();
  A.llmProviderId = await freshLlmProvider();
  A.sourceId = await freshSource();
  A.postId = await freshPost(A.setup, `urn:li:activity:${++serial}`);
  A.analyticsFileId = await analyticsFile(A.setup, A.postId);
  A.fitRunId = await succeededFit(A.setup.orgId);
  A.contentRunId = await storedContentRun(A.setup.orgId);
  A.artifactId = await freshArtifact(A.setup.orgId, "approved");
  A.conversationId = await plannedConversation(A.setup, A.projectId, 2);
  A.dashboardToken = (
    await setupCall(A.setup, "POST", `/api/v1/conversations/${A.conversationId}/share-links`, {})
  ).token;

  B.owner = await createOwner(t.app, "Org B");
  B.orgId = B.owner.orgId;
  B.memberId = (await addMember(t.app, B.owner, "analyst")).userId;
  B.invitationId = (
    await setupCall(B.owner, "POST", "/api/v1/org/invitations", { email: uniqueEmail("b-invitee") })
  ).id;
  B.keyId = (await createApiKey(t.app, B.owner, "admin")).id;
  B.projectId = (await setupCall(B.owner, "POST", "/api/v1/projects", { name: "B's secret project" })).id;
  B.runId = await finishedRun(B.owner);
  B.scenarioId = await freshScenario(B.owner, B.projectId);
  B.sweepId = await freshSweep(B.owner);
  B.succeededRunIds = [await succeededRun(B.orgId), await succeededRun(B.orgId)];
  B.shareLinkId = (await freshShareLink(B.owner, B.succeededRunIds[0])).id;
  B.fileId = await freshFile(B.owner);
  B.mappingId = await freshMapping(B.owner);
  B.uploadId = await freshUpload(B.owner);
  B.llmProviderId = await freshLlmProvider(B.owner);
  await powerBiConnected(B.owner);
  B.sourceId = await freshSource(B.owner);
  B.postId = await freshPost(B.owner, `urn:li:activity:${++serial}`);
  B.analyticsFileId = await analyticsFile(B.owner, B.postId);
  B.fitRunId = await succeededFit(B.orgId);
  B.contentRunId = await storedContentRun(B.orgId);
  B.artifactId = await freshArtifact(B.orgId, "approved");
  B.conversationId = await plannedConversation(B.owner, B.projectId, 2);
  B.publicationId = (
    await setupCall(B.owner, "POST", "/api/v1/content/linkedin/publications", scheduledPublication())
  ).id;
  B.snapshot = await snapshotB();
});

/** Everything B's owner can see of B; cross-organization calls must leave it exactly as it was. */
type Snapshot = Awaited<ReturnType<typeof snapshotB>>;
async function snapshotB() {
  const read = async (url: string) => setupCall(B.owner, "GET", url);
  return {
    org: await read("/api/v1/org"),
    members: (await read("/api/v1/org/members?limit=100")).items,
    invitations: (await read("/api/v1/org/invitations?limit=100")).items,
    apiKeys: (await read("/api/v1/org/api-keys?limit=100&includeRevoked=true")).items,
    projects: (await read("/api/v1/projects?limit=100")).items,
    runs: (await read("/api/v1/runs?limit=100")).items,
    scenarios: (await read(`/api/v1/projects/${B.projectId}/scenarios?limit=100`)).items,
    scenarioRevisions: (await read(`/api/v1/scenarios/${B.scenarioId}/revisions?limit=100`)).items,
    sweeps: (await read("/api/v1/sweeps?limit=100")).items,
    shareLinks: (await read("/api/v1/share-links?limit=100")).items,
    files: (await read("/api/v1/files?limit=100")).items,
    fieldMappings: (await read("/api/v1/field-mappings?limit=100")).items,
    upload: await read(`/api/v1/uploads/${B.uploadId}`),
    llmProviders: (await read("/api/v1/org/llm/providers?includeRevoked=true")).items,
    llmSettings: await read("/api/v1/org/llm/settings"),
    llmUsage: await read("/api/v1/org/llm/usage"),
    powerBi: await read("/api/v1/org/powerbi"),
    contentSources: (await read("/api/v1/content/sources?limit=100")).items,
    contentPosts: (await read("/api/v1/content/posts?limit=100")).items,
    linkedinPublications: (await read("/api/v1/content/linkedin/publications")).items,
    modelArtifacts: (await read("/api/v1/model-artifacts?limit=100")).items,
    conversations: (await read(`/api/v1/projects/${B.projectId}/conversations?limit=100`)).items,
    conversation: await read(`/api/v1/conversations/${B.conversationId}`),
    planRevisions: (await read(`/api/v1/conversations/${B.conversationId}/plan-revisions`)).items,
  };
}

/** A setup call by an organization's owner (explicitly in that organization) that must succeed. */
async function setupCall(
  owner: Owner,
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE",
  url: string,
  payload?: unknown,
) {
  const res = await request(t.app, owner, {
    method,
    url,
    payload,
    headers: { "x-organization-id": owner.orgId },
  });
  if (res.statusCode >= 300) throw new Error(`setup ${method} ${url}: ${res.statusCode} ${res.body}`);
  return res.statusCode === 204 ? null : res.json();
}

let serial = 0;
const freshProject = async (): Promise<string> =>
  (await setupCall(A.setup, "POST", "/api/v1/projects", { name: `Matrix project ${++serial}` })).id;
const freshInvitation = async (): Promise<string> =>
  (await setupCall(A.setup, "POST", "/api/v1/org/invitations", { email: uniqueEmail("invitee") })).id;
const freshMember = async (): Promise<string> => (await addMember(t.app, A.setup, "viewer")).userId;
const freshKey = async (): Promise<string> => (await createApiKey(t.app, A.setup, "read")).id;
const runInput = () => ({ terms: [{ mean: 1, sd: 1 }], samples: 100, seed: ++serial });
const queuedRun = async (owner = A.setup): Promise<string> =>
  (await setupCall(owner, "POST", `/api/v1/models/${MODEL}/runs?cache=false`, { input: runInput() })).id;
const freshScenario = async (owner = A.setup, projectId = A.projectId): Promise<string> =>
  (
    await setupCall(owner, "POST", `/api/v1/projects/${projectId}/scenarios`, {
      name: `Matrix scenario ${++serial}`,
      modelId: MODEL,
      input: runInput(),
    })
  ).id;
const scenarioDocument = () => ({
  format: "modelworks.scenario/v1",
  modelId: MODEL,
  modelVersion: "1.0.0",
  name: `Matrix import ${++serial}`,
  description: "",
  input: runInput(),
  exportedAt: "2026-01-01T00:00:00.000Z",
});
const freshSweep = async (owner = A.setup): Promise<string> =>
  (
    await setupCall(owner, "POST", `/api/v1/models/${MODEL}/sweeps?cache=false`, {
      input: runInput(),
      parameters: [{ path: "seed", values: [++serial, ++serial] }],
    })
  ).id;
const freshShareLink = async (owner: Owner, runId: string): Promise<{ id: string; token: string }> =>
  setupCall(owner, "POST", `/api/v1/runs/${runId}/share-links`, { label: `Matrix link ${++serial}` });
/** A CSV of the test model's `terms` table, different each time (so never deduplicated). */
const termsCsv = () => multipart(`terms-${++serial}.csv`, `mean,sd\n${serial},0.5\n2,1\n`);
async function freshFile(owner = A.setup): Promise<string> {
  const body = termsCsv();
  const res = await request(t.app, owner, {
    method: "POST",
    url: "/api/v1/files",
    payload: body.payload,
    headers: { ...body.headers, "x-organization-id": owner.orgId },
  });
  if (res.statusCode !== 201) throw new Error(`setup upload: ${res.statusCode} ${res.body}`);
  return res.json().id;
}
/** An upload session with its first byte in; `whole` sends the rest too, ready to complete. */
async function freshUpload(owner = A.setup, whole = false): Promise<string> {
  const csv = Buffer.from(`mean,sd\n${++serial},0.5\n2,1\n`);
  const { id } = await setupCall(owner, "POST", "/api/v1/uploads", {
    name: "terms.csv",
    sizeBytes: csv.length,
  });
  const res = await request(t.app, owner, {
    method: "PATCH",
    url: `/api/v1/uploads/${id}`,
    payload: whole ? csv : csv.subarray(0, 1),
    headers: {
      "x-organization-id": owner.orgId,
      "content-type": "application/offset+octet-stream",
      "upload-offset": "0",
    },
  });
  if (res.statusCode !== 204) throw new Error(`setup chunk: ${res.statusCode} ${res.body}`);
  return id;
}
const mappingBody = () => ({
  name: `Matrix mapping ${++serial}`,
  modelId: MODEL,
  field: "terms",
  columns: [
    { target: "mean", source: "mean", cast: "number" },
    { target: "sd", source: "sd", cast: "number" },
  ],
});
const llmProviderBody = () => ({
  provider: "openai",
  baseUrl: fakeLlm.url,
  models: { default: "gpt-4o-mini" },
  apiKey: `sk-matrix-${++serial}-abcd`,
});
const powerBiBody = () => ({
  tenantId: PBI_APP.tenantId,
  clientId: PBI_APP.clientId,
  groupId: PBI_APP.groups[0],
  clientSecret: PBI_APP.clientSecret,
});
/** Sets (or resets) an organization's Power BI connection: DELETE takes it away between calls. */
const powerBiConnected = async (owner = A.setup): Promise<void> =>
  void (await setupCall(owner, "PUT", "/api/v1/org/powerbi", powerBiBody()));
const freshLlmProvider = async (owner = A.setup): Promise<string> =>
  (await setupCall(owner, "POST", "/api/v1/org/llm/providers", llmProviderBody())).id;
// Disabled unless asked: "fetch now" refuses a paused source. The matrix's app runs no ingestion
// (buildApp registers no background tasks), so an enabled one is never fetched.
const freshSource = async (owner = A.setup, enabled = false): Promise<string> =>
  (
    await setupCall(owner, "POST", "/api/v1/content/sources", {
      name: `Matrix source ${++serial}`,
      url: `https://matrix-${serial}.example/feed`,
      credibility: 0.5,
      enabled,
    })
  ).id;
const postBody = (externalId?: string) => ({
  variantKind: "analytical",
  text: `Matrix post ${++serial}`,
  publishedAt: "2026-11-01T09:00:00.000Z",
  ...(externalId ? { externalId } : {}),
});
const scheduledPublication = () => ({
  variantKind: "analytical",
  text: `Matrix publication ${++serial}`,
  scheduledAt: new Date(Date.now() + 24 * 3600_000).toISOString(),
});
/** A fresh person's callback query: they start connecting and LinkedIn's (fake) member consents. */
async function linkedinCallback(): Promise<Call> {
  const person = await createOwner(t.app, `LinkedIn ${++serial}`);
  const { authorizeUrl } = await setupCall(person, "POST", "/api/v1/content/linkedin/connect");
  const back = new URL((await fetch(authorizeUrl, { redirect: "manual" })).headers.get("location")!);
  return {
    as: person,
    query: `?code=${back.searchParams.get("code")}&state=${back.searchParams.get("state")}`,
  };
}
const freshPost = async (owner: Owner, externalId?: string): Promise<string> =>
  (await setupCall(owner, "POST", "/api/v1/content/posts", postBody(externalId))).id;
const ANALYTICS_COLUMNS = [
  { target: "POST", source: "Post" },
  { target: "IMPRESSIONS", source: "Impressions", cast: "integer" },
  { target: "REACTIONS", source: "Reactions", cast: "integer" },
  { target: "COMMENTS", source: "Comments", cast: "integer" },
  { target: "REPOSTS", source: "Reposts", cast: "integer" },
];
/** A LinkedIn analytics export naming the post recorded with `postId` (by its URN). */
async function analyticsFile(owner: Owner, postId: string): Promise<string> {
  const { externalId } = await setupCall(owner, "GET", `/api/v1/content/posts/${postId}`);
  const body = multipart(
    `linkedin-${++serial}.csv`,
    `Post,Impressions,Reactions,Comments,Reposts\n${externalId},${100 + serial},3,1,0\n`,
  );
  const res = await request(t.app, owner, {
    method: "POST",
    url: "/api/v1/files",
    payload: body.payload,
    headers: { ...body.headers, "x-organization-id": owner.orgId },
  });
  if (res.statusCode !== 201) throw new Error(`setup analytics upload: ${res.statusCode} ${res.body}`);
  return res.json().id;
}
const freshMapping = async (owner = A.setup): Promise<string> =>
  (await setupCall(owner, "POST", "/api/v1/field-mappings", mappingBody())).id;

/** A small table the dashboard planner plans from; `serial` keeps each upload distinct. */
async function salesFile(owner: Owner): Promise<string> {
  const rows = ["North", "South", "East", "West"].map(
    (r, i) => `${r},${i + 1 + (serial % 7)},${(i + 2) * 10}`,
  );
  const body = multipart(`sales-${++serial}.csv`, `region,units,revenue\n${rows.join("\n")}\n`);
  const res = await request(t.app, owner, {
    method: "POST",
    url: "/api/v1/files",
    payload: body.payload,
    headers: { ...body.headers, "x-organization-id": owner.orgId },
  });
  // 200: the same bytes were uploaded before (deduplicated), which serves as well.
  if (res.statusCode >= 300) throw new Error(`setup upload: ${res.statusCode} ${res.body}`);
  return res.json().id;
}

/**
 * A conversation with `revisions` plan revisions, each from a message with a new file (so each is a
 * fresh plan made from the one before). The matrix runs no worker: each message's run is executed
 * here with the engine, as a worker would, and written back; reading the conversation settles it.
 */
async function plannedConversation(owner: Owner, projectId = A.projectId, revisions = 1): Promise<string> {
  const { id } = await setupCall(owner, "POST", `/api/v1/projects/${projectId}/conversations`, {
    title: `Matrix conversation ${++serial}`,
  });
  for (let i = 0; i < revisions; i++) {
    const posted = await setupCall(owner, "POST", `/api/v1/conversations/${id}/messages`, {
      content: "units by region",
      fileIds: [await salesFile(owner)],
      planner: "built-in",
    });
    const [run] = await t.database.db.select().from(runs).where(eq(runs.id, posted.runId));
    const output = await executeModel(dashboardPlanner, run!.input, createContext());
    await t.database.db
      .update(runs)
      .set({ status: "succeeded", progress: 1, output, startedAt: new Date(), finishedAt: new Date() })
      .where(eq(runs.id, posted.runId));
    const c = await setupCall(owner, "GET", `/api/v1/conversations/${id}`);
    if (c.currentRevision !== i + 1) throw new Error(`setup conversation: revision ${c.currentRevision}`);
  }
  return id;
}
const conversationUrl = (id: string) => ({ params: { id } });

/** A conversation at plan revision 1, its first visual, and the first free row below its tiles. */
async function editableConversation() {
  const id = await plannedConversation(A.setup);
  const { plan } = await setupCall(A.setup, "GET", `/api/v1/conversations/${id}/plan-revisions/1`);
  const page = plan.pages[0] as {
    visuals: {
      id: string;
      kind: string;
      bindings: unknown[];
      sort?: unknown;
      topN?: unknown;
      layout: { y: number; h: number };
    }[];
    slicers: { layout: { y: number; h: number } }[];
  };
  const bottom = Math.max(...[...page.visuals, ...page.slicers].map((x) => x.layout.y + x.layout.h));
  return { id, visual: page.visuals[0]!, bottom };
}
const revisionOf = (id: string, revision = "2") => ({ params: { id, revision } });

/** The matrix runs no worker, so a comparable (succeeded) run is written directly. */
async function succeededRun(orgId: string): Promise<string> {
  const [row] = await t.database.db
    .insert(runs)
    .values({
      orgId,
      modelId: MODEL,
      modelVersion: "1.0.0",
      input: runInput(),
      inputHash: `matrix-${++serial}`,
      status: "succeeded",
      progress: 1,
      output: { mean: serial, histogram: [] },
      timeoutMs: 1000,
      startedAt: new Date(),
      finishedAt: new Date(),
    })
    .returning();
  return row!.id;
}
/**
 * A succeeded response-model fit, written directly (no worker) with a real artifact: the engine
 * fits the bundled sample once, small (3 folds, 10 lambdas), and every fit row shares its output.
 */
let fitOutput: Promise<{ artifact: Record<string, unknown> }> | null = null;
/** A finished content-intel run as stored: one analytical draft citing one item. */
async function storedContentRun(orgId: string): Promise<string> {
  const item = {
    id: "matrix-item",
    title: "Matrix",
    url: "https://matrix.example/a",
    sourceId: "s",
    sourceName: "Matrix",
    domains: ["tech"],
    credibility: 0.7,
    publishedAt: "2026-01-01T00:00:00.000Z",
    text: "Lending grew 12% in 2025.",
  };
  const [row] = await t.database.db
    .insert(runs)
    .values({
      orgId,
      modelId: "content-intel",
      modelVersion: "1.0.0",
      input: { topic: "matrix lending", items: [item] },
      inputHash: `matrix-content-${++serial}`,
      status: "succeeded",
      progress: 1,
      output: {
        analysis: { text: "matrix lending", domains: ["finance"] },
        variants: [{ kind: "analytical", text: "Lending grew 12%.", citations: [{ itemId: item.id }] }],
      },
      timeoutMs: 1000,
      startedAt: new Date(),
      finishedAt: new Date(),
    })
    .returning();
  return row!.id;
}
async function succeededFit(orgId: string): Promise<string> {
  fitOutput ??= executeModel(
    responseModel,
    { sampleData: "campaigniq", target: "TARGET", folds: 3, lambdaCount: 10, selectionMaxSteps: 0 },
    createContext(),
  ) as Promise<{ artifact: Record<string, unknown> }>;
  const output = await fitOutput;
  const [row] = await t.database.db
    .insert(runs)
    .values({
      orgId,
      modelId: responseModel.id,
      modelVersion: responseModel.version,
      input: { sampleData: "campaigniq", target: "TARGET" },
      inputHash: `matrix-fit-${++serial}`,
      status: "succeeded",
      progress: 1,
      output: { artifact: output.artifact },
      timeoutMs: 1000,
      startedAt: new Date(),
      finishedAt: new Date(),
    })
    .returning();
  return row!.id;
}
/** A model artifact of that fit, in a given state (drafts are approved and retired by the matrix). */
async function freshArtifact(orgId: string, state: "draft" | "approved" = "draft"): Promise<string> {
  const artifact = (await fitOutput!).artifact as { dataFingerprint: string };
  const [row] = await t.database.db
    .insert(modelArtifacts)
    .values({
      orgId,
      name: `Matrix model ${++serial}`,
      version: 1,
      state,
      modelId: responseModel.id,
      modelVersion: responseModel.version,
      sourceRunId: orgId === A.setup.orgId ? A.fitRunId : B.fitRunId,
      dataFingerprint: artifact.dataFingerprint,
      artifact,
      gatePass: true,
    })
    .returning();
  return row!.id;
}
async function finishedRun(owner = A.setup): Promise<string> {
  const id = await queuedRun(owner);
  await setupCall(owner, "POST", `/api/v1/runs/${id}/cancel`);
  return id;
}

/**
 * A stand-in for a caller whose org an operation would destroy: a second session of the same user
 * (or a key of the same scope) in a new, disposable organization where they hold the same role.
 */
async function sameCallerInDisposableOrg(c: Caller): Promise<Actor | string> {
  const owner = await createOwner(t.app, "Disposable");
  if (c.scope) return (await createApiKey(t.app, owner, c.scope)).key;
  const actor = c.as as Actor;
  const { token } = await setupCall(owner, "POST", "/api/v1/org/invitations", {
    email: actor.email,
    role: c.role,
  });
  const session = await signIn(t.app, actor.email);
  const accepted = await request(t.app, session, {
    method: "POST",
    url: "/api/v1/invitations/accept",
    payload: { token },
  });
  if (accepted.statusCode !== 200) throw new Error(`accept: ${accepted.statusCode} ${accepted.body}`);
  return session; // its active organization is now the disposable one
}

/* ------------------------------------------------------------------------------------------- */
/* A valid request for each operation, as a given caller. Destructive operations get a fresh    */
/* target in A; `as` replaces the caller where the call would spend its session, password or org. */

interface Call {
  params?: Record<string, string>;
  query?: string;
  body?: unknown;
  headers?: Record<string, string>;
  as?: Actor | string;
}
const none = async (): Promise<Call> => ({});

const VALID: Record<string, (c: Caller) => Promise<Call>> = {
  "GET /health": none,
  "GET /ready": none,
  "POST /api/v1/auth/sign-up": async () => ({
    body: { email: uniqueEmail("signup"), password: PASSWORD, name: "New" },
  }),
  "POST /api/v1/auth/sign-in": async () => ({ body: { email: A.setup.email, password: PASSWORD } }),
  "POST /api/v1/auth/verify-email": async () => {
    const email = uniqueEmail("verify");
    const since = mailOf(t.app).messages.length;
    await requestSignUp(t.app, email);
    const token = verifyTokenIn(await mailOf(t.app).waitFor(email, { since }));
    return { body: { token, password: PASSWORD } };
  },
  "POST /api/v1/auth/resend-verification": async () => ({ body: { email: uniqueEmail("resend") } }),
  "POST /api/v1/auth/sign-out": async (c) =>
    c.scope ? {} : { as: await signIn(t.app, (c.as as Actor).email) },
  "POST /api/v1/auth/password": async (c) => ({
    ...(c.scope ? {} : { as: await signUp(t.app) }),
    body: { currentPassword: PASSWORD, newPassword: "a different passphrase" },
  }),
  "GET /api/v1/session": none,
  "POST /api/v1/session/external-identity": async (c) => {
    if (c.scope) return { body: { token: "not.a.token" } };
    // A fresh, verified password account links a token of its own email.
    const person = await signUp(t.app);
    await t.database.db.update(users).set({ emailVerifiedAt: new Date() }).where(eq(users.id, person.userId));
    return { as: person, body: { token: await jwtFor({ email: person.email, sub: `link-${++serial}` }) } };
  },
  "DELETE /api/v1/session/account": async (c) => ({
    ...(c.scope ? {} : { as: await signUp(t.app) }),
    body: { password: PASSWORD },
  }),
  "GET /api/v1/org/retention": none,
  "PUT /api/v1/org/retention": async () => ({
    body: { filesDays: 30, runsDays: null, expiredShareLinksDays: 30 },
  }),
  "GET /api/v1/org/export": none,
  "PUT /api/v1/session/organization": async () => ({ body: { orgId: A.setup.orgId } }),
  "GET /api/v1/orgs": none,
  "POST /api/v1/orgs": async () => ({ body: { name: "Made by the matrix" } }),
  "POST /api/v1/invitations/accept": async (c) => {
    if (c.scope) return { body: { token: "mwi_not-a-real-token" } };
    const email = uniqueEmail("accepter");
    const { token } = await setupCall(A.setup, "POST", "/api/v1/org/invitations", { email });
    return { as: await signUp(t.app, email), body: { token } };
  },
  "GET /api/v1/org": none,
  "PATCH /api/v1/org": async () => ({ body: { name: "Org A" } }),
  "DELETE /api/v1/org": async (c) => ({ as: await sameCallerInDisposableOrg(c) }),
  "GET /api/v1/org/members": none,
  "PATCH /api/v1/org/members/{userId}": async () => ({
    params: { userId: await freshMember() },
    body: { role: "analyst" },
  }),
  "DELETE /api/v1/org/members/{userId}": async () => ({ params: { userId: await freshMember() } }),
  "POST /api/v1/org/invitations": async () => ({ body: { email: uniqueEmail("invitee"), role: "viewer" } }),
  "GET /api/v1/org/invitations": none,
  "DELETE /api/v1/org/invitations/{id}": async () => ({ params: { id: await freshInvitation() } }),
  "POST /api/v1/org/api-keys": async () => ({ body: { name: "Matrix key", scope: "read" } }),
  "GET /api/v1/org/api-keys": none,
  "DELETE /api/v1/org/api-keys/{id}": async () => ({ params: { id: await freshKey() } }),
  "GET /api/v1/org/audit-events": none,
  "GET /api/v1/projects": none,
  "POST /api/v1/projects": async () => ({ body: { name: `Matrix project ${++serial}` } }),
  "GET /api/v1/projects/{id}": async () => ({ params: { id: A.projectId } }),
  "PATCH /api/v1/projects/{id}": async () => ({
    params: { id: A.projectId },
    body: { description: "touched by the matrix" },
  }),
  "DELETE /api/v1/projects/{id}": async () => ({ params: { id: await freshProject() } }),
  "GET /api/v1/models": none,
  "GET /api/v1/reference-data": none,
  "GET /api/v1/problems": none,
  "GET /api/v1/problems/{code}": async () => ({ params: { code: "not_found" } }),
  "GET /api/v1/models/{id}": async () => ({ params: { id: MODEL } }),
  "POST /api/v1/models/{id}/runs": async () => ({
    params: { id: MODEL },
    query: "?cache=false",
    body: { input: runInput(), projectId: A.projectId },
  }),
  "GET /api/v1/runs": none,
  "GET /api/v1/runs/{id}": async () => ({ params: { id: A.runId } }),
  "GET /api/v1/runs/{id}/events": async () => ({ params: { id: A.runId } }),
  "GET /api/v1/runs/{id}/output": async () => ({ params: { id: A.succeededRunIds[0] } }),
  "POST /api/v1/runs/{id}/cancel": async () => ({ params: { id: await queuedRun() } }),
  "DELETE /api/v1/runs/{id}": async () => ({ params: { id: await finishedRun() } }),
  "GET /api/v1/projects/{projectId}/scenarios": async () => ({ params: { projectId: A.projectId } }),
  "POST /api/v1/projects/{projectId}/scenarios": async () => ({
    params: { projectId: A.projectId },
    body: { name: `Matrix scenario ${++serial}`, modelId: MODEL, input: runInput() },
  }),
  "POST /api/v1/projects/{projectId}/scenarios/import": async () => ({
    params: { projectId: A.projectId },
    body: scenarioDocument(),
  }),
  "GET /api/v1/scenarios/{id}": async () => ({ params: { id: A.scenarioId } }),
  "PATCH /api/v1/scenarios/{id}": async () => ({
    params: { id: A.scenarioId },
    body: { description: "touched by the matrix" },
  }),
  "DELETE /api/v1/scenarios/{id}": async () => ({ params: { id: await freshScenario() } }),
  "GET /api/v1/scenarios/{id}/revisions": async () => ({ params: { id: A.scenarioId } }),
  "GET /api/v1/scenarios/{id}/revisions/{revision}": async () => ({
    params: { id: A.scenarioId, revision: "1" },
  }),
  "GET /api/v1/scenarios/{id}/diff": async () => ({ params: { id: A.scenarioId }, query: "?from=1&to=1" }),
  "GET /api/v1/scenarios/{id}/export": async () => ({ params: { id: A.scenarioId } }),
  "POST /api/v1/scenarios/{id}/duplicate": async () => ({
    params: { id: A.scenarioId },
    body: { name: `Matrix copy ${++serial}` },
  }),
  "POST /api/v1/compare": async () => ({ body: { runIds: A.succeededRunIds } }),
  "POST /api/v1/models/{id}/sweeps": async () => ({
    params: { id: MODEL },
    query: "?cache=false",
    body: { input: runInput(), projectId: A.projectId, parameters: [{ path: "seed", values: [++serial] }] },
  }),
  "GET /api/v1/sweeps": none,
  "GET /api/v1/sweeps/{id}": async () => ({ params: { id: A.sweepId } }),
  "POST /api/v1/sweeps/{id}/cancel": async () => ({ params: { id: await freshSweep() } }),
  "GET /api/v1/runs/{id}/export": async () => ({
    params: { id: A.succeededRunIds[0] },
    query: "?format=xlsx",
  }),
  "POST /api/v1/runs/{id}/share-links": async () => ({
    params: { id: A.succeededRunIds[0] },
    body: { expiresInHours: 1 },
  }),
  "GET /api/v1/share-links": none,
  "DELETE /api/v1/share-links/{id}": async () => ({
    params: { id: (await freshShareLink(A.setup, A.succeededRunIds[1])).id },
  }),
  "GET /api/v1/shared/{token}": async () => ({ params: { token: A.shareToken } }),
  "GET /api/v1/shared/{token}/export": async () => ({
    params: { token: A.shareToken },
    query: "?format=csv",
  }),
  "POST /api/v1/files": async () => {
    const { payload, headers } = termsCsv();
    return { body: payload, headers };
  },
  "GET /api/v1/files": none,
  "GET /api/v1/files/{id}": async () => ({ params: { id: A.fileId } }),
  "GET /api/v1/files/{id}/profile": async () => ({ params: { id: A.fileId } }),
  "GET /api/v1/files/{id}/rows": async () => ({ params: { id: A.fileId }, query: "?limit=1" }),
  "DELETE /api/v1/files/{id}": async () => ({ params: { id: await freshFile() } }),
  "POST /api/v1/files/{id}/mapping-suggestions": async () => ({
    params: { id: A.fileId },
    body: { modelId: MODEL, field: "terms" },
  }),
  "POST /api/v1/files/{id}/map": async () => ({
    params: { id: A.fileId },
    body: { modelId: MODEL, field: "terms", mappingId: A.mappingId },
  }),
  "POST /api/v1/uploads": async () => ({ body: { name: "matrix.csv", sizeBytes: 10 } }),
  "GET /api/v1/uploads": none,
  "GET /api/v1/uploads/{id}": async () => ({ params: { id: A.uploadId } }),
  "PATCH /api/v1/uploads/{id}": async () => ({
    params: { id: await freshUpload() },
    body: Buffer.from(",sd\n"),
    headers: { "content-type": "application/offset+octet-stream", "upload-offset": "1" },
  }),
  "POST /api/v1/uploads/{id}/complete": async () => ({ params: { id: await freshUpload(A.setup, true) } }),
  "DELETE /api/v1/uploads/{id}": async () => ({ params: { id: await freshUpload() } }),
  "GET /api/v1/models/{id}/templates/{field}": async () => ({ params: { id: MODEL, field: "terms.csv" } }),
  "GET /api/v1/standard-schemas": none,
  "GET /api/v1/standard-schemas/{name}/template.csv": async () => ({ params: { name: "customer-response" } }),
  "POST /api/v1/field-mappings": async () => ({ body: mappingBody() }),
  "GET /api/v1/field-mappings": none,
  "GET /api/v1/field-mappings/{id}": async () => ({ params: { id: A.mappingId } }),
  "PATCH /api/v1/field-mappings/{id}": async () => ({
    params: { id: A.mappingId },
    body: { columns: mappingBody().columns },
  }),
  "DELETE /api/v1/field-mappings/{id}": async () => ({ params: { id: await freshMapping() } }),
  "GET /api/v1/org/llm/status": none,
  "GET /api/v1/org/llm/providers": none,
  "POST /api/v1/org/llm/providers": async () => ({ body: llmProviderBody() }),
  "POST /api/v1/org/llm/providers/{id}/test": async () => ({ params: { id: A.llmProviderId } }),
  "DELETE /api/v1/org/llm/providers/{id}": async () => ({ params: { id: await freshLlmProvider() } }),
  "GET /api/v1/org/llm/settings": none,
  "PUT /api/v1/org/llm/settings": async () => ({
    body: { monthlyBudgetUsd: null, storeBodies: false, prices: {} },
  }),
  "GET /api/v1/org/llm/usage": none,
  "GET /api/v1/org/powerbi": none,
  "PUT /api/v1/org/powerbi": async () => ({ body: powerBiBody() }),
  "DELETE /api/v1/org/powerbi": async () => {
    await powerBiConnected();
    return {};
  },
  "POST /api/v1/org/powerbi/test": async () => {
    await powerBiConnected();
    return {};
  },
  "POST /api/v1/conversations/{id}/plan-revisions/{revision}/powerbi-publish": async () => {
    await powerBiConnected();
    return revisionOf(A.conversationId);
  },
  "POST /api/v1/content/sources": async () => ({
    body: {
      name: `Matrix source ${++serial}`,
      url: `https://matrix-${serial}.example/feed`,
      credibility: 0.5,
    },
  }),
  "POST /api/v1/content/sources/import": async () => ({
    body: {
      yaml: `standard_sources:\n  - name: Matrix ${++serial}\n    rss_url: https://matrix-yaml-${serial}.example/feed\n    credibility: 0.7\n`,
    },
  }),
  "GET /api/v1/content/sources": none,
  "GET /api/v1/content/sources/{id}": async () => ({ params: { id: A.sourceId } }),
  "PATCH /api/v1/content/sources/{id}": async () => ({
    params: { id: A.sourceId },
    body: { credibility: 0.6 },
  }),
  "DELETE /api/v1/content/sources/{id}": async () => ({ params: { id: await freshSource() } }),
  "GET /api/v1/content/sources/{id}/fetches": async () => ({ params: { id: A.sourceId } }),
  "POST /api/v1/content/sources/{id}/fetch": async () => ({
    params: { id: await freshSource(A.setup, true) },
  }),
  "GET /api/v1/content/runs": none,
  "GET /api/v1/content/analytics": none,
  "GET /api/v1/content/items": async () => ({ query: "?q=matrix" }),
  "POST /api/v1/content/runs": async () => ({
    query: "?cache=false",
    body: { topic: `AI regulation ${++serial}` },
  }),
  "POST /api/v1/content/posts": async () => ({ body: postBody() }),
  "GET /api/v1/content/posts": none,
  "GET /api/v1/content/posts/{id}": async () => ({ params: { id: A.postId } }),
  "POST /api/v1/content/feedback": async () => ({
    body: { postId: A.postId, impressions: 100, reactions: 2, comments: 1, reposts: 0 },
  }),
  "POST /api/v1/content/feedback/import": async () => ({
    body: { fileId: A.analyticsFileId, columns: ANALYTICS_COLUMNS },
  }),
  "POST /api/v1/content/linkedin/connect": none,
  "GET /api/v1/content/linkedin/callback": async (c) =>
    c.scope ? { query: "?code=not-a-code&state=not-a-state" } : linkedinCallback(),
  "GET /api/v1/content/linkedin": none,
  "DELETE /api/v1/content/linkedin": none,
  "POST /api/v1/content/drafts/check": async () => ({
    body: { runId: A.contentRunId, variantKind: "analytical", text: "Lending grew 12%." },
  }),
  "POST /api/v1/content/linkedin/publications": async () => ({ body: scheduledPublication() }),
  "GET /api/v1/content/linkedin/publications": none,
  "POST /api/v1/content/linkedin/publications/{id}/cancel": async (c) => {
    // The caller's own scheduled publication (cancelling is only for its author); made as the
    // caller, so a caller below the role gets no id of theirs and the 403 comes first anyway.
    const made = await request(t.app, c.as, {
      method: "POST",
      url: "/api/v1/content/linkedin/publications",
      payload: scheduledPublication(),
    });
    return { params: { id: made.statusCode === 202 ? made.json().id : randomUUID() } };
  },
  "GET /api/v1/files/{id}/download": async () => ({ params: { id: A.fileId } }),
  "POST /api/v1/model-artifacts": async () => ({ body: { runId: A.fitRunId, name: `Matrix ${++serial}` } }),
  "GET /api/v1/model-artifacts": none,
  "GET /api/v1/model-artifacts/{id}": async () => ({ params: { id: A.artifactId } }),
  "POST /api/v1/model-artifacts/{id}/approve": async () => ({
    params: { id: await freshArtifact(A.setup.orgId) },
    body: {},
  }),
  "POST /api/v1/model-artifacts/{id}/retire": async () => ({
    params: { id: await freshArtifact(A.setup.orgId) },
  }),
  "GET /api/v1/model-artifacts/{id}/download": async () => ({ params: { id: A.artifactId } }),
  "GET /api/v1/model-artifacts/{id}/sql": async () => ({
    params: { id: A.artifactId },
    query: "?dialect=duckdb",
  }),
  "POST /api/v1/model-artifacts/{id}/scoring-runs": async () => ({
    params: { id: A.artifactId },
    body: { fileId: A.fileId },
  }),
  "POST /api/v1/projects/{projectId}/conversations": async () => ({
    params: { projectId: A.projectId },
    body: { title: `Matrix chat ${++serial}` },
  }),
  "GET /api/v1/projects/{projectId}/conversations": async () => ({ params: { projectId: A.projectId } }),
  "GET /api/v1/conversations/{id}": async () => conversationUrl(A.conversationId),
  "GET /api/v1/conversations/{id}/powerbi-publishes": async () => conversationUrl(A.conversationId),
  "POST /api/v1/conversations/{id}/share-links": async () => ({
    ...conversationUrl(A.conversationId),
    body: { label: `Matrix dashboard link ${++serial}` },
  }),
  "GET /api/v1/shared/{token}/dashboard": async () => ({ params: { token: A.dashboardToken } }),
  "GET /api/v1/dashboard-plans/visual-edit-schema": none,
  "POST /api/v1/shared/{token}/dashboard/query": async () => ({
    params: { token: A.dashboardToken },
    body: {},
  }),
  "POST /api/v1/shared/{token}/dashboard/slicers/{slicerId}/values": async () => ({
    params: { token: A.dashboardToken, slicerId: "slicer-region" },
    body: {},
  }),
  "GET /api/v1/shared/{token}/dashboard/export": async () => ({
    params: { token: A.dashboardToken },
    query: "?format=png",
  }),
  "PATCH /api/v1/conversations/{id}": async () => ({
    ...conversationUrl(A.conversationId),
    body: { title: `Renamed ${++serial}` },
  }),
  "DELETE /api/v1/conversations/{id}": async () => conversationUrl(await plannedConversation(A.setup)),
  // One reply at a time per conversation: each call gets a conversation of its own.
  "POST /api/v1/conversations/{id}/messages": async () => ({
    params: {
      id: (await setupCall(A.setup, "POST", `/api/v1/projects/${A.projectId}/conversations`, {})).id,
    },
    body: { content: "units by region", fileIds: [await salesFile(A.setup)], planner: "built-in" },
  }),
  "GET /api/v1/conversations/{id}/plan-revisions": async () => conversationUrl(A.conversationId),
  "GET /api/v1/conversations/{id}/plan-revisions/{revision}": async () => revisionOf(A.conversationId),
  "GET /api/v1/conversations/{id}/plan-revisions/{revision}/diff": async () => ({
    ...revisionOf(A.conversationId),
    query: "?against=1",
  }),
  "POST /api/v1/conversations/{id}/undo": async () =>
    conversationUrl(await plannedConversation(A.setup, A.projectId, 2)),
  // A fresh conversation each time: a replaced file is no longer attached.
  "POST /api/v1/conversations/{id}/files/{fileId}/replace": async () => {
    const id = await plannedConversation(A.setup);
    const c = await setupCall(A.setup, "GET", `/api/v1/conversations/${id}`);
    return { params: { id, fileId: c.files[0].fileId }, body: { fileId: await salesFile(A.setup) } };
  },
  "POST /api/v1/conversations/{id}/plan-revisions/{revision}/query": async () => ({
    ...revisionOf(A.conversationId),
    body: {},
  }),
  "POST /api/v1/conversations/{id}/plan-revisions/{revision}/slicers/{slicerId}/values": async () => ({
    params: { ...revisionOf(A.conversationId).params, slicerId: "slicer-region" },
    body: {},
  }),
  "GET /api/v1/conversations/{id}/plan-revisions/{revision}/powerbi": async () =>
    revisionOf(A.conversationId),
  "GET /api/v1/conversations/{id}/plan-revisions/{revision}/export": async () => ({
    ...revisionOf(A.conversationId),
    query: "?format=png",
  }),
  // Each edit makes the next revision: each call edits a conversation of its own.
  "POST /api/v1/conversations/{id}/layout": async () => {
    const { id, visual, bottom } = await editableConversation();
    return {
      params: { id },
      body: { baseRevision: 1, tiles: [{ id: visual.id, x: 0, y: bottom, w: 1, h: 1 }] },
    };
  },
  "PUT /api/v1/conversations/{id}/visuals/{visualId}": async () => {
    const { id, visual } = await editableConversation();
    const { kind, bindings, sort, topN } = visual;
    return {
      params: { id, visualId: visual.id },
      body: { baseRevision: 1, visual: { kind, bindings, sort, topN, title: `Edited ${++serial}` } },
    };
  },
};

/** The valid request turned on B: each org-scoped operation that names a resource names B's. */
const FOREIGN: Record<string, (valid: Call) => Call> = {
  "PATCH /api/v1/org/members/{userId}": (v) => ({ ...v, params: { userId: B.memberId } }),
  "DELETE /api/v1/org/members/{userId}": (v) => ({ ...v, params: { userId: B.memberId } }),
  "DELETE /api/v1/org/invitations/{id}": (v) => ({ ...v, params: { id: B.invitationId } }),
  "DELETE /api/v1/org/api-keys/{id}": (v) => ({ ...v, params: { id: B.keyId } }),
  "GET /api/v1/projects/{id}": (v) => ({ ...v, params: { id: B.projectId } }),
  "POST /api/v1/projects/{projectId}/conversations": (v) => ({ ...v, params: { projectId: B.projectId } }),
  "GET /api/v1/projects/{projectId}/conversations": (v) => ({ ...v, params: { projectId: B.projectId } }),
  "GET /api/v1/conversations/{id}": (v) => ({ ...v, params: { id: B.conversationId } }),
  "GET /api/v1/conversations/{id}/powerbi-publishes": (v) => ({ ...v, params: { id: B.conversationId } }),
  "POST /api/v1/conversations/{id}/share-links": (v) => ({ ...v, params: { id: B.conversationId } }),
  "PATCH /api/v1/conversations/{id}": (v) => ({ ...v, params: { id: B.conversationId } }),
  "DELETE /api/v1/conversations/{id}": (v) => ({ ...v, params: { id: B.conversationId } }),
  "POST /api/v1/conversations/{id}/messages": (v) => ({ ...v, params: { id: B.conversationId } }),
  "GET /api/v1/conversations/{id}/plan-revisions": (v) => ({ ...v, params: { id: B.conversationId } }),
  "GET /api/v1/conversations/{id}/plan-revisions/{revision}": (v) => ({
    ...v,
    params: { id: B.conversationId, revision: "2" },
  }),
  "GET /api/v1/conversations/{id}/plan-revisions/{revision}/diff": (v) => ({
    ...v,
    params: { id: B.conversationId, revision: "2" },
  }),
  "POST /api/v1/conversations/{id}/undo": (v) => ({ ...v, params: { id: B.conversationId } }),
  "POST /api/v1/conversations/{id}/plan-revisions/{revision}/powerbi-publish": (v) => ({
    ...v,
    params: { id: B.conversationId, revision: "2" },
  }),
  "POST /api/v1/conversations/{id}/files/{fileId}/replace": (v) => ({
    ...v,
    params: { ...(v.params as Record<string, string>), id: B.conversationId },
  }),
  "POST /api/v1/conversations/{id}/plan-revisions/{revision}/query": (v) => ({
    ...v,
    params: { id: B.conversationId, revision: "2" },
  }),
  "GET /api/v1/conversations/{id}/plan-revisions/{revision}/powerbi": (v) => ({
    ...v,
    params: { id: B.conversationId, revision: "2" },
  }),
  "POST /api/v1/conversations/{id}/layout": (v) => ({ ...v, params: { id: B.conversationId } }),
  "GET /api/v1/conversations/{id}/plan-revisions/{revision}/export": (v) => ({
    ...v,
    params: { id: B.conversationId, revision: "2" },
  }),
  "PUT /api/v1/conversations/{id}/visuals/{visualId}": (v) => ({
    ...v,
    params: { id: B.conversationId, visualId: v.params!.visualId! },
  }),
  "POST /api/v1/conversations/{id}/plan-revisions/{revision}/slicers/{slicerId}/values": (v) => ({
    ...v,
    params: { id: B.conversationId, revision: "2", slicerId: "slicer-region" },
  }),
  "PATCH /api/v1/projects/{id}": (v) => ({ ...v, params: { id: B.projectId } }),
  "DELETE /api/v1/projects/{id}": (v) => ({ ...v, params: { id: B.projectId } }),
  "POST /api/v1/models/{id}/runs": (v) => ({ ...v, body: { ...(v.body as object), projectId: B.projectId } }),
  "GET /api/v1/runs/{id}": (v) => ({ ...v, params: { id: B.runId } }),
  "GET /api/v1/runs/{id}/events": (v) => ({ ...v, params: { id: B.runId } }),
  "GET /api/v1/runs/{id}/output": (v) => ({ ...v, params: { id: B.succeededRunIds[0] } }),
  "POST /api/v1/runs/{id}/cancel": (v) => ({ ...v, params: { id: B.runId } }),
  "DELETE /api/v1/runs/{id}": (v) => ({ ...v, params: { id: B.runId } }),
  "GET /api/v1/projects/{projectId}/scenarios": (v) => ({ ...v, params: { projectId: B.projectId } }),
  "POST /api/v1/projects/{projectId}/scenarios": (v) => ({ ...v, params: { projectId: B.projectId } }),
  "POST /api/v1/projects/{projectId}/scenarios/import": (v) => ({ ...v, params: { projectId: B.projectId } }),
  "GET /api/v1/scenarios/{id}": (v) => ({ ...v, params: { id: B.scenarioId } }),
  "PATCH /api/v1/scenarios/{id}": (v) => ({ ...v, params: { id: B.scenarioId } }),
  "DELETE /api/v1/scenarios/{id}": (v) => ({ ...v, params: { id: B.scenarioId } }),
  "GET /api/v1/scenarios/{id}/revisions": (v) => ({ ...v, params: { id: B.scenarioId } }),
  "GET /api/v1/scenarios/{id}/revisions/{revision}": (v) => ({
    ...v,
    params: { id: B.scenarioId, revision: "1" },
  }),
  "GET /api/v1/scenarios/{id}/diff": (v) => ({ ...v, params: { id: B.scenarioId } }),
  "GET /api/v1/scenarios/{id}/export": (v) => ({ ...v, params: { id: B.scenarioId } }),
  "POST /api/v1/compare": (v) => ({ ...v, body: { runIds: B.succeededRunIds } }),
  "POST /api/v1/models/{id}/sweeps": (v) => ({
    ...v,
    body: { ...(v.body as object), projectId: B.projectId },
  }),
  "GET /api/v1/sweeps/{id}": (v) => ({ ...v, params: { id: B.sweepId } }),
  "POST /api/v1/sweeps/{id}/cancel": (v) => ({ ...v, params: { id: B.sweepId } }),
  "POST /api/v1/scenarios/{id}/duplicate": (v) => ({ ...v, params: { id: B.scenarioId } }),
  "GET /api/v1/runs/{id}/export": (v) => ({ ...v, params: { id: B.succeededRunIds[0] } }),
  "POST /api/v1/runs/{id}/share-links": (v) => ({ ...v, params: { id: B.succeededRunIds[0] } }),
  "DELETE /api/v1/share-links/{id}": (v) => ({ ...v, params: { id: B.shareLinkId } }),
  "GET /api/v1/files/{id}": (v) => ({ ...v, params: { id: B.fileId } }),
  "GET /api/v1/files/{id}/profile": (v) => ({ ...v, params: { id: B.fileId } }),
  "GET /api/v1/files/{id}/rows": (v) => ({ ...v, params: { id: B.fileId } }),
  "DELETE /api/v1/files/{id}": (v) => ({ ...v, params: { id: B.fileId } }),
  "POST /api/v1/files/{id}/mapping-suggestions": (v) => ({ ...v, params: { id: B.fileId } }),
  "POST /api/v1/files/{id}/map": (v) => ({ ...v, params: { id: B.fileId } }),
  "GET /api/v1/uploads/{id}": (v) => ({ ...v, params: { id: B.uploadId } }),
  "PATCH /api/v1/uploads/{id}": (v) => ({ ...v, params: { id: B.uploadId } }),
  "POST /api/v1/uploads/{id}/complete": (v) => ({ ...v, params: { id: B.uploadId } }),
  "DELETE /api/v1/uploads/{id}": (v) => ({ ...v, params: { id: B.uploadId } }),
  "GET /api/v1/field-mappings/{id}": (v) => ({ ...v, params: { id: B.mappingId } }),
  "PATCH /api/v1/field-mappings/{id}": (v) => ({ ...v, params: { id: B.mappingId } }),
  "DELETE /api/v1/field-mappings/{id}": (v) => ({ ...v, params: { id: B.mappingId } }),
  "POST /api/v1/org/llm/providers/{id}/test": (v) => ({ ...v, params: { id: B.llmProviderId } }),
  "DELETE /api/v1/org/llm/providers/{id}": (v) => ({ ...v, params: { id: B.llmProviderId } }),
  "GET /api/v1/content/sources/{id}": (v) => ({ ...v, params: { id: B.sourceId } }),
  "PATCH /api/v1/content/sources/{id}": (v) => ({ ...v, params: { id: B.sourceId } }),
  "DELETE /api/v1/content/sources/{id}": (v) => ({ ...v, params: { id: B.sourceId } }),
  "GET /api/v1/content/sources/{id}/fetches": (v) => ({ ...v, params: { id: B.sourceId } }),
  "POST /api/v1/content/sources/{id}/fetch": (v) => ({ ...v, params: { id: B.sourceId } }),
  "GET /api/v1/content/posts/{id}": (v) => ({ ...v, params: { id: B.postId } }),
  "POST /api/v1/content/feedback": (v) => ({ ...v, body: { ...(v.body as object), postId: B.postId } }),
  "POST /api/v1/content/feedback/import": (v) => ({
    ...v,
    body: { ...(v.body as object), fileId: B.analyticsFileId },
  }),
  "POST /api/v1/content/linkedin/publications/{id}/cancel": (v) => ({
    ...v,
    params: { id: B.publicationId },
  }),
  "POST /api/v1/content/drafts/check": (v) => ({
    ...v,
    body: { ...(v.body as object), runId: B.contentRunId },
  }),
  "GET /api/v1/files/{id}/download": (v) => ({ ...v, params: { id: B.fileId } }),
  "POST /api/v1/model-artifacts": (v) => ({ ...v, body: { ...(v.body as object), runId: B.fitRunId } }),
  "GET /api/v1/model-artifacts/{id}": (v) => ({ ...v, params: { id: B.artifactId } }),
  "POST /api/v1/model-artifacts/{id}/approve": (v) => ({ ...v, params: { id: B.artifactId } }),
  "POST /api/v1/model-artifacts/{id}/retire": (v) => ({ ...v, params: { id: B.artifactId } }),
  "GET /api/v1/model-artifacts/{id}/download": (v) => ({ ...v, params: { id: B.artifactId } }),
  "GET /api/v1/model-artifacts/{id}/sql": (v) => ({ ...v, params: { id: B.artifactId } }),
  "POST /api/v1/model-artifacts/{id}/scoring-runs": (v) => ({ ...v, params: { id: B.artifactId } }),
};

function send(op: string, as: Actor | string | null, call: Call, headers: Record<string, string> = {}) {
  const [method, template] = op.split(" ") as ["GET" | "POST" | "PUT" | "PATCH" | "DELETE", string];
  const url = template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = call.params?.[name];
    if (!value) throw new Error(`${op}: no value for path parameter ${name}`);
    return value;
  });
  return request(t.app, call.as ?? as, {
    method,
    url: url + (call.query ?? ""),
    payload: call.body,
    headers: { ...call.headers, ...headers },
  });
}

function allowed(rule: Rule, c: Caller): boolean {
  if (rule.kind === "public") return true;
  if (rule.kind === "user") return c.scope === undefined;
  if (c.scope && rule.noKeys) return false;
  const role = c.role ?? lesser(KEY_ACTS_AS[c.scope!], c.creatorRole!);
  return ROLES.indexOf(role) >= ROLES.indexOf(rule.role);
}

const lesser = (a: Role, b: Role): Role => (ROLES.indexOf(a) <= ROLES.indexOf(b) ? a : b);

function expectProblem(res: Awaited<ReturnType<typeof send>>, status: number) {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers["content-type"]).toMatch(/^application\/problem\+json/);
  expect(res.json()).toMatchObject({ status, requestId: res.headers["x-request-id"] });
}

const randomParams = (op: string) =>
  Object.fromEntries([...op.matchAll(/\{(\w+)\}/g)].map(([, name]) => [name!, randomUUID()]));

/* ------------------------------------------------------------------------------------------- */

describe("the expectation table", () => {
  it("names exactly the operations of the OpenAPI document", () => {
    expect(OPERATIONS.length).toBeGreaterThan(0);
    const missing = OPERATIONS.filter((op) => !(op in EXPECTED));
    const stale = Object.keys(EXPECTED).filter((op) => !OPERATIONS.includes(op));
    expect({ missingFromTable: missing, notInDocument: stale }).toEqual({
      missingFromTable: [],
      notInDocument: [],
    });
    expect(Object.keys(VALID).sort()).toEqual(Object.keys(EXPECTED).sort());
    const namesResource = KNOWN.filter((op) => orgScoped(op) && hasPathParam(op));
    expect(namesResource.filter((op) => !(op in FOREIGN))).toEqual([]);
  });

  it.each(KNOWN)("agrees with the document's x-access: %s", (op) => {
    const [method, path] = op.split(" ") as [string, string];
    const declared = doc.paths[path]![method.toLowerCase()]!["x-access"];
    const rule = EXPECTED[op]!;
    expect(declared).toBe(rule.kind === "org" ? rule.permission : rule.kind);
  });
});

describe("without credentials", () => {
  const nonPublic = KNOWN.filter((op) => EXPECTED[op]!.kind !== "public");
  it.each(nonPublic)("%s → 401", async (op) => {
    const res = await send(op, null, { params: randomParams(op), body: {} });
    expectProblem(res, 401);
  });

  it.each(nonPublic)("%s with an unknown API key → 401", async (op) => {
    const res = await send(op, `mwk_${"x".repeat(43)}`, { params: randomParams(op), body: {} });
    expectProblem(res, 401);
  });

  it.each(KNOWN.filter((op) => EXPECTED[op]!.kind === "public"))("%s is public → 2xx", async (op) => {
    const res = await send(op, null, await VALID[op]!({ name: "anonymous", as: "" }));
    expect(res.statusCode, res.body).toBeGreaterThanOrEqual(200);
    expect(res.statusCode, res.body).toBeLessThan(300);
  });
});

describe("a key whose creator has left the organization", () => {
  const nonPublic = KNOWN.filter((op) => EXPECTED[op]!.kind !== "public");
  it.each(nonPublic)("%s → 401", async (op) => {
    const res = await send(op, A.leaverKey, { params: randomParams(op), body: {} });
    expectProblem(res, 401);
    expect(res.json().detail).toBe(
      "This API key no longer works: the person who created it is no longer a member of its organization.",
    );
  });
});

describe("roles and scopes", () => {
  const cases = KNOWN.filter((op) => EXPECTED[op]!.kind !== "public").flatMap((op) =>
    CALLERS.map((caller) => [op, caller] as const),
  );
  it.each(cases)("%s as %s", async (op, caller) => {
    const c = A.callers[caller]!;
    const res = await send(op, c.as, await VALID[op]!(c));
    if (allowed(EXPECTED[op]!, c)) {
      expect(res.statusCode, res.body).toBeGreaterThanOrEqual(200);
      expect(res.statusCode, res.body).toBeLessThan(300);
    } else {
      expectProblem(res, 403);
    }
  });
});

describe("organization B, seen from organization A", () => {
  const byId = KNOWN.filter((op) => op in FOREIGN).flatMap((op) =>
    ["owner of A", "admin-key of A"].map((caller) => [op, caller] as const),
  );
  it.each(byId)("%s on B's resource as %s → 404, B unchanged", async (op, caller) => {
    const c = A.callers[caller]!;
    const { as: _standIn, ...valid } = await VALID[op]!(c);
    const res = await send(op, c.as, FOREIGN[op]!(valid));
    // A caller without the permission is refused before the lookup; either way nothing leaks.
    expectProblem(res, allowed(EXPECTED[op]!, c) ? 404 : 403);
    expect(await snapshotB()).toEqual(B.snapshot);
  });

  const byHeader = KNOWN.filter(orgScoped).flatMap((op) =>
    ["owner of A", "viewer of A", "admin-key of A", "read-key of A"].map((caller) => [op, caller] as const),
  );
  it.each(byHeader)("%s with x-organization-id of B as %s → 404, B unchanged", async (op, caller) => {
    const c = A.callers[caller]!;
    const res = await send(op, c.as, await VALID[op]!(c), { "x-organization-id": B.orgId });
    expectProblem(res, 404);
    expect(res.json().detail).toBe("Organization not found.");
    expect(await snapshotB()).toEqual(B.snapshot);
  });

  const lists = KNOWN.filter((op) => orgScoped(op) && op.startsWith("GET ") && !hasPathParam(op));
  it.each(lists)("%s as A's owner mentions nothing of B", async (op) => {
    const res = await send(op, A.callers["owner of A"]!.as, {});
    expect(res.statusCode, res.body).toBe(200);
    const ofB = [B.orgId, B.owner.userId, B.memberId, B.invitationId, B.keyId, B.projectId, B.runId];
    for (const id of [
      ...ofB,
      B.scenarioId,
      B.sweepId,
      B.shareLinkId,
      ...B.succeededRunIds,
      B.fileId,
      B.mappingId,
      B.uploadId,
      B.llmProviderId,
      B.fitRunId,
      B.artifactId,
    ]) {
      expect(res.body).not.toContain(id);
    }
  });

  // An external token is bound to the organization it names: an owner of A by token cannot reach
  // B by header (even were it a member there), and a token naming no organization reaches none.
  const jwtCases = KNOWN.filter(orgScoped);
  it.each(jwtCases)(
    "%s by a JWT naming A (as owner), with x-organization-id of B → 403, B unchanged",
    async (op) => {
      const token = await jwtFor({
        email: uniqueEmail("jwt-a"),
        sub: `jwt-a-${++serial}`,
        org: A.slug,
        role: "owner",
      });
      const { as: _standIn, ...valid } = await VALID[op]!(A.callers["owner of A"]!);
      const res = await send(op, token, valid, { "x-organization-id": B.orgId });
      expectProblem(res, 403);
      expect(res.json().detail).toBe(
        "This token acts only in the organization it names; it cannot act in another with the x-organization-id header.",
      );
      expect(await snapshotB()).toEqual(B.snapshot);
    },
  );
  it.each(jwtCases)("%s by a JWT naming no organization → 403", async (op) => {
    const token = await jwtFor({ email: B.owner.email, sub: `jwt-none-${++serial}` });
    const { as: _standIn, ...valid } = await VALID[op]!(A.callers["owner of A"]!);
    const variants: Record<string, string>[] = [{}, { "x-organization-id": B.orgId }];
    for (const headers of variants) {
      const res = await send(op, token, valid, headers);
      expectProblem(res, 403);
      expect(res.json().detail).toMatch(/^This token names no organization/);
    }
    expect(await snapshotB()).toEqual(B.snapshot);
  });

  it("cannot tell B's organization from one that does not exist", async () => {
    const owner = A.callers["owner of A"]!.as;
    const ofB = await send("GET /api/v1/org", owner, {}, { "x-organization-id": B.orgId });
    const ofNobody = await send("GET /api/v1/org", owner, {}, { "x-organization-id": randomUUID() });
    expectProblem(ofB, 404);
    expectProblem(ofNobody, 404);
    expect(ofB.json().detail).toBe(ofNobody.json().detail);
  });

  it("cannot make B the session's active organization", async () => {
    const owner = A.callers["owner of A"]!.as;
    const res = await send("PUT /api/v1/session/organization", owner, { body: { orgId: B.orgId } });
    expectProblem(res, 404);
  });

  it("does not see B in its organization list", async () => {
    const res = await send("GET /api/v1/orgs", A.callers["owner of A"]!.as, {});
    expect(res.statusCode).toBe(200);
    expect(res.json().items.map((o: { id: string }) => o.id)).not.toContain(B.orgId);
  });
});
