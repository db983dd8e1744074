#!/usr/bin/env bash
# Start (or stop) a private Virtuoso Open Source server for `esfgraph push`, on 127.0.0.1 only.
#
#   scripts/start-virtuoso.sh start DIR [HTTP_PORT [SQL_PORT]]   # default ports 8890 / 1111
#   scripts/start-virtuoso.sh stop DIR
#   scripts/start-virtuoso.sh install                             # only install the Debian package
#
# `start` installs Debian's virtuoso-opensource when virtuoso-t is missing (needs root or sudo),
# creates a fresh database in DIR with its own virtuoso.ini, starts the server, and then:
#   * replaces the default password of the `dba` account (never left at dba/dba);
#   * creates the user `esfgraph` with the SPARQL_UPDATE role, for the authenticated endpoints
#     /sparql-auth and /sparql-graph-crud-auth (HTTP Digest). Anonymous /sparql stays read-only.
# Passwords come from VIRTUOSO_DBA_PASSWORD and ESFGRAPH_VIRTUOSO_PASSWORD, or are generated.
# It prints KEY=VALUE lines (also kept in DIR/credentials.env, mode 600) for the caller:
#   http_port, sql_port, user, password, query_url, graph_store_url, pid
set -euo pipefail

die() { echo "start-virtuoso: $*" >&2; exit 2; }

install_virtuoso() {
    command -v virtuoso-t >/dev/null 2>&1 && return 0
    local sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null 2>&1 || die "virtuoso-t is missing and installing it needs root"
        sudo="sudo"
    fi
    command -v apt-get >/dev/null 2>&1 || die "virtuoso-t is missing and there is no apt-get"
    echo "start-virtuoso: installing virtuoso-opensource (Debian package)..." >&2
    $sudo apt-get update -qq >&2 || true
    # noninteractive: the package would otherwise ask for a DBA password; we set it ourselves.
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
        virtuoso-opensource >&2 || die "apt-get install virtuoso-opensource failed"
    # The Debian package may start a system-wide instance with the default password: stop it.
    if command -v service >/dev/null 2>&1; then
        $sudo service virtuoso-opensource-7 stop >/dev/null 2>&1 || true
    fi
    command -v virtuoso-t >/dev/null 2>&1 || die "virtuoso-t still missing after install"
}

isql_bin() {
    for candidate in isql-vt isql-v isql; do
        if command -v "$candidate" >/dev/null 2>&1; then echo "$candidate"; return; fi
    done
    die "no isql client (isql-vt) found"
}

random_password() { head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 20; }

vad_dir() {
    for d in /usr/share/virtuoso-opensource-7/vad /usr/share/virtuoso/vad; do
        [ -d "$d" ] && { echo "$d"; return; }
    done
    echo "."
}

