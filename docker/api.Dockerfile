# syntax=docker/dockerfile:1.7
# Equilab API (NestJS) and its one-shot migration image. Build from the repository root:
#   docker build -f docker/api.Dockerfile -t equilab/api .                      # the API (default: last stage)
#   docker build -f docker/api.Dockerfile --target migrate -t equilab/migrate .
# Migrations never run at API start: the `migrate` image runs once per release (compose service / k8s Job).

FROM node:20.20.2-bookworm-slim AS base
ENV CHECKPOINT_DISABLE=1 PRISMA_SCHEMA_ENGINE_BINARY=/bin/false NEXT_TELEMETRY_DISABLED=1 TURBO_TELEMETRY_DISABLED=1
WORKDIR /app

# ---- prune: only the API's workspace closure (turbo prune --docker) ---------------------------------------------
FROM base AS prune
WORKDIR /src
COPY . .
# turbo at the version the lockfile pins (node_modules is not part of the build context)
RUN npm install -g --no-audit --no-fund "turbo@$(node -p "require('./package-lock.json').packages['node_modules/turbo'].version")" \
 && turbo prune @equilab/api --docker --out-dir /out

# ---- build: full install (typescript, prisma, turbo), prisma generate (root postinstall), tsc, then prune dev deps
FROM base AS build
COPY --from=prune /out/json/ ./
COPY scripts/postinstall.mjs scripts/postinstall.mjs
COPY prisma/ prisma/
RUN npm ci --no-audit --no-fund
COPY --from=prune /out/full/ ./
COPY tsconfig.json ./
RUN npx --no-install turbo run build --env-mode=loose --filter=@equilab/api... \
 && npm prune --omit=dev --no-audit --no-fund \
 && npm cache clean --force

# ---- migrate: one-shot `node scripts/migrate.mjs deploy` (WebAssembly schema engine; no engine binaries) ---------
FROM base AS migrate
ENV NODE_ENV=production
COPY --from=build --chown=1000:1000 /app/package.json ./package.json
COPY --from=build --chown=1000:1000 /app/node_modules/ ./node_modules/
COPY --chown=1000:1000 prisma/ prisma/
COPY --chown=1000:1000 scripts/migrate.mjs scripts/migrate.mjs
USER 1000:1000
CMD ["node", "scripts/migrate.mjs", "deploy"]

# ---- api: the server (final stage, default target) --------------------------------------------------------------
FROM base AS api
ENV NODE_ENV=production API_HOST=0.0.0.0 API_PORT=4000 ARTIFACT_DIR=/var/lib/equilab/artifacts
COPY --from=build --chown=1000:1000 /app/ ./
COPY --chown=1000:1000 docker/healthcheck.mjs /usr/local/lib/equilab/healthcheck.mjs
RUN mkdir -p /var/lib/equilab/artifacts && chown -R 1000:1000 /var/lib/equilab
USER 1000:1000
EXPOSE 4000
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "/usr/local/lib/equilab/healthcheck.mjs", "http://127.0.0.1:4000/api/health"]
WORKDIR /app/apps/api
CMD ["node", "dist/main.js"]
