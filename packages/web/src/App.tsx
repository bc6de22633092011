import {
  ActionIcon,
  Anchor,
  AppShell,
  Burger,
  Group,
  NativeSelect,
  NavLink,
  Text,
  useComputedColorScheme,
  useMantineColorScheme,
} from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import { lazy, type ReactNode, Suspense } from "react";
import { Link, Redirect, Route, Switch, useLocation } from "wouter";
import { ErrorBoundary } from "./components/error-boundary.tsx";
import { ErrorState, Loading } from "./components/states.tsx";
import { setNumberStyle } from "./format.ts";
import { AuthPage, VerifyEmailPage } from "./pages/auth.tsx";
import { useOrgSettings } from "./queries.ts";
import { useOrg, useSession, useSignOut, useSwitchOrg } from "./session.ts";

// Every page but sign-in is its own chunk: the first load carries only the shell.
const CatalogPage = lazy(() => import("./pages/catalog.tsx").then((m) => ({ default: m.CatalogPage })));
const ModelPage = lazy(() => import("./pages/catalog.tsx").then((m) => ({ default: m.ModelPage })));
const ProjectsPage = lazy(() => import("./pages/projects.tsx").then((m) => ({ default: m.ProjectsPage })));
const ProjectPage = lazy(() => import("./pages/projects.tsx").then((m) => ({ default: m.ProjectPage })));
const ConversationPage = lazy(() =>
  import("./pages/dashboards.tsx").then((m) => ({ default: m.ConversationPage })),
);
const ScenarioPage = lazy(() => import("./pages/scenario.tsx").then((m) => ({ default: m.ScenarioPage })));
const RunPage = lazy(() => import("./pages/run.tsx").then((m) => ({ default: m.RunPage })));
const RunsPage = lazy(() => import("./pages/runs.tsx").then((m) => ({ default: m.RunsPage })));
const ResponseModelsPage = lazy(() =>
  import("./pages/response-models.tsx").then((m) => ({ default: m.ResponseModelsPage })),
);
const ResponseModelPage = lazy(() =>
  import("./pages/response-models.tsx").then((m) => ({ default: m.ResponseModelPage })),
);
const ComparePage = lazy(() => import("./pages/compare.tsx").then((m) => ({ default: m.ComparePage })));
const MembersPage = lazy(() => import("./pages/org.tsx").then((m) => ({ default: m.MembersPage })));
const InvitationsPage = lazy(() => import("./pages/org.tsx").then((m) => ({ default: m.InvitationsPage })));
const ApiKeysPage = lazy(() => import("./pages/org.tsx").then((m) => ({ default: m.ApiKeysPage })));
const AuditPage = lazy(() => import("./pages/org.tsx").then((m) => ({ default: m.AuditPage })));
const NewOrgPage = lazy(() => import("./pages/org.tsx").then((m) => ({ default: m.NewOrgPage })));
const FilesAndLinksPage = lazy(() =>
  import("./pages/data.tsx").then((m) => ({ default: m.FilesAndLinksPage })),
);
const DataPrivacyPage = lazy(() => import("./pages/data.tsx").then((m) => ({ default: m.DataPrivacyPage })));
const AccountPage = lazy(() => import("./pages/data.tsx").then((m) => ({ default: m.AccountPage })));
const LanguageModelsPage = lazy(() =>
  import("./pages/llm.tsx").then((m) => ({ default: m.LanguageModelsPage })),
);
const LlmUsagePage = lazy(() => import("./pages/llm.tsx").then((m) => ({ default: m.LlmUsagePage })));
const SharedPage = lazy(() => import("./pages/shared.tsx").then((m) => ({ default: m.SharedPage })));
const SharedDashboardPage = lazy(() =>
  import("./pages/shared-dashboard.tsx").then((m) => ({ default: m.SharedDashboardPage })),
);
const OrgSettingsPage = lazy(() =>
  import("./pages/org-settings.tsx").then((m) => ({ default: m.OrgSettingsPage })),
);
const SourcesPage = lazy(() => import("./pages/content.tsx").then((m) => ({ default: m.SourcesPage })));
const AskPage = lazy(() => import("./pages/content.tsx").then((m) => ({ default: m.AskPage })));
const ContentHistoryPage = lazy(() =>
  import("./pages/content-history.tsx").then((m) => ({ default: m.ContentHistoryPage })),
);
const AcceptInvitationPage = lazy(() =>
  import("./pages/org.tsx").then((m) => ({ default: m.AcceptInvitationPage })),
);

