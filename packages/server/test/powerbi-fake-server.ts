import { randomBytes, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A local stand-in for the Microsoft identity platform's token endpoint and the few Power BI REST
 * operations publishing uses — and nothing else. It answers as the documentation says:
 *
 *   POST /{tenant}/oauth2/v2.0/token                      client credentials (form body) → bearer token
 *   GET  /v1.0/myorg/groups/{g}/datasets                  Datasets - Get Datasets In Group
 *   POST /v1.0/myorg/groups/{g}/datasets                  Push Datasets - Datasets PostDatasetInGroup
 *   POST /v1.0/myorg/groups/{g}/datasets/{d}/tables/{t}/rows   Push Datasets - Datasets PostRowsInGroup
 *   GET  /v1.0/myorg/groups/{g}/datasets/{d}              Datasets - Get Dataset In Group
 *   DELETE /v1.0/myorg/groups/{g}/datasets/{d}            Datasets - Delete Dataset In Group
 *   PUT  /v1.0/myorg/groups/{g}/datasets/{d}/tables/{t}   Push Datasets - Datasets PutTableInGroup
 *   DELETE /v1.0/myorg/groups/{g}/datasets/{d}/tables/{t}/rows   Push Datasets - Datasets DeleteRowsInGroup
 *
 * It validates what a careless client could get wrong: the form fields and scope of the token
 * request, a bearer token it issued (and not expired), the dataset body (defaultMode Push, the
 * documented column types, table-name pattern, 75 tables/columns), the rows body (at most 10,000
 * rows, known columns, each value of its column's type). Any other method or path is an
 * undocumented call: 404 and recorded in `rejected`. PutTableInGroup validates the table as the
 * dataset body's tables are, on a table that exists, under the path's name. Every request is recorded; `throttle()`
 * makes the next row posts answer 429 with Retry-After.
 */
export interface FakePbiRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingMessage["headers"];
  body: unknown;
}

export interface FakePushTable {
  name: string;
  columns: { name: string; dataType: string }[];
  measures?: { name: string; expression: string }[];
  rows: Record<string, unknown>[];
}

export interface FakeDataset {
  id: string;
  name: string;
  groupId: string;
  defaultRetentionPolicy: string;
  tables: FakePushTable[];
  relationships: unknown[];
  /** Row-post batch sizes, in order, per table. */
  batches: { table: string; rows: number }[];
  /** Tables whose schema PutTableInGroup replaced, in order. */
  schemaUpdates: string[];
}

export interface FakePowerBi {
  /** Authority host (token endpoint at `${authorityHost}/{tenant}/oauth2/v2.0/token`). */
  authorityHost: string;
  /** API root, `…/v1.0/myorg`. */
  apiBase: string;
  requests: FakePbiRequest[];
  rejected: FakePbiRequest[];
  datasets: Map<string, FakeDataset>;
  deleted: string[];
  /** Registers an app: tenant, client id and secret, and the workspaces it may use. */
  registerApp(app: { tenantId: string; clientId: string; clientSecret: string; groups: string[] }): void;
  /** The next `count` row posts answer 429 with `Retry-After: retryAfterSeconds`. */
  throttle(count: number, retryAfterSeconds: number, afterPosts?: number): void;
  /** 429 answers given so far. */
  throttledAnswers: number;
  /** Whether GetDatasetInGroup carries a webUrl (the real service does). */
  webUrls: boolean;
  close(): Promise<void>;
}

const SCOPE = "https://analysis.windows.net/powerbi/api/.default";
const TYPES = new Map(
  ["Int64", "Double", "Boolean", "bool", "Datetime", "DateTime", "String", "Decimal"].map((t) => [
    t.toLowerCase(),
    t.toLowerCase() === "bool" ? "boolean" : t.toLowerCase(),
  ]),
);
/** PutTableInGroup's documented table-name pattern (tab, LF and CR included). */
const TABLE_NAME =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: tab, LF and CR are in Microsoft's documented pattern
  /^[\x09\x0A\x0D\x20\x23\x2D\x30-\x39\x40-\x5A\x5E-\x5F\x61-\x7A\x7E-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]{1,100}$/u;
const ISO = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?$/;

class Refusal extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(JSON.stringify(body));
  }
}
const pbiError = (status: number, code: string, message: string) =>
  new Refusal(status, { error: { code, message } });

