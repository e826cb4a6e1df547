# shellcheck shell=bash
#
# Shared set-up for scripts/serve, scripts/test and upgrade.sh.
#
# Source this file, then call `nb_bootstrap runtime` (serve) or `nb_bootstrap dev` (test). Every step checks before it
# acts, so a second run only pings the services, compares two hashes and returns. The individual steps are functions
# too (nb_ensure_postgres, nb_ensure_redis, nb_ensure_database, nb_ensure_ldap_headers, nb_ensure_venv,
# nb_install_requirements, nb_ensure_configuration, nb_export_defaults) for scripts that need only some of them.
#
# Run directly (`bash scripts/lib/bootstrap.sh [runtime|dev]`) it performs the whole bootstrap once.

NB_REPO="${NB_REPO:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
NB_VENV="${NB_VENV:-$NB_REPO/venv}"
NB_DATA="${NB_DATA:-$NB_REPO/.data}"
NB_APT_UPDATED="${NB_APT_UPDATED:-0}"

nb_log() { printf '==> %s\n' "$*" >&2; }
nb_die() { printf 'error: %s\n' "$*" >&2; return 1; }

# Environment defaults; anything the caller already exported wins.
nb_export_defaults() {
    export DB_NAME="${DB_NAME:-netbox}"
    export DB_USER="${DB_USER:-postgres}"
    export DB_PASSWORD="${DB_PASSWORD:-}"
    export DB_HOST="${DB_HOST:-127.0.0.1}"
    export DB_PORT="${DB_PORT:-5432}"
    export REDIS_HOST="${REDIS_HOST:-127.0.0.1}"
    export REDIS_PORT="${REDIS_PORT:-6379}"
    export REDIS_PASSWORD="${REDIS_PASSWORD:-}"
    # REDIS_DATABASE (0) and the REDIS_CACHE_* variables default in configuration_env.py (the cache falls back to
    # REDIS_HOST/REDIS_PORT/REDIS_PASSWORD, database 1), so they are not exported here.
}

# Run a command as root: directly when we are root, through sudo otherwise.
nb_as_root() {
    if [[ $EUID -eq 0 ]]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        nb_die "need root to run: $*"
    fi
}

nb_apt_update() {
    [[ $NB_APT_UPDATED == 1 ]] && return 0
    nb_log "apt-get update"
    nb_as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    NB_APT_UPDATED=1
}

# Install Debian packages; refresh the package lists (once per run) only when the first attempt fails.
nb_apt_install() {
    nb_log "apt-get install $*"
    if ! nb_as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null; then
        nb_apt_update
        nb_as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
    fi
}

nb_is_local_host() {
    case "$1" in
        127.*|localhost|::1|'') return 0 ;;
        *) return 1 ;;
    esac
}

# Wait up to $1 seconds for the command that follows to succeed.
nb_wait_for() {
    local timeout=$1 i
    shift
    for ((i = 0; i < timeout * 5; i++)); do
        "$@" >/dev/null 2>&1 && return 0
        sleep 0.2
    done
    return 1
}

# --- PostgreSQL ---------------------------------------------------------------------------------------------------

nb_pg_ready() { pg_isready -q -h "$DB_HOST" -p "$DB_PORT" -U "$DB_USER" >/dev/null 2>&1; }

nb_pg_bindir() {
    local dir
    dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
    [[ -n $dir && -x $dir/initdb ]] || return 1
    printf '%s\n' "$dir"
}

