import type { powerBi } from "@modelworks/engine-dashboard-planner";
import { DomainError } from "../errors/domain-error.ts";

/**
 * A client for the few documented Power BI REST operations publishing needs, authenticated by the
 * Microsoft identity platform's OAuth 2.0 client-credentials grant (decision 0048: the documented
 * token request, made directly — MSAL for Node insists on an https authority and on authority
 * metadata discovery, which a loopback fake cannot honestly serve).
 *
 *   token:   POST {authorityHost}/{tenant}/oauth2/v2.0/token   (form: client_id, client_secret, scope, grant_type)
 *   list:    GET  {api}/groups/{groupId}/datasets               (Datasets - Get Datasets In Group)
 *   create:  POST {api}/groups/{groupId}/datasets?defaultRetentionPolicy=None   (Push Datasets - PostDatasetInGroup)
 *   rows:    POST {api}/groups/{groupId}/datasets/{id}/tables/{table}/rows     (Push Datasets - PostRowsInGroup)
 *   read:    GET  {api}/groups/{groupId}/datasets/{id}          (Datasets - Get Dataset In Group; its webUrl)
 *   delete:  DELETE {api}/groups/{groupId}/datasets/{id}        (Datasets - Delete Dataset In Group)
 *   schema:  PUT  {api}/groups/{groupId}/datasets/{id}/tables/{table}          (Push Datasets - PutTableInGroup)
 *   clear:   DELETE {api}/groups/{groupId}/datasets/{id}/tables/{table}/rows   (Push Datasets - DeleteRowsInGroup)
 *
 * A 429 is waited out for its Retry-After (seconds) and retried; anything else that is not 2xx is
 * a DomainError quoting the service's status and error code. The secret never leaves this module
 * except in the token request's body, and is never logged.
 */
export const POWERBI_SCOPE = "https://analysis.windows.net/powerbi/api/.default";

export interface PowerBiCredentials {
  tenantId: string;
  clientId: string;
  clientSecret: string;
  groupId: string;
}

export interface PowerBiEndpoints {
  authorityHost: string;
  apiBase: string;
  /** The longest Retry-After waited out; a longer one fails the call. */
  maxRetryAfterSeconds: number;
}

export interface PowerBiDataset {
  id: string;
  name: string;
  webUrl?: string;
}

const MAX_429_RETRIES = 10;
const TIMEOUT_MS = 60_000;

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason ?? new Error("canceled"));
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason ?? new Error("canceled"));
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** The service's own words for an error body ({ error: { code, message } } or OAuth's error_description). */
async function reasonOf(res: Response): Promise<string> {
  const text = await res.text().catch(() => "");
  try {
    const j = JSON.parse(text) as {
      error?: string | { code?: string; message?: string };
      error_description?: string;
    };
    if (typeof j.error === "string")
      return `${j.error}: ${(j.error_description ?? "").split("\n")[0]}`.trim();
    if (j.error && typeof j.error === "object")
      return [j.error.code, j.error.message].filter(Boolean).join(": ") || `HTTP ${res.status}`;
  } catch {}
  return text.slice(0, 200) || `HTTP ${res.status}`;
}

export class PowerBiClient {
  private token: { value: string; expiresAtMs: number } | null = null;
  /** 429 answers waited out so far (the publish run reports them). */
  throttledRetries = 0;

  constructor(
    private readonly creds: PowerBiCredentials,
    private readonly endpoints: PowerBiEndpoints,
    private readonly signal?: AbortSignal,
  ) {}

  private get group(): string {
    return `${this.endpoints.apiBase.replace(/\/+$/, "")}/groups/${encodeURIComponent(this.creds.groupId)}`;
  }

