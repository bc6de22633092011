import type {
  ApiKeyCreatedDto,
  ApiKeyDto,
  AuditEventDto,
  ComparisonDto,
  CreatedShareLinkDto,
  InvitationCreatedDto,
  InvitationDto,
  MemberDto,
  ModelDto,
  ModelSummaryDto,
  ProjectDto,
  RetentionPolicyDto,
  RunDto,
  RunSummaryDto,
  ScenarioDiffDto,
  ScenarioDto,
  ScenarioRevisionDto,
  ScenarioRevisionSummaryDto,
  ScenarioSummaryDto,
  SessionDto,
  SharedResultDto,
  ShareLinkDto,
  SweepDto,
} from "@modelworks/contracts";
import type { z } from "zod";

// Response types straight from the server's zod contracts (type-only: nothing enters the bundle).
export type Session = z.output<typeof SessionDto>;
export type ModelSummary = z.output<typeof ModelSummaryDto>;
export type Model = z.output<typeof ModelDto>;
export type Project = z.output<typeof ProjectDto>;
export type ScenarioSummary = z.output<typeof ScenarioSummaryDto>;
export type Scenario = z.output<typeof ScenarioDto>;
export type RunSummary = z.output<typeof RunSummaryDto>;
export type Run = z.output<typeof RunDto>;
export type ScenarioRevisionSummary = z.output<typeof ScenarioRevisionSummaryDto>;
export type ScenarioRevision = z.output<typeof ScenarioRevisionDto>;
export type ScenarioDiff = z.output<typeof ScenarioDiffDto>;
export type Comparison = z.output<typeof ComparisonDto>;
export type Sweep = z.output<typeof SweepDto>;
export type Member = z.output<typeof MemberDto>;
export type Invitation = z.output<typeof InvitationDto>;
export type InvitationCreated = z.output<typeof InvitationCreatedDto>;
export type ApiKey = z.output<typeof ApiKeyDto>;
export type ApiKeyCreated = z.output<typeof ApiKeyCreatedDto>;
export type AuditEvent = z.output<typeof AuditEventDto>;
export type TableDescriptor = Model["tables"][number];
export type ChartDescriptor = Model["charts"][number];
export type ShareLink = z.output<typeof ShareLinkDto>;
export type RetentionPolicy = z.output<typeof RetentionPolicyDto>;
export type CreatedShareLink = z.output<typeof CreatedShareLinkDto>;
export type SharedResult = z.output<typeof SharedResultDto>;
