# syntax=docker/dockerfile:1
#
# Sportello: one image for every role. The command picks it (compose.yaml):
#   node server.js                        PROCESS_ROLE=web (HTTP) or all
#   node worker.js                        the jobs and the schedules
#   node ace.js migration:run --force     the release step, once per deployment
#   node ace.js simulators:serve ...      the demo's SMTP capture and DOCAREA simulator
# Built and run only by people with Docker: CI checks this file's consistency, and runs the same
# layout without containers (scripts/prod-smoke.sh). See docs/deploy.md.

# --- build: compile the server, the plugins and the portal; install production dependencies ---
FROM node:20-bookworm-slim AS build
# Native modules (better-sqlite3, isolated-vm) compile from source, against this Node's own headers.
ENV npm_config_nodedir=/usr/local
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/* \
 && npm install -g npm@11
WORKDIR /src
# Manifests first, so the dependency layer is rebuilt only when they change.
COPY package.json package-lock.json ./
COPY platform/package.json platform/
COPY forms/package.json forms/
COPY rules/package.json rules/
COPY plugins/ plugins/
RUN npm ci --no-audit --no-fund
COPY . .
# --no-links: build/ gets its own node_modules below, not links into the source tree.
RUN npm run build -- --no-links
WORKDIR /src/build
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# --- runtime: the build and its production dependencies, run by an unprivileged user ---
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    STORAGE_PATH=/var/lib/sportello/storage \
    HOST=0.0.0.0 \
    PORT=3333
WORKDIR /app
# Owned by root and read-only to the application: it writes only to its volumes.
COPY --from=build /src/build /app
RUN mkdir -p /var/lib/sportello/storage /var/lib/sportello/simulators \
 && chown -R node:node /var/lib/sportello
USER node
EXPOSE 3333
VOLUME ["/var/lib/sportello/storage"]
CMD ["node", "--enable-source-maps", "server.js"]
