#!/usr/bin/env bash
# Makes sure a PostgreSQL server from Debian runs on 127.0.0.1 with a `lathe_test` role that may
# create databases, and prints the server URL the test suite uses (LATHE_TEST_POSTGRES_URL).
# Installs the package with apt when it is missing. Idempotent.
set -euo pipefail
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
  as_root apt-get update -q >&2
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -q postgresql >&2
fi
version="$(ls /usr/lib/postgresql | sort -n | tail -n 1)"
if ! as_root pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main"' | grep -q .; then
  as_root pg_createcluster "$version" main >&2
fi
port="$(as_root pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" {print $3}')"
if ! as_root pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" {print $4}' | grep -q online; then
  as_root pg_ctlcluster "$version" main start >&2
fi
as_root runuser -u postgres -- psql -q -p "$port" -v ON_ERROR_STOP=1 >&2 <<'SQL'
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'lathe_test') THEN
    CREATE ROLE lathe_test LOGIN CREATEDB PASSWORD 'lathe_test';
  END IF;
END $$;
SQL
echo "postgresql+psycopg://lathe_test:lathe_test@127.0.0.1:${port}/postgres"