  /** An app-only access token, cached until five minutes before it expires. */
  async accessToken(): Promise<string> {
    if (this.token && Date.now() < this.token.expiresAtMs - 300_000) return this.token.value;
    const url = `${this.endpoints.authorityHost.replace(/\/+$/, "")}/${encodeURIComponent(this.creds.tenantId)}/oauth2/v2.0/token`;
    let res: Response;
    try {
      res = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
        body: new URLSearchParams({
          client_id: this.creds.clientId,
          scope: POWERBI_SCOPE,
          client_secret: this.creds.clientSecret,
          grant_type: "client_credentials",
        }),
        signal: this.signal
          ? AbortSignal.any([this.signal, AbortSignal.timeout(TIMEOUT_MS)])
          : AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (err) {
      if (this.signal?.aborted) throw err;
      throw new DomainError(
        "powerbi_service_error",
        `The Microsoft identity platform could not be reached: ${(err as Error).message}`,
      );
    }
    if (res.status === 400 || res.status === 401)
      throw new DomainError(
        "powerbi_credentials_rejected",
        `The Microsoft identity platform refused the app's credentials (${await reasonOf(res)}).`,
      );
    if (!res.ok)
      throw new DomainError(
        "powerbi_service_error",
        `The Microsoft identity platform answered ${res.status} (${await reasonOf(res)}).`,
      );
    const body = (await res.json()) as { access_token?: string; expires_in?: number; token_type?: string };
    if (!body.access_token || body.token_type?.toLowerCase() !== "bearer")
      throw new DomainError("powerbi_service_error", "The token response carried no bearer access token.");
    this.token = { value: body.access_token, expiresAtMs: Date.now() + (body.expires_in ?? 3599) * 1000 };
    return body.access_token;
  }

  /** One REST call with the bearer token; 429s waited out and retried. */
  private async call(method: string, url: string, body?: unknown): Promise<Response> {
    for (let attempt = 0; ; attempt++) {
      const token = await this.accessToken();
      let res: Response;
      try {
        res = await fetch(url, {
          method,
          headers: {
            authorization: `Bearer ${token}`,
            accept: "application/json",
            ...(body === undefined ? {} : { "content-type": "application/json" }),
          },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: this.signal
            ? AbortSignal.any([this.signal, AbortSignal.timeout(TIMEOUT_MS)])
            : AbortSignal.timeout(TIMEOUT_MS),
        });
      } catch (err) {
        if (this.signal?.aborted) throw err;
        throw new DomainError(
          "powerbi_service_error",
          `Power BI could not be reached: ${(err as Error).message}`,
        );
      }
      if (res.status === 429 && attempt < MAX_429_RETRIES) {
        const after = Number(res.headers.get("retry-after"));
        const seconds = Number.isFinite(after) && after >= 0 ? after : 1;
        if (seconds > this.endpoints.maxRetryAfterSeconds)
          throw new DomainError(
            "powerbi_service_error",
            `Power BI asked to wait ${seconds} s (429 Retry-After), longer than the ${this.endpoints.maxRetryAfterSeconds} s this server waits; publish again later.`,
          );
        await res.body?.cancel();
        this.throttledRetries++;
        await sleep(seconds * 1000, this.signal);
        continue;
      }
      if (res.status === 401 || res.status === 403)
        throw new DomainError(
          "powerbi_credentials_rejected",
          `Power BI refused the app's token for workspace ${this.creds.groupId} (${res.status} ${await reasonOf(res)}); the app needs access to the workspace and Power BI's "service principals may use APIs" tenant setting.`,
        );
      if (!res.ok)
        throw new DomainError(
          "powerbi_service_error",
          `Power BI answered ${res.status} to ${method} ${new URL(url).pathname} (${await reasonOf(res)}).`,
        );
      return res;
    }
  }

  async listDatasets(): Promise<PowerBiDataset[]> {
    const res = await this.call("GET", `${this.group}/datasets`);
    return ((await res.json()) as { value: PowerBiDataset[] }).value ?? [];
  }

  /** Creates the push dataset; rows are kept until deleted (retention policy None). */
  async createPushDataset(definition: powerBi.PushDataset): Promise<PowerBiDataset> {
    const res = await this.call("POST", `${this.group}/datasets?defaultRetentionPolicy=None`, definition);
    const body = (await res.json()) as PowerBiDataset;
    if (!body.id)
      throw new DomainError("powerbi_service_error", "Power BI created the dataset but returned no id.");
    return body;
  }

  async postRows(datasetId: string, table: string, rows: Record<string, powerBi.PushValue>[]): Promise<void> {
    const res = await this.call(
      "POST",
      `${this.group}/datasets/${encodeURIComponent(datasetId)}/tables/${encodeURIComponent(table)}/rows`,
      { rows },
    );
    await res.body?.cancel();
  }

  /** Replaces a push table's columns and measures (its schema) in an existing dataset. */
  async putTable(datasetId: string, table: powerBi.PushTable): Promise<void> {
    const res = await this.call(
      "PUT",
      `${this.group}/datasets/${encodeURIComponent(datasetId)}/tables/${encodeURIComponent(table.name)}`,
      table,
    );
    await res.body?.cancel();
  }

  /** Removes every row of a push table (a refresh posts them again). */
  async deleteRows(datasetId: string, table: string): Promise<void> {
    const res = await this.call(
      "DELETE",
      `${this.group}/datasets/${encodeURIComponent(datasetId)}/tables/${encodeURIComponent(table)}/rows`,
    );
    await res.body?.cancel();
  }

  async getDataset(datasetId: string): Promise<PowerBiDataset> {
    const res = await this.call("GET", `${this.group}/datasets/${encodeURIComponent(datasetId)}`);
    return (await res.json()) as PowerBiDataset;
  }

  async deleteDataset(datasetId: string): Promise<void> {
    const res = await this.call("DELETE", `${this.group}/datasets/${encodeURIComponent(datasetId)}`);
    await res.body?.cancel();
  }
}
