// First: starts the page's requests before the rest of the app is evaluated.
import "./early.ts";
import "@mantine/core/styles.css";
import "./app.css";
import {
  Anchor,
  type CSSVariablesResolver,
  createTheme,
  DEFAULT_THEME,
  darken,
  MantineProvider,
} from "@mantine/core";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App.tsx";
import { isTransient } from "./api.ts";

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // A refusal (403/404/422) will not change by asking again; a network blip might.
      retry: (count, err) => count < 2 && isTransient(err),
      refetchOnWindowFocus: false,
    },
  },
});

// WCAG AA: Mantine's default blue (shade 6) and dimmed grey are below 4.5:1 on white.
// Links are underlined: in running text colour alone does not set them apart (axe link-in-text-block).
const theme = createTheme({
  primaryColor: "blue",
  primaryShade: { light: 8, dark: 8 },
  defaultRadius: "sm",
  components: { Anchor: Anchor.extend({ defaultProps: { underline: "always" } }) },
});
// Light variants (badges, the active nav link, subtle buttons) put shade 8 on a pale tint: 3–4.4:1.
// Shade 9 darkened by a fifth is ≥ 4.5:1 on every tint (browser-a11y.test.ts checks it with axe).
const lightVariantText = Object.fromEntries(
  Object.keys(DEFAULT_THEME.colors).map((c) => [
    `--mantine-color-${c}-light-color`,
    darken(DEFAULT_THEME.colors[c]![9], 0.2),
  ]),
);
const resolver: CSSVariablesResolver = () => ({
  variables: {},
  light: { "--mantine-color-dimmed": "var(--mantine-color-gray-7)", ...lightVariantText },
  dark: { "--mantine-color-dimmed": "var(--mantine-color-dark-1)" },
});

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <MantineProvider theme={theme} defaultColorScheme="auto" cssVariablesResolver={resolver}>
      <QueryClientProvider client={queryClient}>
        <App />
      </QueryClientProvider>
    </MantineProvider>
  </StrictMode>,
);