start() {
    local dir="${1:?usage: start DIR [HTTP_PORT [SQL_PORT]]}" http_port="${2:-8890}" sql_port="${3:-1111}"
    install_virtuoso
    mkdir -p "$dir"
    dir="$(cd "$dir" && pwd)"
    [ -f "$dir/virtuoso.pid" ] && kill -0 "$(cat "$dir/virtuoso.pid")" 2>/dev/null \
        && die "a server from $dir is already running (pid $(cat "$dir/virtuoso.pid")); stop it first"
    [ -e "$dir/virtuoso.db" ] && die "$dir already holds a database; use an empty directory"
    local dba_pw="${VIRTUOSO_DBA_PASSWORD:-$(random_password)}"
    local user_pw="${ESFGRAPH_VIRTUOSO_PASSWORD:-$(random_password)}"
    [ "$dba_pw" = "dba" ] && die "VIRTUOSO_DBA_PASSWORD must not be the default 'dba'"
    local vad
    vad="$(vad_dir)"
    cat > "$dir/virtuoso.ini" <<EOF
[Database]
DatabaseFile       = $dir/virtuoso.db
ErrorLogFile       = $dir/virtuoso.log
LockFile           = $dir/virtuoso.lck
TransactionFile    = $dir/virtuoso.trx
xa_persistent_file = $dir/virtuoso.pxa
ErrorLogLevel      = 7
FileExtend         = 200
MaxCheckpointRemap = 2000
Striping           = 0
TempStorage        = TempDatabase

[TempDatabase]
DatabaseFile       = $dir/virtuoso-temp.db
TransactionFile    = $dir/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping           = 0

[Parameters]
ServerPort               = 127.0.0.1:$sql_port
DisableUnixSocket        = 1
DisableTcpSocket         = 0
MaxClientConnections     = 10
CheckpointInterval       = 60
CaseMode                 = 2
DirsAllowed              = ., $dir, $vad
VADInstallDir            = $vad/
MaxQueryMem              = 1G
NumberOfBuffers          = ${VIRTUOSO_BUFFERS:-20000}
MaxDirtyBuffers          = ${VIRTUOSO_DIRTY_BUFFERS:-15000}
ThreadsPerQuery          = 2
AsyncQueueMaxThreads     = 4

[HTTPServer]
ServerPort                  = 127.0.0.1:$http_port
ServerRoot                  = $dir
MaxClientConnections        = 10
ServerThreads               = 10
MaxKeepAlives               = 10
KeepAliveTimeout            = 10
Charset                     = UTF-8
EnabledGzipContent          = 0

[SPARQL]
ResultSetMaxRows           = 1000000
MaxQueryCostEstimationTime = 0
MaxQueryExecutionTime      = 600
DefaultQuery               = SELECT * WHERE { ?s ?p ?o } LIMIT 10
MaxSortedTopRows           = 100000
EOF
    (cd "$dir" && virtuoso-t +configfile "$dir/virtuoso.ini" +wait >"$dir/start.out" 2>&1) \
        || { tail -20 "$dir/virtuoso.log" >&2 2>/dev/null; die "virtuoso-t did not start"; }
    # `+wait` can return before the log says the server is online (seen on a loaded machine):
    # read the pid from the log, waiting up to 120 s for the line.
    local pid="" _
    for _ in $(seq 1 1200); do
        pid="$(sed -n 's/.*Server online at .*(pid \([0-9]*\)).*/\1/p' "$dir/virtuoso.log" 2>/dev/null | tail -1)"
        [ -n "$pid" ] && break
        sleep 0.1
    done
    [ -n "$pid" ] || { tail -20 "$dir/virtuoso.log" >&2 2>/dev/null; die "cannot find the server's pid in $dir/virtuoso.log"; }
    echo "$pid" > "$dir/virtuoso.pid"
    local isql
    isql="$(isql_bin)"
    # The fresh database has dba/dba: it is replaced in the same session (last, so the
    # session stays logged in while it creates the user).
    "$isql" "127.0.0.1:$sql_port" dba dba >"$dir/isql.out" 2>&1 <<EOF || { cat "$dir/isql.out" >&2; stop "$dir"; die "isql setup failed"; }
DB.DBA.USER_CREATE('esfgraph', '$user_pw');
GRANT SPARQL_SELECT TO "esfgraph";
GRANT SPARQL_UPDATE TO "esfgraph";
-- Virtuoso 7.2 does not apply role privileges to users logged in over HTTP Digest
-- (/sparql-auth answers "No permission to execute DB.DBA.SPARQL_INSERT_DICT_CONTENT"),
-- so copy the SPARQL_SELECT and SPARQL_UPDATE roles' grants onto the user itself.
CREATE PROCEDURE DB.DBA.ESFGRAPH_COPY_GRANTS (in role_name varchar, in uname varchar)
{
  declare ops any;
  ops := vector (1, 'SELECT', 2, 'UPDATE', 4, 'INSERT', 8, 'DELETE', 32, 'EXECUTE');
  for (select G_OP as op, G_OBJECT as obj from DB.DBA.SYS_GRANTS
       where G_USER = (select U_ID from DB.DBA.SYS_USERS where U_NAME = role_name)) do
    {
      declare i int;
      for (i := 0; i < length (ops); i := i + 2)
        if (op = ops[i])
          exec (sprintf ('GRANT %s ON %s TO "%s"', ops[i + 1], obj, uname));
    }
};
DB.DBA.ESFGRAPH_COPY_GRANTS ('SPARQL_SELECT', 'esfgraph');
DB.DBA.ESFGRAPH_COPY_GRANTS ('SPARQL_UPDATE', 'esfgraph');
DROP PROCEDURE DB.DBA.ESFGRAPH_COPY_GRANTS;
-- The Graph Store Protocol (/sparql-graph-crud-auth) loads through the Turtle loader's callbacks.
GRANT SELECT, INSERT, DELETE ON DB.DBA.RDF_QUAD TO "esfgraph";
GRANT EXECUTE ON DB.DBA.TTLP_RL_NEW_GRAPH TO "esfgraph";
GRANT EXECUTE ON DB.DBA.TTLP_RL_TRIPLE TO "esfgraph";
GRANT EXECUTE ON DB.DBA.TTLP_RL_TRIPLE_L TO "esfgraph";
GRANT EXECUTE ON DB.DBA.TTLP_RL_COMMIT TO "esfgraph";
GRANT EXECUTE ON DB.DBA.TTLP_EV_NEW_BLANK TO "esfgraph";
GRANT EXECUTE ON DB.DBA.TTLP_EV_GET_IID TO "esfgraph";
GRANT EXECUTE ON DB.DBA.TTLP_EV_REPORT_DEFAULT TO "esfgraph";
GRANT EXECUTE ON DB.DBA.RL_FLUSH TO "esfgraph";
DB.DBA.RDF_DEFAULT_USER_PERMS_SET('esfgraph', 3);
DB.DBA.RDF_DEFAULT_USER_PERMS_SET('nobody', 1);
USER_SET_PASSWORD('dba', '$dba_pw');
EOF
    if grep -q "\*\*\* Error" "$dir/isql.out"; then cat "$dir/isql.out" >&2; stop "$dir"; die "isql setup reported an error"; fi
    umask 077
    cat > "$dir/credentials.env" <<EOF
http_port=$http_port
sql_port=$sql_port
dba_password=$dba_pw
user=esfgraph
password=$user_pw
query_url=http://127.0.0.1:$http_port/sparql
graph_store_url=http://127.0.0.1:$http_port/sparql-graph-crud-auth
pid=$pid
EOF
    grep -v '^dba_password=' "$dir/credentials.env"
}

stop() {
    local dir="${1:?usage: stop DIR}"
    [ -f "$dir/virtuoso.pid" ] || die "no virtuoso.pid in $dir"
    local pid
    pid="$(cat "$dir/virtuoso.pid")"
    if kill -0 "$pid" 2>/dev/null; then
        kill "$pid"
        for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
    fi
    rm -f "$dir/virtuoso.pid"
}

case "${1:-}" in
    start) shift; start "$@" ;;
    stop) shift; stop "$@" ;;
    install) install_virtuoso ;;
    *) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