# Run a PostgreSQL server binary as the postgres OS user when we are root (the server refuses to run as root).
nb_pg_run() {
    if [[ $EUID -eq 0 ]]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

nb_ensure_postgres() {
    nb_export_defaults
    if command -v pg_isready >/dev/null 2>&1 && nb_pg_ready; then
        return 0
    fi
    if ! nb_is_local_host "$DB_HOST"; then
        nb_die "PostgreSQL does not answer on $DB_HOST:$DB_PORT (a remote host: start it there)"
        return 1
    fi
    if ! dpkg -s postgresql >/dev/null 2>&1 || ! nb_pg_bindir >/dev/null; then
        nb_apt_update
        nb_apt_install postgresql
    fi
    local bindir pgdata="$NB_DATA/postgres" logfile="$NB_DATA/postgres.log"
    bindir="$(nb_pg_bindir)" || { nb_die "initdb not found under /usr/lib/postgresql"; return 1; }
    mkdir -p "$pgdata"
    touch "$logfile"
    if [[ $EUID -eq 0 ]]; then
        chown postgres:postgres "$pgdata" "$logfile"
        chmod 700 "$pgdata"
    fi
    if [[ ! -s $pgdata/PG_VERSION ]]; then
        nb_log "initialising a private PostgreSQL cluster in $pgdata"
        nb_pg_run "$bindir/initdb" -D "$pgdata" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null \
            || nb_pg_run "$bindir/initdb" -D "$pgdata" -U postgres --auth=trust -E UTF8 >/dev/null
    fi
    # After a restart of the machine the lock file may name a PID that now belongs to another process.
    local pid
    pid="$(head -n 1 "$pgdata/postmaster.pid" 2>/dev/null || true)"
    if [[ -n $pid && $(cat "/proc/$pid/comm" 2>/dev/null) != postgres* ]]; then
        rm -f "$pgdata/postmaster.pid"
    fi
    nb_log "starting PostgreSQL on 127.0.0.1:$DB_PORT (data in $pgdata, log in $logfile)"
    nb_pg_run "$bindir/pg_ctl" -D "$pgdata" -l "$logfile" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $DB_PORT -k $pgdata" start >/dev/null
    nb_wait_for 30 nb_pg_ready || { nb_die "PostgreSQL did not come up; see $logfile"; return 1; }
}

# --- Redis --------------------------------------------------------------------------------------------------------

nb_redis_ready() {
    [[ $(REDISCLI_AUTH="$REDIS_PASSWORD" redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" ping 2>/dev/null) == PONG ]]
}

nb_ensure_redis() {
    nb_export_defaults
    if command -v redis-cli >/dev/null 2>&1 && nb_redis_ready; then
        return 0
    fi
    if ! nb_is_local_host "$REDIS_HOST"; then
        nb_die "Redis does not answer on $REDIS_HOST:$REDIS_PORT (a remote host: start it there)"
        return 1
    fi
    if ! command -v redis-server >/dev/null 2>&1 || ! command -v redis-cli >/dev/null 2>&1; then
        nb_apt_update
        nb_apt_install redis-server
    fi
    local dir="$NB_DATA/redis"
    mkdir -p "$dir"
    nb_log "starting Redis on 127.0.0.1:$REDIS_PORT (log in $dir/redis.log)"
    local args=(--daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$dir" --save "" --appendonly no
                --logfile "$dir/redis.log" --pidfile "$dir/redis.pid")
    [[ -n $REDIS_PASSWORD ]] && args+=(--requirepass "$REDIS_PASSWORD")
    redis-server "${args[@]}"
    nb_wait_for 30 nb_redis_ready || { nb_die "Redis did not come up; see $dir/redis.log"; return 1; }
}

# --- Database -----------------------------------------------------------------------------------------------------

nb_ensure_database() {
    nb_export_defaults
    local -x PGPASSWORD="${DB_PASSWORD:-${PGPASSWORD:-}}"
    # On a local server, a DB_USER other than postgres gets a role (allowed to create the test databases) when it
    # has none yet and the postgres role can log in.
    if [[ $DB_USER != postgres ]] && nb_is_local_host "$DB_HOST" \
        && ! psql -h "$DB_HOST" -p "$DB_PORT" -U "$DB_USER" -d postgres -qtAc 'SELECT 1' >/dev/null 2>&1 \
        && psql -h "$DB_HOST" -p "$DB_PORT" -U postgres -d postgres -qtAc 'SELECT 1' >/dev/null 2>&1; then
        nb_log "creating PostgreSQL role $DB_USER"
        PGPASSWORD='' createuser -h "$DB_HOST" -p "$DB_PORT" -U postgres --createdb "$DB_USER"
        if [[ -n $DB_PASSWORD ]]; then
            printf '%s\n' "ALTER ROLE \"$DB_USER\" PASSWORD :'pw';" \
                | PGPASSWORD='' psql -h "$DB_HOST" -p "$DB_PORT" -U postgres -d postgres -q -v pw="$DB_PASSWORD" >/dev/null
        fi
    fi
    if psql -h "$DB_HOST" -p "$DB_PORT" -U "$DB_USER" -d postgres -lqt | cut -d '|' -f 1 | tr -d ' ' \
        | grep -qxF "$DB_NAME"; then
        return 0
    fi
    nb_log "creating database $DB_NAME"
    createdb -h "$DB_HOST" -p "$DB_PORT" -U "$DB_USER" "$DB_NAME"
}

# --- Python -------------------------------------------------------------------------------------------------------

# python-ldap (needed by django-auth-ldap) compiles against the OpenLDAP and SASL headers.
nb_ensure_ldap_headers() {
    if [[ -f /usr/include/ldap.h && -f /usr/include/sasl/sasl.h ]]; then
        return 0
    fi
    nb_apt_install libldap2-dev libsasl2-dev
}

# The newest Python of at least 3.12: $PYTHON if set, then python3.X on PATH, then pyenv's installed versions.
NB_PYTHON_MIN=(3 12)
nb_python_ok() {
    "$1" -c "import sys; sys.exit(sys.version_info[:2] < (${NB_PYTHON_MIN[0]}, ${NB_PYTHON_MIN[1]}))" 2>/dev/null
}

nb_python_candidates() {
    local minor root
    [[ -n ${PYTHON:-} ]] && printf '%s\n' "$PYTHON"
    for minor in 14 13 12; do
        command -v "python3.$minor" 2>/dev/null
        root="${PYENV_ROOT:-$HOME/.pyenv}"
        ls -d "$root"/versions/3."$minor".*/bin/python3."$minor" 2>/dev/null | sort -V -r
    done
    command -v python3 2>/dev/null
}

nb_find_python() {
    local candidate
    while read -r candidate; do
        [[ -n $candidate && -x $candidate ]] || continue
        # A pyenv shim answers for a version that is installed but not selected by failing: nb_python_ok sees that.
        if nb_python_ok "$candidate"; then
            printf '%s\n' "$candidate"
            return 0
        fi
    done < <(nb_python_candidates)
    return 1
}

nb_ensure_venv() {
    if [[ -x $NB_VENV/bin/python ]]; then
        nb_python_ok "$NB_VENV/bin/python" && return 0
        nb_log "$NB_VENV has $("$NB_VENV/bin/python" -V 2>&1); recreating it with a newer Python"
        rm -rf "$NB_VENV"
    fi
    local python
    python="$(nb_find_python)" || {
        nb_die "Python ${NB_PYTHON_MIN[0]}.${NB_PYTHON_MIN[1]} or later is required: install python3.12 or newer (apt-get install python3.12-venv, or pyenv install 3.13), or set PYTHON=/path/to/python3"
        return 1
    }
    nb_log "creating $NB_VENV with $python ($("$python" -V 2>&1))"
    "$python" -m venv "$NB_VENV"
    "$NB_VENV/bin/pip" install -q --upgrade pip
}

# The files a requirements file pulls in with `-r other.txt`, one level deep (enough for this repository).
nb_requirements_includes() {
    local file=$1 dir
    dir="$(dirname "$file")"
    sed -n -E 's/^[[:space:]]*(-r|--requirement)[[:space:]=]+([^[:space:]#]+).*/\2/p' "$file" | while read -r inc; do
        printf '%s/%s\n' "$dir" "$inc"
    done
}

# requirements.txt -> runtime, requirements-dev.txt -> dev, requirements-foo.txt -> foo
nb_requirements_label() {
    local base
    base="$(basename "$1" .txt)"
    case "$base" in
        requirements) printf 'runtime\n' ;;
        requirements-*) printf '%s\n' "${base#requirements-}" ;;
        *) printf '%s\n' "$base" ;;
    esac
}

nb_requirements_hash() {
    local file=$1
    { cat "$file"; nb_requirements_includes "$file" | while read -r inc; do cat "$inc"; done; } | sha256sum | cut -d ' ' -f 1
}

nb_stamp_file() { printf '%s/.requirements-%s.sha256\n' "$NB_VENV" "$(nb_requirements_label "$1")"; }

# Install a requirements file into the venv unless the same content (with its -r includes) was installed before.
nb_install_requirements() {
    local file=${1:-$NB_REPO/requirements.txt} stamp hash
    [[ $file == /* ]] || file="$NB_REPO/$file"
    stamp="$(nb_stamp_file "$file")"
    hash="$(nb_requirements_hash "$file")"
    if [[ -f $stamp && $(cat "$stamp") == "$hash" ]]; then
        return 0
    fi
    nb_ensure_ldap_headers
    nb_log "installing $(basename "$file") into $NB_VENV"
    "$NB_VENV/bin/pip" install -q --disable-pip-version-check -r "$file"
    printf '%s\n' "$hash" >"$stamp"
    # What was included is installed too: record it so that the smaller set is not reinstalled later.
    local inc
    while read -r inc; do
        [[ -f $inc ]] && nb_requirements_hash "$inc" >"$(nb_stamp_file "$inc")"
    done < <(nb_requirements_includes "$file")
    return 0
}

# --- configuration.py ---------------------------------------------------------------------------------------------

nb_ensure_configuration() {
    local config="$NB_REPO/netbox/netbox/configuration.py" key pepper python
    python="$NB_VENV/bin/python"
    [[ -x $python ]] || python="$(nb_find_python)"
    if [[ -f $config ]]; then
        # A configuration this script wrote before peppers existed gets one, so v2 tokens work there too.
        if grep -q '^"""Local configuration written by scripts/serve' "$config" && ! grep -q 'API_TOKEN_PEPPERS' "$config"; then
            pepper="$(nb_random_secret "$python")" || return 1
            nb_log "adding a random API_TOKEN_PEPPERS to $config"
            nb_pepper_lines "$pepper" >>"$config"
        fi
        return 0
    fi
    key="$(nb_random_secret "$python")" || return 1
    pepper="$(nb_random_secret "$python")" || return 1
    nb_log "writing $config (environment-driven, with a random SECRET_KEY and API_TOKEN_PEPPERS)"
    (
        umask 077
        {
            printf '%s\n' '"""Local configuration written by scripts/serve: settings come from the environment.'
            printf '%s\n' ''
            printf '%s\n' 'See netbox/netbox/configuration_env.py for the variables read and configuration_example.py for'
            printf '%s\n' 'every parameter; set anything here to override the environment."""'
            printf '%s\n' 'import os'
            printf '%s\n' ''
            printf '%s\n' 'from netbox.configuration_env import *  # noqa: F401,F403'
            printf '%s\n' ''
            printf "SECRET_KEY = os.environ.get('SECRET_KEY', '%s')\n" "$key"
            nb_pepper_lines "$pepper"
        } >"$config"
    )
}

# A random 50+ character secret without quotes or backslashes, safe inside a single-quoted Python string.
nb_random_secret() {
    local secret
    secret="$("$1" "$NB_REPO/netbox/generate_secret_key.py")"
    [[ ${#secret} -ge 50 && $secret != *"'"* && $secret != *\\* ]] || { nb_die "unexpected secret from generator"; return 1; }
    printf '%s' "$secret"
}

# The configuration lines for API tokens: peppers from the environment (API_TOKEN_PEPPERS, API_TOKEN_PEPPER_<id>)
# win over the random one written here. Losing the pepper invalidates every v2 token, so keep this file.
nb_pepper_lines() {
    printf '%s\n' ''
    printf '%s\n' '# Keys the HMAC of v2 API tokens; a token remembers the id it was made with. Never change or drop one.'
    printf '%s\n' 'from netbox.configuration_env import env_peppers  # noqa: E402'
    printf '%s\n' ''
    printf "API_TOKEN_PEPPERS = env_peppers() or {1: '%s'}\n" "$1"
}

# --- everything ---------------------------------------------------------------------------------------------------

# nb_bootstrap runtime|dev: services, database, venv with the matching requirements, configuration.py.
nb_bootstrap() {
    local flavour=${1:-runtime} requirements
    case "$flavour" in
        runtime) requirements="$NB_REPO/requirements.txt" ;;
        dev) requirements="$NB_REPO/requirements-dev.txt" ;;
        *) nb_die "nb_bootstrap: expected runtime or dev, got $flavour"; return 1 ;;
    esac
    nb_export_defaults
    nb_ensure_postgres
    nb_ensure_redis
    nb_ensure_database
    nb_ensure_venv
    nb_install_requirements "$requirements"
    nb_ensure_configuration
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
    set -euo pipefail
    nb_bootstrap "${1:-dev}"
    nb_log "bootstrap done"
fi
