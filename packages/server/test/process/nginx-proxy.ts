import { chmodSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { type Child, freePort, REPO_ROOT, startChild, waitForReady } from "./spawn.ts";

/**
 * Debian's nginx running deploy/nginx.conf in front of app processes, as deploy/compose.yaml runs
 * it: shared by the two-instance integration test and the load benchmark (bench/load.ts).
 */

export const NGINX = "/usr/sbin/nginx";

export interface NginxProxy {
  child: Child;
  base: string;
  stop(): Promise<void>;
}

/** Starts nginx on a free loopback port over `upstreams` (`host:port`), with its files in `dir`. */
export async function startNginx(upstreams: string[], dir: string): Promise<NginxProxy> {
  const port = await freePort();
  // Workers may run as another user (nobody) when nginx starts as root: let them in.
  chmodSync(dir, 0o755);
  writeFileSync(path.join(dir, "nginx.conf"), nginxConfig(upstreams, port, dir));
  const args = ["-e", path.join(dir, "error.log"), "-p", `${dir}/`, "-c", "nginx.conf"];
  const check = startChild(NGINX, [...args, "-t"], { env: {} });
  const checked = await check.exited;
  if (checked.code !== 0) throw new Error(`nginx -t failed:\n${check.stderr()}`);
  const child = startChild(NGINX, [...args, "-g", `daemon off; pid ${path.join(dir, "nginx.pid")};`], {
    env: {},
    detached: true, // its own process group, so its workers go with it
  });
  const base = `http://127.0.0.1:${port}`;
  await waitForReady(`${base}/health`, child, 30_000);
  return {
    child,
    base,
    stop: async () => {
      await child.stop("SIGQUIT", 5_000);
    },
  };
}

/** deploy/nginx.conf with the app addresses, a loopback port and every file under `dir`. */
export function nginxConfig(upstreams: string[], port: number, dir: string): string {
  const source = readFileSync(path.join(REPO_ROOT, "deploy/nginx.conf"), "utf8");
  const replace = (text: string, pattern: RegExp, by: (substring: string) => string) => {
    if (!pattern.test(text)) throw new Error(`deploy/nginx.conf no longer matches ${pattern}`);
    return text.replace(pattern, by);
  };
  let conf = replace(
    source,
    /(# upstream servers: begin\n)([\s\S]*?)(\s*# upstream servers: end)/,
    (block) => {
      let i = 0;
      const out = block.replace(/server\s+app\d+:3000/g, () => `server ${upstreams[i++]}`);
      if (i !== upstreams.length)
        throw new Error(`expected ${upstreams.length} upstream servers, found ${i}`);
      return out;
    },
  );
  conf = replace(conf, /listen 80;/, () => `listen 127.0.0.1:${port};`);
  conf = replace(conf, /\/var\/log\/nginx\//g, () => `${dir}/`);
  const temp = ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"]
    .map((t) => `  ${t}_temp_path ${dir}/${t}_temp;`)
    .join("\n");
  conf = replace(conf, /^http \{\n/m, (http) => `${http}${temp}\n`);
  return conf;
}
