# One image for server, worker and CLI (the command differs). Source is run with tsx, as in development.
FROM node:24-bookworm-slim
RUN npm install -g pnpm@10
WORKDIR /app
COPY . .
RUN pnpm install --frozen-lockfile
ENV HOST=0.0.0.0 PORT=3000
EXPOSE 3000
CMD ["node", "--import", "tsx", "server/src/main.ts"]
