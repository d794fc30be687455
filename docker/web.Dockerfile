# syntax=docker/dockerfile:1.7
# Equilab dashboard (Next.js). Build from the repository root:
#   docker build -f docker/web.Dockerfile -t equilab/web .
# The dashboard forwards /api/* and /socket.io/* to the API named by API_URL, read per request at run time
# (apps/web/src/proxy.ts), so one image serves any deployment; the browser only ever talks to the dashboard's origin.
# Behind the Kubernetes Ingress, /api and /socket.io go to the API directly (with sticky sessions).
FROM node:20.20.2-bookworm-slim AS base
ENV NEXT_TELEMETRY_DISABLED=1 TURBO_TELEMETRY_DISABLED=1 CHECKPOINT_DISABLE=1 PRISMA_SCHEMA_ENGINE_BINARY=/bin/false
WORKDIR /app

FROM base AS prune
WORKDIR /src
COPY . .
# turbo at the version the lockfile pins (node_modules is not part of the build context)
RUN npm install -g --no-audit --no-fund "turbo@$(node -p "require('./package-lock.json').packages['node_modules/turbo'].version")" \
 && turbo prune @equilab/web --docker --out-dir /out

FROM base AS build
COPY --from=prune /out/json/ ./
COPY scripts/postinstall.mjs scripts/postinstall.mjs
# the root postinstall runs `prisma generate` whenever the prisma CLI (a dev dependency) is installed
COPY prisma/ prisma/
RUN npm ci --no-audit --no-fund
COPY --from=prune /out/full/ ./
COPY tsconfig.json ./
RUN npx --no-install turbo run build --env-mode=loose --filter=@equilab/web... \
 && rm -rf apps/web/.next/cache \
 && npm prune --omit=dev --no-audit --no-fund \
 && npm cache clean --force

# ---- web: `next start -p 3000` (final stage) ----------------------------------------------------------------------
FROM base AS web
ENV NODE_ENV=production PORT=3000 HOSTNAME=0.0.0.0 API_URL=http://api:4000
COPY --from=build --chown=1000:1000 /app/ ./
COPY --chown=1000:1000 docker/healthcheck.mjs /usr/local/lib/equilab/healthcheck.mjs
# next start writes its image/fetch cache here; with a read-only root filesystem mount a volume on it (k8s: emptyDir)
RUN mkdir -p apps/web/.next/cache && chown 1000:1000 apps/web/.next/cache
USER 1000:1000
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "/usr/local/lib/equilab/healthcheck.mjs", "http://127.0.0.1:3000/"]
WORKDIR /app/apps/web
CMD ["node", "/app/node_modules/next/dist/bin/next", "start", "-p", "3000"]
