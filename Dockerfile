# syntax=docker/dockerfile:1
#
# The Modelworks server. Sources run through tsx exactly as `npm start` runs them: there is no
# build step (docs/decisions/0001). deploy/compose.yaml runs two replicas of this image on
# PostgreSQL and Redis behind nginx; see deploy/README.md.
#
#   docker build -t modelworks .
#   docker run -p 3000:3000 -e SESSION_SECRET=... -v modelworks-data:/data modelworks

ARG NODE_IMAGE=node:20-bookworm-slim

# Every workspace manifest and nothing else, so that the install layer below is rebuilt only
# when dependencies change, and a new workspace package needs no edit here.
FROM ${NODE_IMAGE} AS manifests
WORKDIR /app
COPY packages ./packages
RUN find packages -type f ! -name package.json -delete && find packages -type d -empty -delete

# Production dependencies only (tsx is one: it runs the server). Same base image as the
# runtime, so native packages (@node-rs/argon2) match its libc.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY --from=manifests /app/packages ./packages
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --no-audit --no-fund

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/data
WORKDIR /app
# Owned by root and read-only to the server's user; only DATA_DIR (embedded database) is writable.
COPY --from=deps /app ./
COPY tsconfig.json ./
COPY packages ./packages
# The web app (packages/web/dist), served by the server at /; Vite is a dependency of @modelworks/web.
RUN node --import tsx packages/web/scripts/build.ts
# /data/files exists in the image so a named volume mounted there (compose.yaml) starts owned by node.
RUN mkdir -p /data/files && chown -R node:node /data
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "--import", "tsx", "packages/server/src/main.ts"]