export function App() {
  const { data: session, isPending, error, refetch } = useSession();
  const [location] = useLocation();
  // The org's number style is the formatter's before any view renders a number (issue 18 item 8).
  const orgSettings = useOrgSettings(session?.activeOrgId);
  if (orgSettings.data)
    setNumberStyle({ negatives: orgSettings.data.negativeNumbers, red: orgSettings.data.negativesRed });
  // A share link's page needs no account (and no organization): outside the shell and sign-in.
  const dashboardToken = /^\/shared\/dashboards\/([^/]+)$/.exec(location)?.[1];
  if (dashboardToken) {
    return (
      <ErrorBoundary resetKey={location}>
        <Suspense fallback={<Loading />}>
          <SharedDashboardPage token={decodeURIComponent(dashboardToken)} />
        </Suspense>
      </ErrorBoundary>
    );
  }
  const sharedToken = /^\/shared\/([^/]+)$/.exec(location)?.[1];
  if (sharedToken) {
    return (
      <ErrorBoundary resetKey={location}>
        <Suspense fallback={<Loading />}>
          <SharedPage token={decodeURIComponent(sharedToken)} />
        </Suspense>
      </ErrorBoundary>
    );
  }
  // The mailed confirmation link works signed in or not (it starts a session either way).
  if (location === "/verify-email") return <VerifyEmailPage />;
  if (isPending) return <Loading label="Loading Modelworks…" />;
  if (error) return <ErrorState error={error} onRetry={() => refetch()} />;
  if (!session) {
    if (location === "/sign-up") return <AuthPage mode="sign-up" />;
    if (location !== "/sign-in") {
      const next = encodeURIComponent(location + window.location.search);
      return <Redirect key="sign-in" to={`/sign-in?next=${next}`} replace />;
    }
    return <AuthPage mode="sign-in" />;
  }
  // Nothing but an invitation or a new organization makes sense before one exists. (Keys: wouter's
  // Redirect navigates once per mount, so each destination needs its own element.)
  const free = ["/orgs/new", "/invitations/accept", "/sign-in", "/sign-up"];
  if (!session.activeOrgId && !free.includes(location))
    return <Redirect key="new-org" to="/orgs/new" replace />;
  return (
    <Shell>
      <ErrorBoundary resetKey={location}>
        <Suspense fallback={<Loading />}>
          <Switch>
            <Route path="/sign-in">{() => <Redirect key="next" to={nextAfterSignIn()} replace />}</Route>
            <Route path="/sign-up">{() => <Redirect key="next" to={nextAfterSignIn()} replace />}</Route>
            <Route path="/invitations/accept" component={AcceptInvitationPage} />
            <Route path="/orgs/new" component={NewOrgPage} />
            <Route path="/">{() => <Redirect key="home" to="/projects" replace />}</Route>
            <Route path="/models" component={CatalogPage} />
            <Route path="/models/:id">{(p) => <ModelPage id={p.id} />}</Route>
            <Route path="/projects" component={ProjectsPage} />
            <Route path="/projects/:id">{(p) => <ProjectPage id={p.id} />}</Route>
            <Route path="/conversations/:id">{(p) => <ConversationPage key={p.id} id={p.id} />}</Route>
            <Route path="/scenarios/:id">{(p) => <ScenarioPage key={p.id} id={p.id} />}</Route>
            <Route path="/runs" component={RunsPage} />
            <Route path="/runs/:id">{(p) => <RunPage key={p.id} id={p.id} />}</Route>
            <Route path="/response-models" component={ResponseModelsPage} />
            <Route path="/response-models/:id">{(p) => <ResponseModelPage key={p.id} id={p.id} />}</Route>
            <Route path="/compare" component={ComparePage} />
            <Route path="/content/sources" component={SourcesPage} />
            <Route path="/content/ask" component={AskPage} />
            <Route path="/content/history" component={ContentHistoryPage} />
            <Route path="/org/members" component={MembersPage} />
            <Route path="/org/invitations" component={InvitationsPage} />
            <Route path="/org/api-keys" component={ApiKeysPage} />
            <Route path="/org/audit" component={AuditPage} />
            <Route path="/org/files" component={FilesAndLinksPage} />
            <Route path="/org/data" component={DataPrivacyPage} />
            <Route path="/org/ai" component={LanguageModelsPage} />
            <Route path="/org/ai-usage" component={LlmUsagePage} />
            <Route path="/org/settings" component={OrgSettingsPage} />
            <Route path="/account" component={AccountPage} />
            <Route>
              <ErrorState title="Page not found" error={new Error("There is no page at this address.")} />
            </Route>
          </Switch>
        </Suspense>
      </ErrorBoundary>
    </Shell>
  );
}

