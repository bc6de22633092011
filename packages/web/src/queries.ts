import { useQuery } from "@tanstack/react-query";
import { api, type Page } from "./api.ts";
import type { Model, ModelSummary, Project } from "./types.ts";

/** The catalog is public and the same for everyone: cached across organizations. */
export function useModels() {
  return useQuery({
    queryKey: ["models"],
    queryFn: () => api<{ items: ModelSummary[] }>("/models").then((r) => r.items),
    staleTime: 10 * 60_000,
  });
}

export function useModel(id: string | undefined, version?: string) {
  return useQuery({
    queryKey: ["models", id, version ?? "latest"],
    queryFn: () => api<Model>(`/models/${id}`, { query: { version } }),
    enabled: !!id,
    staleTime: 10 * 60_000,
  });
}

export function useProjects(orgId: string | null | undefined) {
  return useQuery({
    queryKey: ["projects", orgId],
    queryFn: () => api<Page<Project>>("/projects", { query: { limit: 100, sort: "-updatedAt" } }),
  });
}
