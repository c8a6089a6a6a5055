# stancewatch daemon image. Build and run: README, "Deploy".
#   docker build -t stancewatch .
#   docker run -d --name stancewatch --env-file stancewatch.env -v stancewatch-data:/data stancewatch

# Build stage: compilers for better-sqlite3's native module (used when no prebuilt binary fits). The full
# `npm ci` compiles the TypeScript into dist/ (its `prepare` script, which needs the sources and the dev
# dependencies), then the dev dependencies are dropped: the runtime stage gets the compiled code and the
# production packages only.
FROM node:20-bookworm-slim AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY . .
RUN npm ci --no-audit --no-fund \
 && npm prune --omit=dev --no-audit --no-fund \
 && test -f dist/cli/bin.js

# Runtime stage: no compilers, code owned by root, the daemon as the unprivileged `node` user.
FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    STANCEWATCH_CONFIG=/app/config/stancewatch.yaml \
    STANCEWATCH_DB=/data/stancewatch.sqlite \
    STANCEWATCH_LOG_FORMAT=json
COPY --from=build /app /app
# /data: the database, archive/ and digests/. Paths in the config resolve against its folder, so the image's
# copy points them into the volume (a config you mount over it should do the same).
RUN sed -i -e 's#^  archive_dir: .*#  archive_dir: /data/archive#' -e 's#^  out_dir: .*#  out_dir: /data/digests#' /app/config/stancewatch.yaml \
 && grep -q '^  archive_dir: /data/archive' /app/config/stancewatch.yaml && grep -q '^  out_dir: /data/digests' /app/config/stancewatch.yaml
RUN mkdir -p /data && chown node:node /data
VOLUME ["/data"]
WORKDIR /data
USER node
# The daemon finishes its current batch and exits 0 on SIGTERM (give it time: docker stop -t 90).
STOPSIGNAL SIGTERM
# node directly (exec form, PID 1): signals reach the daemon, not a shell or npm.
CMD ["node", "/app/dist/cli/bin.js", "start"]