function valueFits(type: string, v: unknown): boolean {
  if (v === null) return true;
  switch (type) {
    case "int64":
      return typeof v === "number" && Number.isInteger(v);
    case "double":
    case "decimal":
      return typeof v === "number" && Number.isFinite(v);
    case "boolean":
      return typeof v === "boolean";
    case "datetime":
      return typeof v === "string" && ISO.test(v) && !Number.isNaN(Date.parse(v));
    case "string":
      return typeof v === "string" && v.length <= 4000;
    default:
      return false;
  }
}

export async function startFakePowerBi(): Promise<FakePowerBi> {
  const apps: { tenantId: string; clientId: string; clientSecret: string; groups: string[] }[] = [];
  const tokens = new Map<string, { clientId: string; groups: string[]; expiresAtMs: number }>();
  const throttles: { remaining: number; retryAfter: number; afterPosts: number }[] = [];
  let rowPosts = 0;

  const state: FakePowerBi = {
    authorityHost: "",
    apiBase: "",
    requests: [],
    rejected: [],
    datasets: new Map(),
    deleted: [],
    webUrls: true,
    throttledAnswers: 0,
    registerApp: (a) => void apps.push(a),
    throttle: (count, retryAfter, afterPosts = 0) =>
      void throttles.push({ remaining: count, retryAfter, afterPosts: rowPosts + afterPosts }),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };

  function token(tenant: string, req: FakePbiRequest): unknown {
    if (!String(req.headers["content-type"] ?? "").startsWith("application/x-www-form-urlencoded"))
      throw new Refusal(400, {
        error: "invalid_request",
        error_description: "AADSTS900144: form body required.",
      });
    const form = req.body as Record<string, string>;
    if (form.grant_type !== "client_credentials")
      throw new Refusal(400, {
        error: "unsupported_grant_type",
        error_description: "AADSTS70003: grant_type.",
      });
    if (form.scope !== SCOPE)
      throw new Refusal(400, {
        error: "invalid_scope",
        error_description: `AADSTS1002012: scope ${form.scope}.`,
      });
    const inTenant = apps.filter((a) => a.tenantId === tenant);
    if (inTenant.length === 0)
      throw new Refusal(400, {
        error: "invalid_request",
        error_description: `AADSTS90002: Tenant '${tenant}' not found.`,
      });
    const app = inTenant.find((a) => a.clientId === form.client_id);
    if (!app)
      throw new Refusal(400, {
        error: "unauthorized_client",
        error_description: `AADSTS700016: Application with identifier '${form.client_id}' was not found in the directory.`,
      });
    if (form.client_secret !== app.clientSecret)
      throw new Refusal(401, {
        error: "invalid_client",
        error_description: "AADSTS7000215: Invalid client secret provided.",
      });
    const value = randomBytes(24).toString("base64url");
    tokens.set(value, { clientId: app.clientId, groups: app.groups, expiresAtMs: Date.now() + 3599_000 });
    return { token_type: "Bearer", expires_in: 3599, ext_expires_in: 3599, access_token: value };
  }

  function bearer(req: FakePbiRequest) {
    const m = /^Bearer (\S+)$/.exec(String(req.headers.authorization ?? ""));
    const t = m && tokens.get(m[1]!);
    if (!t || t.expiresAtMs < Date.now())
      throw pbiError(403, "TokenExpired", "Access token is missing, invalid or expired.");
    return t;
  }

  /** A push table's definition (the Table object of PostDatasetInGroup and PutTableInGroup). */
  function checkTable(t: FakePushTable) {
    const allowed = new Set(["name", "columns", "measures", "rows", "description", "isHidden", "source"]);
    for (const k of Object.keys(t ?? {}))
      if (!allowed.has(k)) throw pbiError(400, "InvalidRequest", `table: unknown property ${k}`);
    if (typeof t.name !== "string" || !TABLE_NAME.test(t.name))
      throw pbiError(400, "InvalidRequest", `table name ${t.name}`);
    if (!Array.isArray(t.columns) || t.columns.length === 0 || t.columns.length > 75)
      throw pbiError(400, "InvalidRequest", `table ${t.name}: 1 to 75 columns`);
    for (const c of t.columns)
      if (typeof c.name !== "string" || !TYPES.has(String(c.dataType).toLowerCase()))
        throw pbiError(400, "InvalidRequest", `column ${t.name}.${c.name}: unknown dataType ${c.dataType}`);
    for (const m of t.measures ?? [])
      if (typeof m.name !== "string" || typeof m.expression !== "string" || !m.expression)
        throw pbiError(400, "InvalidRequest", `measure ${m.name}: name and expression required`);
  }

  /** PutTableInGroup: an existing table's columns and measures replaced (the name is the path's). */
  function putTable(ds: FakeDataset, tableName: string, req: FakePbiRequest): unknown {
    if (!String(req.headers["content-type"] ?? "").startsWith("application/json"))
      throw pbiError(415, "UnsupportedMediaType", "application/json expected");
    const table = ds.tables.find((t) => t.name === tableName);
    if (!table) throw pbiError(404, "ItemNotFound", `table ${tableName}`);
    const b = req.body as FakePushTable;
    checkTable(b);
    if (b.name !== tableName)
      throw pbiError(400, "InvalidRequest", `table name ${b.name} is not the path's ${tableName}`);
    table.columns = b.columns;
    if (b.measures) table.measures = b.measures;
    else delete table.measures;
    ds.schemaUpdates.push(tableName);
    return {
      name: table.name,
      columns: table.columns,
      ...(table.measures ? { measures: table.measures } : {}),
    };
  }

  function createDataset(groupId: string, req: FakePbiRequest): unknown {
    if (!String(req.headers["content-type"] ?? "").startsWith("application/json"))
      throw pbiError(415, "UnsupportedMediaType", "application/json expected");
    const policy = req.query.defaultRetentionPolicy ?? "None";
    if (!["None", "basicFIFO"].includes(policy))
      throw pbiError(400, "InvalidRequest", "defaultRetentionPolicy: None or basicFIFO");
    const b = req.body as Record<string, unknown>;
    const allowed = new Set(["name", "defaultMode", "tables", "relationships", "datasources"]);
    for (const k of Object.keys(b ?? {}))
      if (!allowed.has(k)) throw pbiError(400, "InvalidRequest", `unknown property ${k}`);
    if (typeof b.name !== "string" || !b.name) throw pbiError(400, "InvalidRequest", "name is required");
    if (b.defaultMode !== "Push")
      throw pbiError(400, "InvalidRequest", "this fake serves defaultMode Push only");
    const tables = b.tables as FakePushTable[];
    if (!Array.isArray(tables) || tables.length === 0 || tables.length > 75)
      throw pbiError(400, "InvalidRequest", "tables: 1 to 75");
    for (const t of tables) checkTable(t);
    for (const r of (b.relationships ?? []) as Record<string, string>[]) {
      const from = tables.find((t) => t.name === r.fromTable);
      const to = tables.find((t) => t.name === r.toTable);
      if (
        !from?.columns.some((c) => c.name === r.fromColumn) ||
        !to?.columns.some((c) => c.name === r.toColumn)
      )
        throw pbiError(400, "InvalidRequest", `relationship ${r.name}: unknown table or column`);
    }
    const ds: FakeDataset = {
      id: randomUUID(),
      name: b.name,
      groupId,
      defaultRetentionPolicy: policy,
      tables: tables.map((t) => ({ ...t, rows: [] })),
      relationships: (b.relationships as unknown[]) ?? [],
      batches: [],
      schemaUpdates: [],
    };
    state.datasets.set(ds.id, ds);
    return { id: ds.id, name: ds.name, defaultRetentionPolicy: policy };
  }

  function postRows(ds: FakeDataset, tableName: string, req: FakePbiRequest): unknown {
    const throttle = throttles.find((t) => t.remaining > 0 && rowPosts >= t.afterPosts);
    if (throttle) {
      throttle.remaining--;
      state.throttledAnswers++;
      throw Object.assign(pbiError(429, "TooManyRequests", "Rate limit exceeded"), {
        retryAfter: throttle.retryAfter,
      });
    }
    const table = ds.tables.find((t) => t.name === tableName);
    if (!table) throw pbiError(404, "ItemNotFound", `table ${tableName}`);
    const rows = (req.body as { rows?: unknown })?.rows;
    if (!Array.isArray(rows)) throw pbiError(400, "InvalidRequest", "rows: array required");
    if (rows.length > 10_000)
      throw pbiError(400, "InvalidRequest", `${rows.length} rows: at most 10,000 per request`);
    const types = new Map(table.columns.map((c) => [c.name, TYPES.get(c.dataType.toLowerCase())!]));
    rows.forEach((row, i) => {
      for (const [k, v] of Object.entries(row as Record<string, unknown>)) {
        const type = types.get(k);
        if (!type) throw pbiError(400, "InvalidRequest", `rows[${i}]: unknown column ${k}`);
        if (!valueFits(type, v))
          throw pbiError(400, "InvalidRequest", `rows[${i}].${k}: ${JSON.stringify(v)} is not ${type}`);
      }
    });
    rowPosts++;
    table.rows.push(...(rows as Record<string, unknown>[]));
    ds.batches.push({ table: tableName, rows: rows.length });
    return {};
  }

  function route(req: FakePbiRequest): { status: number; body: unknown } {
    const tokenPath = /^\/([^/]+)\/oauth2\/v2\.0\/token$/.exec(req.path);
    if (tokenPath && req.method === "POST")
      return { status: 200, body: token(decodeURIComponent(tokenPath[1]!), req) };
    const m = /^\/v1\.0\/myorg\/groups\/([^/]+)\/datasets(?:\/([^/]+)(?:\/tables\/([^/]+)(\/rows)?)?)?$/.exec(
      req.path,
    );
    if (!m)
      throw new Refusal(404, { error: { code: "UndocumentedCall", message: `${req.method} ${req.path}` } });
    const [, group, datasetId, table, rows] = m.map((s) => (s === undefined ? s : decodeURIComponent(s)));
    const op = `${req.method} ${datasetId ? (table ? (rows ? "rows" : "table") : "dataset") : "datasets"}`;
    const DOCUMENTED = [
      "GET datasets",
      "POST datasets",
      "POST rows",
      "DELETE rows",
      "PUT table",
      "GET dataset",
      "DELETE dataset",
    ];
    if (!DOCUMENTED.includes(op))
      throw new Refusal(404, { error: { code: "UndocumentedCall", message: `${req.method} ${req.path}` } });
    const who = bearer(req);
    if (!who.groups.includes(group!))
      throw pbiError(401, "PowerBINotAuthorizedException", `the app is not a member of workspace ${group}`);
    if (op === "GET datasets")
      return {
        status: 200,
        body: {
          value: [...state.datasets.values()]
            .filter((d) => d.groupId === group)
            .map((d) => ({ id: d.id, name: d.name })),
        },
      };
    if (op === "POST datasets") return { status: 201, body: createDataset(group!, req) };
    const ds = state.datasets.get(datasetId!);
    if (!ds || ds.groupId !== group) throw pbiError(404, "PowerBIEntityNotFound", `dataset ${datasetId}`);
    if (op === "POST rows") return { status: 200, body: postRows(ds, table!, req) };
    if (op === "PUT table") return { status: 200, body: putTable(ds, table!, req) };
    if (op === "DELETE rows") {
      const t = ds.tables.find((x) => x.name === table);
      if (!t) throw pbiError(404, "ItemNotFound", `table ${table}`);
      t.rows = [];
      return { status: 200, body: {} };
    }
    if (op === "DELETE dataset") {
      state.datasets.delete(ds.id);
      state.deleted.push(ds.id);
      return { status: 200, body: {} };
    }
    return {
      status: 200,
      body: {
        id: ds.id,
        name: ds.name,
        addRowsAPIEnabled: true,
        isRefreshable: false,
        ...(state.webUrls ? { webUrl: `https://app.powerbi.com/groups/${group}/datasets/${ds.id}` } : {}),
      },
    };
  }

  const server = createServer((msg: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    msg.on("data", (c: Buffer) => chunks.push(c));
    msg.on("end", () => {
      const url = new URL(msg.url ?? "/", "http://fake");
      const text = Buffer.concat(chunks).toString("utf8");
      let body: unknown = null;
      if (String(msg.headers["content-type"] ?? "").startsWith("application/x-www-form-urlencoded"))
        body = Object.fromEntries(new URLSearchParams(text));
      else if (text)
        try {
          body = JSON.parse(text);
        } catch {
          body = text;
        }
      const req: FakePbiRequest = {
        method: msg.method ?? "GET",
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers: msg.headers,
        body,
      };
      state.requests.push(req);
      let status: number;
      let out: unknown;
      const headers: Record<string, string> = { "content-type": "application/json; charset=utf-8" };
      try {
        ({ status, body: out } = route(req));
      } catch (err) {
        if (!(err instanceof Refusal)) throw err;
        status = err.status;
        out = err.body;
        if (status === 404 && (out as { error?: { code?: string } }).error?.code === "UndocumentedCall")
          state.rejected.push(req);
        const after = (err as Refusal & { retryAfter?: number }).retryAfter;
        if (after !== undefined) headers["retry-after"] = String(after);
      }
      res.writeHead(status, headers).end(JSON.stringify(out));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  state.authorityHost = `http://127.0.0.1:${port}`;
  state.apiBase = `http://127.0.0.1:${port}/v1.0/myorg`;
  return state;
}
