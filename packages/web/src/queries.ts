import { useQuery } from "@tanstack/react-query";
import { call } from "./api.ts";
import * as endpoints from "./client/endpoints-session.ts";
import { sessionKeys as queryKeys } from "./client/query-keys-session.ts";

/** The catalog is public and the same for everyone: cached across organizations. */
export function useModels() {
  return useQuery({
    queryKey: queryKeys.models(),
    queryFn: () => call(endpoints.models).then((r) => r.items),
    staleTime: 10 * 60_000,
  });
}

export function useModel(id: string | undefined, version?: string) {
  return useQuery({
    queryKey: queryKeys.model(id, version ?? "latest"),
    queryFn: () => call(endpoints.model, { params: { id: id! }, query: { version } }),
    enabled: !!id,
    staleTime: 10 * 60_000,
  });
}

export function useProjects(orgId: string | null | undefined) {
  return useQuery({
    queryKey: queryKeys.projects(orgId),
    queryFn: () => call(endpoints.projects, { query: { limit: 100, sort: "-updatedAt" } }),
  });
}

/**
 * The active organization's settings. Its number style is the shared formatter's (format.ts), so
 * every view writes negatives the org's way (issue 18 item 8).
 */
export function useOrgSettings(orgId: string | null | undefined) {
  return useQuery({
    queryKey: queryKeys.org(orgId),
    queryFn: () => call(endpoints.org),
    enabled: !!orgId,
    staleTime: 5 * 60_000,
  });
}
