# One multi-stage build for every podid app. Build one image per app:
#   docker build --build-arg APP=gateway -t podid/gateway .
# or one image holding every app (each Deployment names its main.js in args),
# as the cluster test tier does (tools/cluster/scripts/build-images.sh):
#   docker build --build-arg APP=all -t podid/podid .
# The runtime image is Debian slim (not distroless) because the authn-client
# container must have /bin/sh for the certificate injection (docs/conjur-compatibility.md section 4).
ARG NODE_IMAGE=node:20.20-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
COPY apps apps
COPY libs libs
COPY tools tools
COPY proto proto
COPY nx.json tsconfig.base.json jest.preset.cjs eslint.config.mjs buf.yaml buf.gen.yaml ./
ENV NX_DAEMON=false NX_NO_CLOUD=true
RUN npm ci --no-audit --no-fund
ARG APP=gateway
RUN if [ "$APP" = all ]; then npx nx run-many -t build -p tag:type:app; else npx nx run "@podid/${APP}:build"; fi \
    && npm prune --omit=dev \
    && mkdir -p /out/apps && for dist in apps/*/dist; do mkdir -p "/out/$(dirname "$dist")" && cp -a "$dist" "/out/$dist"; done

FROM ${NODE_IMAGE} AS runtime
ARG APP=gateway
ENV NODE_ENV=production
WORKDIR /app
RUN groupadd --gid 10001 podid && useradd --uid 10001 --gid podid --no-create-home --shell /usr/sbin/nologin podid \
    && mkdir -p /etc/conjur/ssl /run/conjur && chown podid:0 /etc/conjur/ssl /run/conjur && chmod 770 /etc/conjur/ssl
COPY --from=build /src/node_modules node_modules
COPY --from=build /out/apps apps
USER 10001:10001
ENTRYPOINT ["node", "--enable-source-maps"]
CMD ["apps/gateway/dist/main.js"]
