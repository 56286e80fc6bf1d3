# BlueBirdHub Workflows: one image for the API, the worker and the projections processes
# (docker-compose.yml picks the process with `command`).

FROM node:20-bookworm-slim AS build
# No analytics prompt from the Angular CLI during the designer build.
ENV NG_CLI_ANALYTICS=false \
    CI=true
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
# Builds the backend (dist/src, dist/projections, ...) and the designer (dist/designer).
RUN npm run build

FROM node:20-bookworm-slim AS runtime
# A young generation of 64 MB lets a run's objects die young instead of being promoted and marked:
# about 15% less Node CPU per execution (the same flag as the package.json start scripts).
ENV NODE_ENV=production \
    NODE_OPTIONS=--max-semi-space-size=64 \
    PORT=3000
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force
COPY --from=build /app/dist ./dist
# Embedded mode keeps PGlite files in ./data; the compose stack uses PostgreSQL instead, but the
# directory stays writable for the unprivileged user in case the image runs on its own.
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 3000
CMD ["node", "dist/src/main.js"]
