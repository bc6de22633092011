import { ApiError } from "../api.ts";
import { fileNameOf } from "./files.ts";

/**
 * Downloads a file the API sends as an attachment (exports, templates). Fetched rather than
 * linked so a refusal (409: the run has not succeeded; 410: a revoked link) is shown as a message
 * instead of a downloaded problem document, and so the button can show that it is working.
 */
export async function downloadFile(url: string, fallbackName: string): Promise<string> {
  let res: Response;
  try {
    res = await fetch(url, { credentials: "same-origin" });
  } catch {
    throw new ApiError(0, { title: "Network error", detail: "The server could not be reached." });
  }
  if (!res.ok) {
    const text = await res.text();
    let problem: Record<string, unknown> = { title: res.statusText };
    try {
      problem = JSON.parse(text) as Record<string, unknown>;
    } catch {
      // not problem+json: keep the status text
    }
    throw new ApiError(res.status, problem);
  }
  const name = fileNameOf(res.headers.get("content-disposition")) ?? fallbackName;
  const blob = await res.blob();
  const href = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = href;
  a.download = name;
  a.style.display = "none";
  document.body.append(a);
  a.click();
  a.remove();
  // Revoked later: some browsers start reading the blob only after the click returns.
  setTimeout(() => URL.revokeObjectURL(href), 60_000);
  return name;
}
