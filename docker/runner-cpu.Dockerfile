# syntax=docker/dockerfile:1.7
# Equilab CPU runner: BullMQ worker training with TensorFlow.js on libtensorflow (RUNNER_BACKEND=tensorflow).
#   docker build -f docker/runner-cpu.Dockerfile -t equilab/runner-cpu .
# @tensorflow/tfjs-node 4.22.0 is installed here, in the image, not in the workspace: its install script downloads
# libtensorflow, which needs the internet at build time. It shares the workspace's @tensorflow/tfjs-core 4.22.0.

FROM node:20.20.2-bookworm-slim AS base
ENV TURBO_TELEMETRY_DISABLED=1 CHECKPOINT_DISABLE=1 PRISMA_SCHEMA_ENGINE_BINARY=/bin/false
WORKDIR /app

FROM base AS prune
WORKDIR /src
COPY . .
# turbo at the version the lockfile pins (node_modules is not part of the build context)
RUN npm install -g --no-audit --no-fund "turbo@$(node -p "require('./package-lock.json').packages['node_modules/turbo'].version")" \
 && turbo prune @equilab/runner --docker --out-dir /out

# ---- build: full install, tsc, then drop dev dependencies and add tfjs-node (production) ------------------------
FROM base AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY --from=prune /out/json/ ./
COPY scripts/postinstall.mjs scripts/postinstall.mjs
# the postinstall applies patches/ (tfjs wasm backend: threads in Node) with patch-package
COPY patches/ patches/
# the root postinstall runs `prisma generate` whenever the prisma CLI (a dev dependency) is installed
COPY prisma/ prisma/
RUN npm ci --no-audit --no-fund
COPY --from=prune /out/full/ ./
COPY tsconfig.json ./
RUN npx --no-install turbo run build --env-mode=loose --filter=@equilab/runner... \
 && npm prune --omit=dev --no-audit --no-fund \
 && npm install --omit=dev --no-save --no-audit --no-fund @tensorflow/tfjs-node@4.22.0 \
 && node -e "require('@tensorflow/tfjs-node')" \
 && npm cache clean --force

# ---- runner-cpu (final stage) ------------------------------------------------------------------------------------
FROM base AS runner-cpu
ENV NODE_ENV=production \
    RUNNER_BACKEND=tensorflow \
    RUNNER_DEVICES=1 \
    DATA_ROOT=/data \
    ARTIFACT_DIR=/var/lib/equilab/artifacts \
    SPILL_DIR=/var/lib/equilab/spill \
    WORK_DIR=/var/lib/equilab/work
COPY --from=build --chown=1000:1000 /app/ ./
COPY --chown=1000:1000 docker/healthcheck.mjs /usr/local/lib/equilab/healthcheck.mjs
RUN mkdir -p /data /var/lib/equilab/artifacts /var/lib/equilab/spill /var/lib/equilab/work && chown -R 1000:1000 /var/lib/equilab
USER 1000:1000
# A worker has no port: healthy while its queue (REDIS_URL) answers.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "/usr/local/lib/equilab/healthcheck.mjs", "redis"]
WORKDIR /app/apps/runner
# SIGTERM (preemption, scale-down) lets the worker checkpoint and hand its job back before the grace period ends.
STOPSIGNAL SIGTERM
CMD ["node", "dist/main.js"]
