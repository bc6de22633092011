import { ConfigError, loadConfig } from "./config.ts";
import { DEMO } from "./seed.ts";
import { startServer } from "./server.ts";

/** `npm start`: configuration from the environment, then serve until SIGTERM or SIGINT. */
async function main() {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
  const app = await startServer(config);
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : config.PORT;
  const url = config.PUBLIC_URL.replace(`:${config.PORT}`, `:${port}`);
  const lines = [
    "",
    `  Modelworks is running at ${url}`,
    `  API docs:     ${url}/docs`,
    `  Database:     ${config.embedded ? `embedded PGlite in ${config.DATA_DIR}` : "PostgreSQL"}`,
  ];
  lines.push(
    config.SMTP_URL
      ? "  Mail:         sent over SMTP (SMTP_URL)"
      : "  Mail:         printed here (set SMTP_URL to send it): sign-up links appear below",
  );
  if (config.SEED_DEMO) lines.push(`  Demo login:   ${DEMO.email} / ${DEMO.password}`);
  console.log(`${lines.join("\n")}\n`);

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, "shutting down: no new connections, finishing in-flight requests");
    const force = setTimeout(() => {
      app.log.error("shutdown timed out; exiting");
      process.exit(1);
    }, config.SHUTDOWN_TIMEOUT_MS);
    force.unref();
    await app.close();
    app.log.info("shutdown complete");
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
