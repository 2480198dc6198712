# Envelope's container image (docs/operations.md#docker).
# Stage 1 compiles the TypeScript and builds better-sqlite3's native addon with the development
# dependencies; stage 2 holds only the compiled server, the production dependencies and the policy
# files, and runs as the unprivileged `node` user with the database on a volume.

FROM node:20-bookworm-slim AS build
WORKDIR /app
# Compilers for the native SQLite addon, in case no prebuilt binary fits this platform.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
COPY scripts/audit-verify.ts ./scripts/audit-verify.ts
# Only the server and the audit chain checker: tests and benchmarks are not part of the image.
RUN printf '{"extends":"./tsconfig.json","include":["src/**/*.ts","scripts/audit-verify.ts"]}' > tsconfig.image.json \
 && npx tsc -p tsconfig.image.json \
 && npm prune --omit=dev

FROM node:20-bookworm-slim AS runtime
# SHUTDOWN_GRACE_MS stays below `docker stop`'s default 10 s, so the audit log is flushed and the
# store closed before Docker would kill the process (raise both together: docker stop -t).
ENV NODE_ENV=production \
    PORT=8080 \
    HOST=0.0.0.0 \
    DATA_DIR=/data \
    LOG_LEVEL=info \
    SHUTDOWN_GRACE_MS=7000
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist/src ./dist/src
COPY --from=build /app/dist/scripts/audit-verify.js ./dist/scripts/audit-verify.js
COPY package.json ./
COPY policy ./policy
COPY profiles ./profiles
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 8080
# /healthz over HTTP, or HTTPS when the container serves TLS itself (its own certificate: not checked here).
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD node -e "const t=!!process.env.TLS_CERT_FILE;require(t?'https':'http').get({host:'127.0.0.1',port:process.env.PORT||8080,path:'/healthz',rejectUnauthorized:false,timeout:2500},r=>process.exit(r.statusCode===200?0:1)).on('error',()=>process.exit(1)).on('timeout',()=>process.exit(1))"
# node itself is PID 1 and handles SIGTERM (docker stop) with the orderly shutdown.
CMD ["node", "dist/src/main.js"]
