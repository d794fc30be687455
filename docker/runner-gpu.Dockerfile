# syntax=docker/dockerfile:1.7
# Equilab GPU runner: TensorFlow.js on libtensorflow with CUDA 11.2 + cuDNN 8 (RUNNER_BACKEND=tensorflow-gpu).
#   docker build -f docker/runner-gpu.Dockerfile -t equilab/runner-gpu .
# Run with a GPU (`docker run --gpus 1`, compose profile `gpu`, k8s `nvidia.com/gpu: 1`); the entrypoint refuses to
# start when no GPU is visible. Node 20 comes from the pinned official Node image (same tag as the other images).

FROM node:20.20.2-bookworm-slim AS node

FROM node AS prune
ENV TURBO_TELEMETRY_DISABLED=1
WORKDIR /src
COPY . .
# turbo at the version the lockfile pins (node_modules is not part of the build context)
RUN npm install -g --no-audit --no-fund "turbo@$(node -p "require('./package-lock.json').packages['node_modules/turbo'].version")" \
 && turbo prune @equilab/runner --docker --out-dir /out

# ---- build: compile the runner and its libraries (plain JavaScript output, so it can be built on Debian) ----------
FROM node AS build
ENV TURBO_TELEMETRY_DISABLED=1 CHECKPOINT_DISABLE=1 PRISMA_SCHEMA_ENGINE_BINARY=/bin/false
WORKDIR /app
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
 && mkdir -p /dists \
 && for d in apps/*/dist libs/*/dist; do mkdir -p "/dists/$d" && cp -a "$d/." "/dists/$d/"; done

# ---- cuda-node: CUDA 11.2 + cuDNN 8 runtime (Ubuntu 20.04) with Node 20 ------------------------------------------
FROM nvidia/cuda:11.2.2-cudnn8-runtime-ubuntu20.04 AS cuda-node
COPY --from=node /usr/local/bin/node /usr/local/bin/node
COPY --from=node /usr/local/lib/node_modules/ /usr/local/lib/node_modules/
COPY --from=node /usr/local/include/node/ /usr/local/include/node/
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \
 && node --version

# ---- gpu-deps: production dependencies + tfjs-node-gpu, installed against Ubuntu 20.04's glibc ---------------------
FROM cuda-node AS gpu-deps
ENV DEBIAN_FRONTEND=noninteractive CHECKPOINT_DISABLE=1
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=prune /out/json/ ./
COPY scripts/postinstall.mjs scripts/postinstall.mjs
# the postinstall applies patches/ (tfjs wasm backend: threads in Node) with patch-package
COPY patches/ patches/
RUN npm ci --omit=dev --no-audit --no-fund \
 && npm install --omit=dev --no-save --no-audit --no-fund @tensorflow/tfjs-node-gpu@4.22.0 \
 && npm cache clean --force

# ---- runner-gpu (final stage) --------------------------------------------------------------------------------------
FROM cuda-node AS runner-gpu
ENV NODE_ENV=production \
    RUNNER_BACKEND=tensorflow-gpu \
    RUNNER_DEVICES=1 \
    DATA_ROOT=/data \
    ARTIFACT_DIR=/var/lib/equilab/artifacts \
    SPILL_DIR=/var/lib/equilab/spill \
    WORK_DIR=/var/lib/equilab/work \
    NVIDIA_DRIVER_CAPABILITIES=compute,utility \
    TF_CPP_MIN_LOG_LEVEL=1
RUN groupadd --gid 1000 equilab && useradd --uid 1000 --gid 1000 --no-create-home --shell /usr/sbin/nologin equilab
WORKDIR /app
COPY --from=gpu-deps --chown=1000:1000 /app/ ./
COPY --from=build --chown=1000:1000 /dists/ ./
COPY --chown=1000:1000 docker/healthcheck.mjs /usr/local/lib/equilab/healthcheck.mjs
COPY --chmod=0755 docker/runner-gpu-entrypoint.sh /usr/local/bin/runner-gpu-entrypoint.sh
RUN mkdir -p /data /var/lib/equilab/artifacts /var/lib/equilab/spill /var/lib/equilab/work && chown -R 1000:1000 /var/lib/equilab
USER 1000:1000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "/usr/local/lib/equilab/healthcheck.mjs", "redis"]
WORKDIR /app/apps/runner
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/runner-gpu-entrypoint.sh"]
CMD ["node", "dist/main.js"]
