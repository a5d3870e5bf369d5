# syntax=docker/dockerfile:1
#
# otpbox as a container image: compiled JavaScript, production dependencies only, a non-root user.
#
#   docker build -t otpbox .
#   docker run -d -p 8080:8080 -v otpbox-data:/data otpbox          # one machine, embedded database (PGlite)
#   docker run -d -p 8080:8080 -e DATABASE_URL=… -e SECRET_KEY=… otpbox   # on PostgreSQL (see compose.yaml)
#
# Three stages: `deps` installs the production dependencies, `build` installs everything and runs
# `npm run build` (dist/otpbox.mjs, dist/migrations, dist/pglite-template, web/dist), and `runtime`
# takes only what `otpbox start` reads. Why these choices: docs/adr/0041-deployment.md.
#
# Install scripts: package.json's `allowScripts` denies the only two dependencies that have any
# (esbuild, vue-demi), and none is needed. `--ignore-scripts` gives the same result whichever npm the
# base image ships (npm 10 ignores `allowScripts`), and also skips our own `prepare` (= the build), which
# the build stage runs explicitly once the sources are copied.

# Pin by digest for reproducible builds: --build-arg NODE_IMAGE=node:20-bookworm-slim@sha256:…
ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# Only the lock file's production tree: what the bundle imports at run time (scripts/build.mjs bundles
# the pure-JavaScript packages every start loads and leaves the rest to node_modules), native
# @node-rs/argon2 (its prebuilt glibc binary, an optional dependency of the platform) and PGlite's
# WebAssembly included.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
# The sources (.dockerignore keeps out node_modules, dist, data folders, .git, secrets, test output).
COPY . .
# Server bundle, migrations, the embedded database's template (made by running initdb once), web app.
# Then the modes: PGlite's initdb leaves files 0666 and one 0600 (pg_logical/replorigin_checkpoint);
# the runtime user must read them all (a first start copies the template) and write none of them.
RUN npm run build && chmod -R u=rwX,go=rX dist web/dist

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
# What `npm start` gives node (ADR 21): about 30 MB less idle memory.
ENV NODE_OPTIONS=--max-semi-space-size=4
# Every interface of the container (otpbox's own default is 127.0.0.1), on otpbox's default port.
ENV HOST=0.0.0.0
ENV PORT=8080
# The embedded database, secret.key and the admin socket (PGlite case); on PostgreSQL it stays empty.
ENV DATA_DIR=/data
WORKDIR /app
# A numeric, non-root user (Kubernetes' runAsNonRoot can only check a number), owning nothing of the
# code: only the data folder is its own, 0700 as otpbox wants it (a looser one is tightened, with a warning).
RUN groupadd --system --gid 10001 otpbox \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin otpbox \
 && mkdir -p /data && chown 10001:10001 /data && chmod 0700 /data
# package.json: otpbox finds its files (web app, template) and its version from the folder holding it.
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/dist ./dist
COPY --from=build /app/web/dist ./web/dist
# The `otpbox` command (`docker exec <container> otpbox ledger verify`): with no src/ in the image,
# the launcher always runs dist/ (bin/entry.js).
COPY --from=build /app/bin ./bin
RUN ln -s /app/bin/otpbox.js /usr/local/bin/otpbox
USER 10001:10001
VOLUME ["/data"]
EXPOSE 8080
# /readyz: the database answers and the schema is migrated; 503 while starting or draining. No curl
# in a slim image: node's own fetch, bounded, exit 0 only on a 200.
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/readyz',{signal:AbortSignal.timeout(4000)}).then(r=>process.exit(r.status===200?0:1),()=>process.exit(1))"]
# SIGTERM drains (readiness 503, in-flight requests, commands and jobs finish, bounded by
# SHUTDOWN_TIMEOUT_MS); exec form, so node is PID 1 and receives the signal itself.
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "dist/otpbox.mjs"]
CMD ["start"]
