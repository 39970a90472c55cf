FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY tools ./tools
COPY infra ./infra
COPY apps ./apps
COPY libs ./libs
COPY tsconfig.json ./
ENV NODE_ENV=production
ENTRYPOINT ["node", "-r", "./tools/register.js", "apps/cli/src/main.ts"]
