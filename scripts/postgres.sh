# Sourced by scripts/test: make a PostgreSQL server available to the storage tests and
# export PINT_TEST_POSTGRES_URL. Uses the URL given, else the local server (started
# with pg_ctlcluster, installed with apt when root and missing).

ensure_postgres() {
  if [ -n "${PINT_TEST_POSTGRES_URL:-}" ]; then
    PINT_TEST_POSTGRES_URL_SHOWN="given by PINT_TEST_POSTGRES_URL"
    export PINT_TEST_POSTGRES_URL PINT_TEST_POSTGRES_URL_SHOWN
    return 0
  fi
  [ "$(id -u)" -eq 0 ] || die "the storage tests need PostgreSQL: set PINT_TEST_POSTGRES_URL=postgres://USER:PASSWORD@HOST:PORT/DB (a role that may CREATE DATABASE and is a member of the ordinary role pint_rls_app, password pint_rls_app, or may create it), or run as root to set one up"
  if ! command -v pg_ctlcluster >/dev/null; then
    ensure_packages postgresql
  fi
  local version
  version="$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)"
  [ -n "$version" ] || die "PostgreSQL is installed but has no cluster; run: pg_createcluster 15 main"
  if ! pg_isready -q -h 127.0.0.1 -p 5432; then
    say "starting PostgreSQL $version"
    pg_ctlcluster --skip-systemctl-redirect "$version" main start
    for _ in $(seq 1 50); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 0.2; done
    pg_isready -q -h 127.0.0.1 -p 5432 || die "PostgreSQL $version did not start"
  fi
  # A role of our own with a password works with trust and with scram-sha-256 on 127.0.0.1.
  # pint_rls_app is what test servers connect as: an ordinary role (row-level security
  # applies to it) that owns each test database; pint_test creates those for it.
  runuser -u postgres -- psql -q -v ON_ERROR_STOP=1 -d postgres >/dev/null <<'SQL'
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'pint_test') THEN
    CREATE ROLE pint_test LOGIN CREATEDB PASSWORD 'pint_test';
  END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'pint_rls_app') THEN
    CREATE ROLE pint_rls_app LOGIN NOSUPERUSER NOBYPASSRLS PASSWORD 'pint_rls_app';
  END IF;
END
$$;
GRANT pint_rls_app TO pint_test;
SQL
  export PINT_TEST_POSTGRES_URL="postgres://pint_test:pint_test@127.0.0.1:5432/postgres"
  export PINT_TEST_POSTGRES_URL_SHOWN="local PostgreSQL $version"
}
