# One image for server, worker, migrations and the CLI (the command differs); the source runs with
# tsx, as in development. The viewer is built into web/dist here, so the server serves it at /.
FROM node:24-bookworm-slim
RUN npm install -g pnpm@10
WORKDIR /app
COPY . .
RUN pnpm install --frozen-lockfile && pnpm build:web
# DATA_DIR holds only the keys this host pinned and packs of before issue 14: packs go to the database (or S3)
RUN mkdir -p /var/lib/modula-audit /run/modula-secrets && chown node:node /var/lib/modula-audit
ENV HOST=0.0.0.0 PORT=3000 DATA_DIR=/var/lib/modula-audit
# never root at run time (the `secrets` service of docker-compose.yml alone runs as root, once)
USER node
EXPOSE 3000
HEALTHCHECK --interval=5s --timeout=3s --retries=12 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:3000/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "--import", "tsx", "scripts/start-one.ts", "server"]
