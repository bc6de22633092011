import { type Permission, ROLE_PERMISSIONS } from "@modelworks/contracts";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { call, hasCode, setCsrfToken } from "./api.ts";
import * as endpoints from "./client/endpoints-session.ts";
import { sessionKeys as queryKeys, SESSION_INDEPENDENT } from "./client/query-keys-session.ts";
import { forgetEarly } from "./lib/early-requests.ts";
import type { Session } from "./types.ts";

/** The signed-in person, or null. The CSRF token for later requests comes with it. */
export function useSession() {
  return useQuery({
    queryKey: queryKeys.session(),
    queryFn: async ({ signal }): Promise<Session | null> => {
      try {
        const s = await call(endpoints.session);
        // Cancelled (a sign-in or verification replaced the session meanwhile): this answer is
        // stale and must not touch the CSRF token the new session set.
        if (!signal.aborted) setCsrfToken(s.csrfToken);
        return s;
      } catch (err) {
        if (hasCode(err, "unauthenticated")) {
          if (!signal.aborted) setCsrfToken(null);
          return null;
        }
        throw err;
      }
    },
    staleTime: 60_000,
  });
}

/** The active organization and what the person's role there allows (the server enforces it too). */
export function useOrg() {
  const { data: session } = useSession();
  const org = session?.organizations.find((o) => o.orgId === session.activeOrgId) ?? null;
  const can = (p: Permission) => (org ? ROLE_PERMISSIONS[org.role].has(p) : false);
  return { session, org, can };
}

/** After sign-in, sign-up or an organization switch every cached answer belongs to someone else. */
export function useSessionChange() {
  const qc = useQueryClient();
  return async (session: Session | null) => {
    // A session read still in flight (sent before this cookie existed, as on the verify-email
    // page) must not land after this and put the old answer back.
    await qc.cancelQueries({ queryKey: queryKeys.session() });
    forgetEarly();
    setCsrfToken(session?.csrfToken ?? null);
    qc.removeQueries({ predicate: (q) => !SESSION_INDEPENDENT.includes(String(q.queryKey[0])) });
    qc.setQueryData(queryKeys.session(), session);
  };
}

export function useSwitchOrg() {
  const change = useSessionChange();
  return useMutation({
    mutationFn: (orgId: string) => call(endpoints.setActiveOrg, { body: { orgId } }),
    onSuccess: (s) => change(s),
  });
}

export function useSignOut() {
  const change = useSessionChange();
  return useMutation({
    mutationFn: () => call(endpoints.signOut),
    onSettled: () => change(null),
  });
}
