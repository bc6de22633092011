import type {
  ActiveOrgBody,
  ModelDto,
  ModelQuery,
  ModelSummaryDto,
  OrgDto,
  ProjectListQuery,
  ProjectPage,
  ResendVerificationBody,
  SessionDto,
  SignInBody,
  SignUpBody,
  VerificationSentDto,
  VerifyEmailBody,
} from "@modelworks/contracts";
import type { z } from "zod";
import { endpoint as ep, types } from "./endpoint.ts";

type Items<T extends z.ZodType> = z.ZodObject<{ items: z.ZodArray<T> }>;

/**
 * The endpoints the app's first screen needs (the session, signing in, the catalog, the project list): apart
 * from client/endpoints.ts, which re-exports them, so the initial download carries only these and
 * the pages' chunks the rest.
 */
export const session = /* @__PURE__ */ ep("GET", "/session", types<typeof SessionDto>);
export const setActiveOrg = /* @__PURE__ */ ep(
  "PUT",
  "/session/organization",
  types<typeof SessionDto, typeof ActiveOrgBody>,
);
/** The active organization with its settings (number style, locale), which every view formats by. */
export const org = /* @__PURE__ */ ep("GET", "/org", types<typeof OrgDto>);
export const signOut = /* @__PURE__ */ ep("POST", "/auth/sign-out", types<undefined>);
export const models = /* @__PURE__ */ ep("GET", "/models", types<Items<typeof ModelSummaryDto>>);
export const model = /* @__PURE__ */ ep(
  "GET",
  "/models/:id",
  types<typeof ModelDto, undefined, typeof ModelQuery>,
);
export const projects = /* @__PURE__ */ ep(
  "GET",
  "/projects",
  types<typeof ProjectPage, undefined, typeof ProjectListQuery>,
);
export const signUp = /* @__PURE__ */ ep(
  "POST",
  "/auth/sign-up",
  types<typeof VerificationSentDto, typeof SignUpBody>,
);
export const signIn = /* @__PURE__ */ ep(
  "POST",
  "/auth/sign-in",
  types<typeof SessionDto, typeof SignInBody>,
);
export const resendVerification = /* @__PURE__ */ ep(
  "POST",
  "/auth/resend-verification",
  types<typeof VerificationSentDto, typeof ResendVerificationBody>,
);
export const verifyEmail = /* @__PURE__ */ ep(
  "POST",
  "/auth/verify-email",
  types<typeof SessionDto, typeof VerifyEmailBody>,
);
