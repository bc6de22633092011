import { describe, expect, it } from "vitest";
import { ApiError } from "../src/api.ts";
import { describePath } from "../src/lib/field-path.ts";
import { alertContent, problemText } from "../src/lib/form-errors.ts";

// What the one form-error alert (components/form-error-alert.tsx) says for what a form hands it.
describe("form error alert content", () => {
  it("says nothing when there is nothing wrong, so the alert draws nothing", () => {
    for (const none of [null, undefined, false, ""])
      expect(alertContent(none)).toEqual({ message: null, problems: [] });
  });

  it("shows a sentence as it is (what applyServerErrors left over)", () => {
    expect(alertContent("Body: Expected object")).toEqual({ message: "Body: Expected object", problems: [] });
  });

  it("lists a refusal's field errors under its message, each named as its label reads", () => {
    const err = new ApiError(422, {
      code: "validation_failed",
      detail: "The request is not valid.",
      errors: [
        { path: "body.input.unitMix.1.grossSqft", message: "must be positive" },
        { path: "", message: "at least one deal" },
      ],
    });
    const c = alertContent(err);
    expect(c.message).toBe("The request is not valid.");
    expect(c.problems.map((p) => problemText(p, describePath))).toEqual([
      "Unit mix, row 2, Gross sqft: must be positive",
      "at least one deal",
    ]);
  });

  it("lists the problems it is given, with or without a sentence; a list of sentences names no field", () => {
    const issues = [{ path: "input.rate", message: "too high" }];
    expect(alertContent(null, issues).problems).toEqual(issues);
    expect(alertContent("The run failed early.", issues)).toEqual({
      message: "The run failed early.",
      problems: issues,
    });
    expect(
      alertContent(["Pick a date.", "Give a URL."]).problems.map((p) => problemText(p, describePath)),
    ).toEqual(["Pick a date.", "Give a URL."]);
  });

  it("reads an error that is not a refusal by its message", () => {
    expect(alertContent(new Error("offline"))).toEqual({ message: "offline", problems: [] });
  });
});