function nextAfterSignIn() {
  const next = new URLSearchParams(window.location.search).get("next");
  // Only a path on this site: never an open redirect.
  return next?.startsWith("/") && !next.startsWith("//") ? next : "/projects";
}

function Shell({ children }: { children: ReactNode }) {
  const [opened, { toggle, close }] = useDisclosure();
  const { session, org, can } = useOrg();
  const [location] = useLocation();
  const switchOrg = useSwitchOrg();
  const signOut = useSignOut();
  const nav: { href: string; label: string; show: boolean }[] = [
    { href: "/projects", label: "Projects", show: true },
    { href: "/models", label: "Model catalog", show: true },
    { href: "/runs", label: "Runs", show: true },
    { href: "/content/ask", label: "Ask", show: !!org },
    { href: "/content/sources", label: "Sources", show: !!org },
    { href: "/content/history", label: "Content history", show: !!org },
    { href: "/response-models", label: "Response models", show: !!org },
    { href: "/org/members", label: "Members", show: !!org },
    { href: "/org/invitations", label: "Invitations", show: can("members:manage") },
    { href: "/org/api-keys", label: "API keys", show: can("keys:manage") },
    { href: "/org/audit", label: "Audit log", show: can("audit:read") },
    { href: "/org/files", label: "Files & share links", show: !!org },
    { href: "/org/data", label: "Data & privacy", show: !!org },
    { href: "/org/ai", label: "AI providers", show: !!org },
    { href: "/org/ai-usage", label: "AI usage", show: can("audit:read") },
    { href: "/org/settings", label: "Settings", show: !!org },
  ];
  return (
    <AppShell
      header={{ height: 56 }}
      navbar={{ width: 210, breakpoint: "sm", collapsed: { mobile: !opened } }}
      padding="md"
    >
      <AppShell.Header>
        {/* Keyboard users reach the page's own content in one Tab instead of twenty (issue 18). */}
        <a href="#main" className="skip-link">
          Skip to content
        </a>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label="Menu" />
            <Anchor component={Link} href="/projects" fw={700} size="lg" underline="never">
              Modelworks
            </Anchor>
          </Group>
          <Group gap="sm" wrap="nowrap">
            {session && session.organizations.length > 0 ? (
              <NativeSelect
                aria-label="Organization"
                size="xs"
                w={{ base: 130, sm: 220 }}
                value={session.activeOrgId ?? ""}
                data={session.organizations.map((o) => ({ value: o.orgId, label: `${o.name} (${o.role})` }))}
                onChange={(e) => {
                  const v = e.currentTarget.value;
                  if (v && v !== session.activeOrgId) switchOrg.mutate(v);
                }}
              />
            ) : null}
            <Anchor component={Link} href="/orgs/new" size="sm" visibleFrom="sm">
              New organization
            </Anchor>
            <ThemeToggle />
            <Anchor component={Link} href="/account" size="sm" visibleFrom="md" title={session?.user.email}>
              {session?.user.name}
            </Anchor>
            <Anchor component="button" size="sm" onClick={() => signOut.mutate()}>
              Sign out
            </Anchor>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" aria-label="Main">
        {/* Work first; the organization's administration below, quieter (issue 18 item 15). */}
        {nav
          .filter((n) => n.show && !n.href.startsWith("/org/"))
          .map((n) => (
            <NavLink
              key={n.href}
              component={Link}
              href={n.href}
              label={n.label}
              active={location === n.href || location.startsWith(`${n.href}/`)}
              onClick={close}
            />
          ))}
        <Text size="xs" c="dimmed" fw={600} mt="lg" mb={4} px="xs" tt="uppercase">
          Organization
        </Text>
        {nav
          .filter((n) => n.show && n.href.startsWith("/org/"))
          .map((n) => (
            <NavLink
              key={n.href}
              component={Link}
              href={n.href}
              label={n.label}
              active={location === n.href || location.startsWith(`${n.href}/`)}
              onClick={close}
              styles={{ label: { fontSize: "var(--mantine-font-size-xs)" } }}
            />
          ))}
      </AppShell.Navbar>
      <AppShell.Main id="main" tabIndex={-1}>
        {children}
      </AppShell.Main>
    </AppShell>
  );
}

function ThemeToggle() {
  const { setColorScheme } = useMantineColorScheme();
  const scheme = useComputedColorScheme("light");
  const next = scheme === "dark" ? "light" : "dark";
  return (
    <ActionIcon
      variant="default"
      aria-label={`Switch to ${next} theme`}
      title={`Switch to ${next} theme`}
      onClick={() => setColorScheme(next)}
    >
      <span aria-hidden>{scheme === "dark" ? "☀" : "☾"}</span>
    </ActionIcon>
  );
}
