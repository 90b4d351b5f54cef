# Lathe studio image: API + web UI (+ the embedded worker once the job queue lands).
# Built by docker-compose.yml (CPU torch) or with docker-compose.gpu.yml (CUDA torch).

FROM node:20-bookworm-slim AS frontend
WORKDIR /src/frontend
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY frontend/ ./
RUN npm run build

FROM python:3.11-slim-bookworm
ARG TORCH_VARIANT=cpu
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONUNBUFFERED=1 LATHE_HOME=/data
WORKDIR /app
COPY pyproject.toml README.md alembic.ini ./
COPY backend/ backend/
COPY kernels/ kernels/
COPY migrations/ migrations/
RUN TORCH="$(sed -n 's/^ *"torch==\([^"]*\)",*$/\1/p' pyproject.toml)" && \
    if [ "$TORCH_VARIANT" = cpu ]; then \
      pip install --no-cache-dir "torch==$TORCH" --index-url https://download.pytorch.org/whl/cpu; \
    else \
      pip install --no-cache-dir "torch==$TORCH"; \
    fi && \
    pip install --no-cache-dir -e .
COPY --from=frontend /src/frontend/dist frontend/dist
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s \
  CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/api/health')"
CMD ["lathe", "serve", "--host", "0.0.0.0", "--port", "8000"]
