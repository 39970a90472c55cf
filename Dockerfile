# Two stages: the build stage installs every dependency and runs `npm run build` (tools/build.js:
# JavaScript in dist/, and the embedded store's template); the runtime stage holds production
# dependencies and dist/ only, starts with plain node, and runs as the unprivileged `node` user.
# tools/smoke-built.sh (in .ci/run) repeats the runtime stage's steps in a temporary folder.
FROM node:20-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
# Scripts off here: `prepare` needs the sources, which are copied next.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tools ./tools
COPY infra ./infra
COPY apps ./apps
COPY libs ./libs
# @swc/core's native binding comes as an optional dependency, so no install script is needed.
RUN npm run build

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
# No scripts: `prepare` (the build) already ran in the build stage, and no production dependency needs one.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /src/dist ./dist
# The embedded store (used when DATABASE_URL is unset) lives in a volume the `node` user owns.
RUN mkdir /data && chown node:node /data
ENV LEDGER_DATA_DIR=/data
VOLUME /data
USER node
ENTRYPOINT ["node", "dist/apps/cli/src/main.js"]
CMD ["--help"]
