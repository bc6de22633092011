import { startEarlyRequests } from "./lib/early-requests.ts";

// Imported first by main.tsx, so it runs before React and the UI library are evaluated: the first
// page's requests leave as early as the app's code can send them (lib/early-requests.ts).
startEarlyRequests(window.location.pathname, () => import("./pages/dashboards.tsx"));
