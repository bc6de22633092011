import { ApproveModelArtifactBody, ArtifactSqlQuery } from "@modelworks/contracts/model-artifacts";
import { describe, expect, it } from "vitest";
import {
  approvalBody,
  artifactActions,
  artifactSqlPath,
  canSaveAsModel,
  fileFitInput,
  formatAuc,
  formatLift,
  overrideReasonProblem,
  SQL_TABLE_PATTERN,
  scoringOutputOf,
} from "../src/lib/model-artifacts.ts";

/** The response-model pages' decisions (issue 15 item 10), held to the server's contracts. */
describe("saving a fit as a model", () => {
  it("only a succeeded response-model run can be saved", () => {
    expect(canSaveAsModel({ modelId: "response-model", status: "succeeded" })).toBe(true);
    expect(canSaveAsModel({ modelId: "response-model", status: "failed" })).toBe(false);
    expect(canSaveAsModel({ modelId: "response-model", status: "running" })).toBe(false);
    expect(canSaveAsModel({ modelId: "media-mix", status: "succeeded" })).toBe(false);
    expect(canSaveAsModel({ modelId: "response-model-score", status: "succeeded" })).toBe(false);
  });
});

describe("a fit from a stored file", () => {
  it("keeps the scenario's settings and drops its own rows and the bundled sample's name", () => {
    const input = {
      sampleData: "campaigniq",
      records: [{ TARGET: 1 }],
      target: "TARGET",
      idField: "INDIVIDUALID",
      folds: 3,
      mailing: { budgetUsd: 10_000 },
    };
    expect(fileFitInput(input)).toEqual({
      target: "TARGET",
      idField: "INDIVIDUALID",
      folds: 3,
      mailing: { budgetUsd: 10_000 },
    });
    // The scenario is not changed by it.
    expect(input.sampleData).toBe("campaigniq");
    expect(fileFitInput(undefined)).toEqual({});
  });
});

describe("approval under the deployment gate", () => {
  it("a passed gate needs no reason and sends none", () => {
    expect(overrideReasonProblem(true, "")).toBeNull();
    expect(approvalBody(true, "ignored text")).toEqual({});
  });

  it("a failed gate needs a reason of at least 10 characters, trimmed", () => {
    expect(overrideReasonProblem(false, "")).toMatch(/gate failed/);
    expect(overrideReasonProblem(false, "   short   ")).toMatch(/at least 10/);
    expect(overrideReasonProblem(false, "123456789")).toMatch(/at least 10/);
    expect(overrideReasonProblem(false, "1234567890")).toBeNull();
    expect(approvalBody(false, "  pilot on one region only  ")).toEqual({
      overrideReason: "pilot on one region only",
    });
  });

  it("what the client accepts, the server's schema accepts, and the other way round", () => {
    for (const reason of ["", "short", "123456789", "1234567890", "  a pilot, capped at 5%  "]) {
      const clientOk = overrideReasonProblem(false, reason) === null;
      const serverOk = ApproveModelArtifactBody.safeParse(approvalBody(false, reason)).success;
      expect(serverOk, JSON.stringify(reason)).toBe(clientOk);
    }
  });

  it("admins approve drafts and retire drafts or approved models; nobody scores with a retired one", () => {
    expect(artifactActions("draft", true)).toEqual({
      approve: true,
      retire: true,
      score: true,
      scoreNeedsDraftFlag: true,
    });
    expect(artifactActions("approved", true)).toMatchObject({ approve: false, retire: true, score: true });
    expect(artifactActions("retired", true)).toMatchObject({ approve: false, retire: false, score: false });
    expect(artifactActions("draft", false)).toMatchObject({ approve: false, retire: false, score: true });
    expect(artifactActions("approved", false).scoreNeedsDraftFlag).toBe(false);
  });
});

describe("the SQL export", () => {
  it("names the dialect and the table in the query string, the default table when empty", () => {
    expect(artifactSqlPath("/api/v1", "a-1", "snowflake", " crm.public.customers ")).toBe(
      "/api/v1/model-artifacts/a-1/sql?dialect=snowflake&table=crm.public.customers",
    );
    expect(artifactSqlPath("/api/v1", "a-1", "duckdb", "")).toBe(
      "/api/v1/model-artifacts/a-1/sql?dialect=duckdb&table=customers",
    );
  });

  it("accepts exactly the table names the server's query schema accepts", () => {
    for (const table of [
      "customers",
      "crm.customers",
      "db.crm.customers",
      "a.b.c.d",
      "my table",
      "a..b",
      "",
    ]) {
      const server = ArtifactSqlQuery.safeParse({ dialect: "postgresql", table }).success;
      expect(SQL_TABLE_PATTERN.test(table), table).toBe(server);
    }
  });
});

describe("a scoring run's output", () => {
  const output = {
    artifactId: "a-1",
    artifact: { name: "Spring", version: 2, state: "approved" },
    fileId: "f-1",
    scoredFileId: "f-2",
    rows: 2500,
    byDecile: [250, 250, 250, 250, 250, 250, 250, 250, 250, 250],
    byTier: { Gold: 500 },
    fields: [],
    unseenLevels: 0,
  };

  it("is read from a scoring run only, and only when it names the scored file", () => {
    expect(scoringOutputOf({ modelId: "response-model-score", output })?.scoredFileId).toBe("f-2");
    expect(scoringOutputOf({ modelId: "response-model", output })).toBeNull();
    expect(scoringOutputOf({ modelId: "response-model-score", output: null })).toBeNull();
    expect(scoringOutputOf({ modelId: "response-model-score", output: { rows: 3 } })).toBeNull();
  });

  it("formats AUC to three places and lift as a multiple", () => {
    expect(formatAuc(0.71249)).toBe("0.712");
    expect(formatLift(2.405)).toBe("2.40×");
    expect(formatLift(3)).toBe("3.00×");
  });
});
