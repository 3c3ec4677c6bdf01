#!/usr/bin/env bash
# Real backing servers for the connector tests, on 127.0.0.1 only, without systemd or Docker.
#
#   scripts/services.sh start    install what is missing (Debian 12, apt), start every server that is
#                                not already running, wait for a real round trip with each server's own
#                                client, write $EDGE_SERVICES_DIR/services.env
#   scripts/services.sh stop     stop what start launched, by recorded PID (data is kept)
#   scripts/services.sh status   one line per service: up or down
#   scripts/services.sh reset    stop, then delete the state folder (next start begins from scratch)
#
#   EDGE_SERVICES_DIR   state folder: data, logs, pids, keys, services.env   (default /tmp/edge-services)
#
# Servers and ports (all loopback):
#   postgres  PostgreSQL 15        15432 (TLS available)
#   mariadb   MariaDB 10.11        13306 (TLS available)
#   redis     Redis 7              16379, TLS on 16380
#   ftp       vsftpd               2121, plain FTP and explicit FTPS (AUTH TLS), passive 30000-30049
#   sftp      OpenSSH sshd         2222, password or key
#   smtp      aiosmtpd sink        2525, STARTTLS, AUTH optional, each mail written to a folder
#   s3        Swift + s3api        9000 (path-style, SigV4), memcached 11311, Swift internals 6210-6212
# TLS certificates are issued by a private CA generated into the state folder (tls/ca.pem).
# start needs root (apt, login users, servers that drop privileges); CI machines run as root.
set -euo pipefail

DIR=${EDGE_SERVICES_DIR:-/tmp/edge-services}
HOST=127.0.0.1
PG_PORT=15432
MARIADB_PORT=13306
REDIS_PORT=16379
REDIS_TLS_PORT=16380
FTP_PORT=2121
FTP_PASV_MIN=30000
FTP_PASV_MAX=30049
SFTP_PORT=2222
SMTP_PORT=2525
S3_PORT=9000
S3_MEMCACHED_PORT=11311
# shellcheck disable=SC2034 # read through ${!port}
SWIFT_OBJECT_PORT=6210 SWIFT_CONTAINER_PORT=6211 SWIFT_ACCOUNT_PORT=6212
S3_REGION=us-east-1
S3_BUCKET=edge-test
DB_NAME=edge_test
DB_USER=edge
FTP_USER=edgeftp
SFTP_USER=edgesftp
SMTP_USER=edge
S3_ACCOUNT=edge S3_USER=tester        # s3api + tempauth: the access key is "account:user"
PGBIN=/usr/lib/postgresql/15/bin
SERVICES=(postgres mariadb redis ftp sftp smtp s3)

log() { printf '[services %s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
seconds_since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }

# ---- packages ---------------------------------------------------------------------------------

declare -A PACKAGES=(
  [common]="curl openssl ca-certificates procps util-linux sqlite3"
  [postgres]="postgresql-15 postgresql-client-15"
  [mariadb]="mariadb-server mariadb-client"
  [redis]="redis-server redis-tools"
  [ftp]="vsftpd"
  [sftp]="openssh-server openssh-client sshpass"
  [smtp]="python3 python3-aiosmtpd"
  [s3]="swift swift-proxy swift-account swift-container swift-object memcached python3"
)

installed() { [[ $(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null) == installed ]]; }

# One 'apt-get update' and one 'apt-get install', only when something is missing. A temporary
# policy-rc.d keeps the packages' init scripts from starting daemons on their default ports.
install_packages() {
  local missing=() p group
  for group in "${!PACKAGES[@]}"; do
    for p in ${PACKAGES[$group]}; do
      installed "$p" || [[ " ${missing[*]} " == *" $p "* ]] || missing+=("$p")
    done
  done
  ((${#missing[@]})) || return 0
  command -v apt-get >/dev/null || die "missing packages (${missing[*]}) and no apt-get"
  local t0=$EPOCHREALTIME made_policy=0 apt_log=$DIR/logs/apt.log
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    made_policy=1
  fi
  log "installing ${missing[*]}"
  local rc=0
  {
    env DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
      env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        -o DPkg::Lock::Timeout=300 "${missing[@]}"
  } >"$apt_log" 2>&1 || rc=$?
  if ((made_policy)); then rm -f /usr/sbin/policy-rc.d; fi
  if ((rc)); then tail -n 30 "$apt_log" >&2; die "apt-get failed (log: $apt_log)"; fi
  log "packages installed in $(seconds_since "$t0")s"
}

# ---- processes --------------------------------------------------------------------------------
# run/<name>.pid holds "pid starttime": a recycled PID does not pass for a live server.

start_time_of() { # field 22 of /proc/PID/stat; the fields after "(comm) " start at field 3
  local s fields; s=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  read -r -a fields <<<"${s##*) }"; echo "${fields[19]}"
}
pid_of() { local f=$DIR/run/$1.pid pid; [[ -f $f ]] && read -r pid _ <"$f" && echo "$pid"; }

alive() { # name
  local f=$DIR/run/$1.pid pid started now state
  [[ -f $f ]] && read -r pid started <"$f" || return 1
  now=$(start_time_of "$pid") || return 1
  state=$(awk '{ print $3 }' "/proc/$pid/stat" 2>/dev/null)
  [[ $now == "$started" && $state != Z ]]
}

# launch NAME COMMAND...: own session (setsid), stdin closed, output appended to logs/NAME.log.
# A background job of a non-interactive shell is no process-group leader, so setsid execs in place
# and $! is the server's PID (which is also its process group id).
launch() {
  local name=$1; shift
  setsid "$@" </dev/null >>"$DIR/logs/$name.log" 2>&1 &
  local pid=$!
  echo "$pid $(start_time_of "$pid")" >"$DIR/run/$name.pid"
}

# halt NAME [SIGNAL]: signal the recorded process, wait up to 20 s, then clean up its process group.
halt() {
  local name=$1 sig=${2:-TERM} f=$DIR/run/$1.pid pid i
  [[ -f $f ]] || return 0
  if alive "$name"; then
    read -r pid _ <"$f"
    kill -"$sig" "$pid" 2>/dev/null || true
    for ((i = 0; i < 200; i++)); do alive "$name" || break; sleep 0.1; done
    if alive "$name"; then log "$name (pid $pid) ignored SIG$sig, killing"; kill -KILL "$pid" 2>/dev/null || true; fi
    # leftovers of the same session: per-connection children (vsftpd, sshd), worker processes
    if kill -TERM -- "-$pid" 2>/dev/null; then sleep 0.3; kill -KILL -- "-$pid" 2>/dev/null || true; fi
    log "$name stopped"
  fi
  rm -f "$f"
}

# wait_for NAME TIMEOUT CHECK...: poll CHECK until it succeeds; on timeout name the service, show its log.
wait_for() {
  local name=$1 limit=$2; shift 2
  local t0=$EPOCHREALTIME
  until "$@" >/dev/null 2>&1; do
    if awk -v s="$(seconds_since "$t0")" -v l="$limit" 'BEGIN { exit !(s > l) }'; then
      log "FAILED: $name did not answer within ${limit}s ($*)"
      local f
      for f in "$DIR/logs/$name"*.log; do [[ -f $f ]] && { log "--- tail of $f"; tail -n 25 "$f" >&2; }; done
      exit 1
    fi
    sleep 0.1
  done
}

ensure_user() { # user home password : a local login user whose home is in the state folder
  if ! id -u "$1" >/dev/null 2>&1; then
    useradd -M -U -d "$2" -s /bin/bash "$1"
  elif [[ $(getent passwd "$1" | cut -d: -f6) != "$2" ]]; then
    usermod -d "$2" "$1"
  fi
  install -d -o "$1" -g "$1" -m 755 "$2"
  echo "$1:$3" | chpasswd
}

# ---- shared material --------------------------------------------------------------------------

random_secret() { head -c 32 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 20; }

# Passwords are random per state folder (so tests can look for them in logs) and kept across restarts.
load_secrets() {
  local f=$DIR/secrets.env
  if [[ ! -f $f ]]; then
    (umask 077; {
      echo "PG_ADMIN_PASSWORD=pgadm$(random_secret)"
      echo "PG_PASSWORD=pg$(random_secret)"
      echo "MARIADB_PASSWORD=my$(random_secret)"
      echo "REDIS_PASSWORD=rd$(random_secret)"
      echo "FTP_PASSWORD=ftp$(random_secret)"
      echo "SFTP_PASSWORD=sftp$(random_secret)"
      echo "SMTP_PASSWORD=smtp$(random_secret)"
      echo "S3_SECRET_KEY=s3$(random_secret)"
    } >"$f")
  fi
  # shellcheck disable=SC1090
  source "$f"
}

make_tls() { # a private CA and a server certificate for localhost / 127.0.0.1 signed by it
  local t=$DIR/tls
  [[ -f $t/server.pem && -f $t/ca.pem ]] && return 0
  mkdir -p "$t"
  openssl req -x509 -newkey rsa:2048 -nodes -days 365 -subj "/CN=edge test CA" \
    -keyout "$t/ca.key" -out "$t/ca.pem" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj /CN=localhost -keyout "$t/server.key" -out "$t/server.csr" 2>/dev/null
  printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' >"$t/server.ext"
  openssl x509 -req -in "$t/server.csr" -CA "$t/ca.pem" -CAkey "$t/ca.key" -CAcreateserial -days 365 \
    -extfile "$t/server.ext" -out "$t/server.pem" 2>/dev/null
  chmod 600 "$t/ca.key" "$t/server.key"
  rm -f "$t/server.csr" "$t/server.ext"
}

# ---- round trips, one per service, each with the server's own client ---------------------------

check_postgres() {
  PGPASSWORD=$PG_PASSWORD PGSSLMODE=verify-full PGSSLROOTCERT=$DIR/tls/ca.pem PGCONNECT_TIMEOUT=3 \
    psql -h "$HOST" -p "$PG_PORT" -U "$DB_USER" -d "$DB_NAME" -w -Atqc 'select 40 + 2' | grep -qx 42
}
check_mariadb() {
  mariadb --no-defaults --connect-timeout=3 -h "$HOST" -P "$MARIADB_PORT" -u "$DB_USER" -p"$MARIADB_PASSWORD" \
    --ssl-ca="$DIR/tls/ca.pem" --ssl-verify-server-cert -Nse 'select 40 + 2' "$DB_NAME" | grep -qx 42
}
check_redis() {
  redis-cli -h "$HOST" -p "$REDIS_PORT" -a "$REDIS_PASSWORD" --no-auth-warning ping | grep -qx PONG &&
    redis-cli -h "$HOST" -p "$REDIS_TLS_PORT" --tls --cacert "$DIR/tls/ca.pem" -a "$REDIS_PASSWORD" --no-auth-warning ping | grep -qx PONG
}
check_ftp() { # a passive listing over plain FTP, then over explicit FTPS (AUTH TLS, CA verified)
  curl -sSf --max-time 5 -u "$FTP_USER:$FTP_PASSWORD" "ftp://$HOST:$FTP_PORT/" -o /dev/null &&
    curl -sSf --max-time 5 --ssl-reqd --cacert "$DIR/tls/ca.pem" -u "$FTP_USER:$FTP_PASSWORD" "ftp://$HOST:$FTP_PORT/" -o /dev/null
}
check_sftp() { # key login in batch mode, then password login (sshpass), both pinned to the host key
  local opts=(-P "$SFTP_PORT" -o UserKnownHostsFile="$DIR/sftp/known_hosts" -o StrictHostKeyChecking=yes -o ConnectTimeout=3)
  echo ls | sftp "${opts[@]}" -i "$DIR/sftp/client_key" -o IdentitiesOnly=yes -b - "$SFTP_USER@$HOST" &&
    echo ls | SSHPASS=$SFTP_PASSWORD sshpass -e sftp "${opts[@]}" -o BatchMode=no -o PubkeyAuthentication=no \
      -o PreferredAuthentications=password -b - "$SFTP_USER@$HOST"
}
check_smtp() { # EHLO, STARTTLS (CA verified), AUTH, NOOP: no mail is left behind
  /usr/bin/python3 - "$HOST" "$SMTP_PORT" "$DIR/tls/ca.pem" "$SMTP_USER" "$SMTP_PASSWORD" <<'PY'
import smtplib, ssl, sys
host, port, ca, user, password = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
with smtplib.SMTP(host, port, timeout=5) as s:
    s.ehlo()
    s.starttls(context=ssl.create_default_context(cafile=ca))
    s.ehlo()
    s.login(user, password)
    code, _ = s.noop()
    sys.exit(0 if code == 250 else 1)
PY
}
s3_request() { # METHOD PATH [curl args...]: a SigV4-signed request (curl signs; the netrc carries the
  # access key, whose colon "account:user" cannot go through --user)
  local method=$1 path=$2; shift 2
  curl -sS --max-time 10 --aws-sigv4 "aws:amz:$S3_REGION:s3" --netrc-file "$DIR/s3/netrc" \
    -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" -X "$method" "$@" "http://$HOST:$S3_PORT$path"
}
check_s3() { # HEAD of the test bucket, signed
  [[ $(s3_request HEAD "/$S3_BUCKET" -I -o /dev/null -w '%{http_code}') == 200 ]]
}

# ---- servers ----------------------------------------------------------------------------------

start_postgres() {
  local d=$DIR/postgres
  install -d -o postgres -g postgres -m 700 "$d" "$d/socket" "$d/tls"
  if [[ ! -f $d/data/PG_VERSION ]]; then # initdb refuses root: run it as the package's postgres user
    local pw; pw=$(mktemp); echo "$PG_ADMIN_PASSWORD" >"$pw"; chown postgres "$pw"
    setpriv --reuid=postgres --regid=postgres --init-groups -- "$PGBIN/initdb" -D "$d/data" -U postgres \
      --pwfile="$pw" --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 \
      >"$DIR/logs/postgres-initdb.log" 2>&1 || { rm -f "$pw"; tail -n 20 "$DIR/logs/postgres-initdb.log" >&2; die "postgres: initdb failed"; }
    rm -f "$pw"
  fi
  install -o postgres -g postgres -m 600 "$DIR/tls/server.pem" "$DIR/tls/server.key" "$d/tls/"
  touch "$DIR/logs/postgres.log"; chown postgres "$DIR/logs/postgres.log"
  launch postgres setpriv --reuid=postgres --regid=postgres --init-groups -- "$PGBIN/postgres" -D "$d/data" \
    -c listen_addresses="$HOST" -p "$PG_PORT" -c unix_socket_directories="$d/socket" \
    -c ssl=on -c ssl_cert_file="$d/tls/server.pem" -c ssl_key_file="$d/tls/server.key" \
    -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200
  wait_for postgres 60 "$PGBIN/pg_isready" -q -h "$d/socket" -p "$PG_PORT" -U postgres -d postgres
  # CREATE DATABASE cannot run in one multi-statement -c, so two calls
  local admin=(psql -X -q -h "$d/socket" -p "$PG_PORT" -U postgres -d postgres -v ON_ERROR_STOP=1)
  "${admin[@]}" <<SQL >/dev/null
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$DB_USER') THEN CREATE ROLE $DB_USER LOGIN; END IF;
END \$\$;
ALTER ROLE $DB_USER LOGIN PASSWORD '$PG_PASSWORD';
SQL
  if [[ -z $("${admin[@]}" -Atc "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'") ]]; then
    "${admin[@]}" -c "CREATE DATABASE $DB_NAME OWNER $DB_USER" >/dev/null
  fi
}

start_mariadb() {
  local d=$DIR/mariadb
  mkdir -p "$d"
  if [[ ! -d $d/data/mysql ]]; then # root may log in through the unix socket only
    mariadb-install-db --no-defaults --user=root --datadir="$d/data" --auth-root-authentication-method=socket \
      --skip-test-db >"$DIR/logs/mariadb-install.log" 2>&1 || { tail -n 20 "$DIR/logs/mariadb-install.log" >&2; die "mariadb: install-db failed"; }
  fi
  launch mariadb mariadbd --no-defaults --user=root --datadir="$d/data" --bind-address="$HOST" --port="$MARIADB_PORT" \
    --socket="$d/mariadb.sock" --pid-file="$d/mariadb.pid" --log-error="$DIR/logs/mariadb.log" --skip-name-resolve \
    --innodb-buffer-pool-size=64M --innodb-flush-log-at-trx-commit=0 --max-connections=200 \
    --ssl-ca="$DIR/tls/ca.pem" --ssl-cert="$DIR/tls/server.pem" --ssl-key="$DIR/tls/server.key"
  wait_for mariadb 60 mariadb-admin --no-defaults -S "$d/mariadb.sock" -u root ping
  mariadb --no-defaults -S "$d/mariadb.sock" -u root <<SQL
CREATE DATABASE IF NOT EXISTS $DB_NAME;
CREATE USER IF NOT EXISTS '$DB_USER'@'%' IDENTIFIED BY '$MARIADB_PASSWORD';
ALTER USER '$DB_USER'@'%' IDENTIFIED BY '$MARIADB_PASSWORD';
GRANT ALL PRIVILEGES ON $DB_NAME.* TO '$DB_USER'@'%';
SQL
}

start_redis() { # in the foreground (--daemonize no) so the recorded PID is the server
  mkdir -p "$DIR/redis"
  launch redis redis-server --bind "$HOST" --port "$REDIS_PORT" --daemonize no --logfile '' \
    --dir "$DIR/redis" --save '' --appendonly no --requirepass "$REDIS_PASSWORD" \
    --tls-port "$REDIS_TLS_PORT" --tls-cert-file "$DIR/tls/server.pem" --tls-key-file "$DIR/tls/server.key" \
    --tls-ca-cert-file "$DIR/tls/ca.pem" --tls-auth-clients no
}

start_ftp() {
  local d=$DIR/ftp
  mkdir -p "$d/empty"
  ensure_user "$FTP_USER" "$d/home" "$FTP_PASSWORD"
  # vsftpd: stays in the foreground (background=NO); chroot into a writable home needs
  # allow_writeable_chroot; OpenSSL 3 needs ssl_ciphers=HIGH; many FTPS clients do not reuse the TLS
  # session on the data channel, hence require_ssl_reuse=NO. TLS is offered, not forced.
  cat >"$d/vsftpd.conf" <<EOF
listen=YES
listen_ipv6=NO
listen_address=$HOST
listen_port=$FTP_PORT
background=NO
anonymous_enable=NO
local_enable=YES
write_enable=YES
local_umask=022
chroot_local_user=YES
allow_writeable_chroot=YES
secure_chroot_dir=$d/empty
pam_service_name=vsftpd
pasv_enable=YES
pasv_address=$HOST
pasv_min_port=$FTP_PASV_MIN
pasv_max_port=$FTP_PASV_MAX
port_enable=YES
ssl_enable=YES
allow_anon_ssl=NO
force_local_logins_ssl=NO
force_local_data_ssl=NO
require_ssl_reuse=NO
ssl_ciphers=HIGH
rsa_cert_file=$DIR/tls/server.pem
rsa_private_key_file=$DIR/tls/server.key
xferlog_enable=YES
vsftpd_log_file=$DIR/logs/ftp-transfers.log
EOF
  launch ftp vsftpd "$d/vsftpd.conf"
}

start_sftp() {
  local d=$DIR/sftp
  mkdir -p "$d"
  install -d -m 755 /run/sshd # privilege separation directory
  # one host key, so that its fingerprint is the one every client sees; the client key is RSA in
  # PEM form, which every SSH library reads
  [[ -f $d/host_ed25519 ]] || ssh-keygen -q -t ed25519 -N '' -C edge-test-host -f "$d/host_ed25519"
  [[ -f $d/client_key ]] || ssh-keygen -q -t rsa -b 3072 -m PEM -N '' -C edge-test-client -f "$d/client_key"
  echo "[$HOST]:$SFTP_PORT $(cut -d' ' -f1,2 "$d/host_ed25519.pub")" >"$d/known_hosts"
  ensure_user "$SFTP_USER" "$d/home" "$SFTP_PASSWORD"
  # the authorized key lives outside the home, so the home holds only what the tests put there
  install -m 644 "$d/client_key.pub" "$d/authorized_keys"
  cat >"$d/sshd_config" <<EOF
ListenAddress $HOST:$SFTP_PORT
HostKey $d/host_ed25519
PidFile none
AllowUsers $SFTP_USER
PermitRootLogin no
PubkeyAuthentication yes
AuthorizedKeysFile $d/authorized_keys
PasswordAuthentication yes
KbdInteractiveAuthentication no
UsePAM yes
StrictModes no
X11Forwarding no
AllowTcpForwarding no
Subsystem sftp internal-sftp
ForceCommand internal-sftp
EOF
  # sshd insists on an absolute path; -D keeps it in the foreground, -e logs to stderr
  launch sftp /usr/sbin/sshd -D -e -f "$d/sshd_config"
}

start_smtp() {
  local d=$DIR/smtp
  mkdir -p "$d/mail"
  cat >"$d/sink.py" <<'PY'
# SMTP sink for the tests: STARTTLS offered, AUTH optional (PLAIN/LOGIN, one user), every message
# stored as mail/NNNNNN.eml (raw) with NNNNNN.json (envelope); the .eml appears last, complete.
import itertools, json, os, signal, ssl, sys, threading, time, warnings
warnings.filterwarnings("ignore", category=DeprecationWarning)
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

host, port, mail_dir, cert, key, user, password = sys.argv[1:8]
port, user, password = int(port), user.encode(), password.encode()
existing = [int(f[:-4]) for f in os.listdir(mail_dir) if f.endswith(".eml") and f[:-4].isdigit()]
numbers, lock = itertools.count(max(existing, default=0) + 1), threading.Lock()

def check_login(server, session, envelope, mechanism, data):
    ok = isinstance(data, LoginPassword) and data.login == user and data.password == password
    return AuthResult(success=ok, handled=False, auth_data=data.login.decode() if ok else None)

class Sink:
    # .NET's SmtpClient sends "AUTH login" in lower case; aiosmtpd only knows "LOGIN" and answers 504,
    # after which SmtpClient sends the mail unauthenticated. Accept the lower-case spelling too.
    async def auth_login(self, server, args):
        return await server.auth_LOGIN("LOGIN", args)

    async def handle_DATA(self, server, session, envelope):
        with lock:
            n = next(numbers)
        base = os.path.join(mail_dir, "%06d" % n)
        meta = {"from": envelope.mail_from, "to": envelope.rcpt_tos, "auth_user": session.auth_data if session.authenticated else None,
                "tls": session.ssl is not None, "received": time.time()}
        with open(base + ".json", "w") as f:
            json.dump(meta, f)
        with open(base + ".part", "wb") as f:
            f.write(envelope.original_content or envelope.content)
        os.rename(base + ".part", base + ".eml")
        return "250 OK stored as %06d" % n

tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
tls.load_cert_chain(cert, key)
controller = Controller(Sink(), hostname=host, port=port, tls_context=tls, require_starttls=False,
                        authenticator=check_login, auth_required=False, auth_require_tls=False,
                        decode_data=False, ident="edge-test-smtp")
controller.start()
print("smtp sink listening on %s:%d, mail in %s" % (host, port, mail_dir), flush=True)
done = threading.Event()
signal.signal(signal.SIGTERM, lambda *_: done.set())
signal.signal(signal.SIGINT, lambda *_: done.set())
done.wait()
controller.stop()
PY
  # Debian's aiosmtpd belongs to Debian's python: /usr/bin/python3, not whatever python3 is on PATH
  launch smtp /usr/bin/python3 "$d/sink.py" "$HOST" "$SMTP_PORT" "$d/mail" "$DIR/tls/server.pem" "$DIR/tls/server.key" \
    "$SMTP_USER" "$SMTP_PASSWORD"
}

swift_server_conf() { # kind port
  cat <<EOF
[DEFAULT]
bind_ip = $HOST
bind_port = $2
workers = 0
user = swift
swift_dir = $DIR/s3/etc
devices = $DIR/s3/devices
mount_check = false
disable_fallocate = true
log_name = swift-$1

[pipeline:main]
pipeline = $1-server

[app:$1-server]
use = egg:swift#$1
EOF
}

start_s3() {
  local d=$DIR/s3 kind port
  mkdir -p "$d/etc" "$d/devices/d1"
  # s3api authenticates through tempauth, and tempauth keeps its tokens in memcached: without a
  # memcached every S3 request answers 503
  if ! alive s3-memcached; then
    launch s3-memcached memcached -l "$HOST" -p "$S3_MEMCACHED_PORT" -U 0 -u nobody -m 32
  fi
  local rings=()
  for kind in object container account; do
    port=SWIFT_${kind^^}_PORT
    swift_server_conf "$kind" "${!port}" >"$d/etc/$kind-server.conf"
    if [[ ! -f $d/etc/$kind.ring.gz ]]; then
      ( cd "$d/etc" && rm -f "$kind.builder" && swift-ring-builder "$kind.builder" create 6 1 1 &&
          swift-ring-builder "$kind.builder" add "r1z1-$HOST:${!port}/d1" 1 &&
          swift-ring-builder "$kind.builder" rebalance ) >"$DIR/logs/s3-ring-$kind.log" 2>&1 &
      rings+=($!)
    fi
  done
  local pid
  for pid in "${rings[@]}"; do wait "$pid" || die "s3: swift-ring-builder failed (see $DIR/logs/s3-ring-*.log)"; done
  cat >"$d/etc/proxy-server.conf" <<EOF
[DEFAULT]
bind_ip = $HOST
bind_port = $S3_PORT
workers = 0
user = swift
swift_dir = $d/etc
log_name = swift-proxy

[pipeline:main]
pipeline = catch_errors gatekeeper healthcheck proxy-logging cache listing_formats s3api tempauth copy slo dlo proxy-logging proxy-server

[app:proxy-server]
use = egg:swift#proxy
account_autocreate = true
allow_account_management = true

[filter:s3api]
use = egg:swift#s3api
location = $S3_REGION

[filter:tempauth]
use = egg:swift#tempauth
user_${S3_ACCOUNT}_${S3_USER} = $S3_SECRET_KEY .admin

[filter:cache]
use = egg:swift#memcache
memcache_servers = $HOST:$S3_MEMCACHED_PORT

[filter:catch_errors]
use = egg:swift#catch_errors
[filter:gatekeeper]
use = egg:swift#gatekeeper
[filter:healthcheck]
use = egg:swift#healthcheck
[filter:proxy-logging]
use = egg:swift#proxy_logging
[filter:listing_formats]
use = egg:swift#listing_formats
[filter:copy]
use = egg:swift#copy
[filter:slo]
use = egg:swift#slo
[filter:dlo]
use = egg:swift#dlo
EOF
  (umask 077; echo "machine $HOST login $S3_ACCOUNT:$S3_USER password $S3_SECRET_KEY" >"$d/netrc")
  chown -R swift:swift "$d/devices" # the servers drop to the swift user
  for kind in account container object proxy; do
    alive "s3-$kind" || launch "s3-$kind" "/usr/bin/swift-$kind-server" "$d/etc/$kind-server.conf" --verbose
  done
  wait_for s3-proxy 60 curl -sf --max-time 2 "http://$HOST:$S3_PORT/healthcheck"
  for kind in account container object; do
    port=SWIFT_${kind^^}_PORT
    wait_for "s3-$kind" 60 curl -s --max-time 2 -o /dev/null "http://$HOST:${!port}/"
  done
  wait_for s3-memcached 30 bash -c "exec 3<>/dev/tcp/$HOST/$S3_MEMCACHED_PORT"
  # create the bucket (409 BucketAlreadyOwnedByYou after a restart is fine)
  local code
  code=$(s3_request PUT "/$S3_BUCKET" -o "$DIR/logs/s3-create-bucket.out" -w '%{http_code}') || true
  [[ $code == 200 || $code == 409 ]] || { cat "$DIR/logs/s3-create-bucket.out" >&2; die "s3: creating bucket $S3_BUCKET answered HTTP $code"; }
}

s3_alive() { local k; for k in memcached account container object proxy; do alive "s3-$k" || return 1; done; }

# ---- settings file ----------------------------------------------------------------------------

write_env() {
  local fp; fp=$(ssh-keygen -l -E sha256 -f "$DIR/sftp/host_ed25519.pub" | awk '{ print $2 }')
  local tmp=$DIR/services.env.tmp
  cat >"$tmp" <<EOF
# Written by scripts/services.sh start; KEY=value lines, sourceable by bash (no quoting needed).
EDGE_TEST_SERVICES_DIR=$DIR
EDGE_TEST_TLS_CA_CERT=$DIR/tls/ca.pem
EDGE_TEST_TLS_CERT=$DIR/tls/server.pem
EDGE_TEST_TLS_KEY=$DIR/tls/server.key
EDGE_TEST_POSTGRES_HOST=$HOST
EDGE_TEST_POSTGRES_PORT=$PG_PORT
EDGE_TEST_POSTGRES_DATABASE=$DB_NAME
EDGE_TEST_POSTGRES_USER=$DB_USER
EDGE_TEST_POSTGRES_PASSWORD=$PG_PASSWORD
EDGE_TEST_POSTGRES_ADMIN_USER=postgres
EDGE_TEST_POSTGRES_ADMIN_PASSWORD=$PG_ADMIN_PASSWORD
EDGE_TEST_POSTGRES_SOCKET_DIR=$DIR/postgres/socket
EDGE_TEST_POSTGRES_TLS=available
EDGE_TEST_MARIADB_HOST=$HOST
EDGE_TEST_MARIADB_PORT=$MARIADB_PORT
EDGE_TEST_MARIADB_DATABASE=$DB_NAME
EDGE_TEST_MARIADB_USER=$DB_USER
EDGE_TEST_MARIADB_PASSWORD=$MARIADB_PASSWORD
EDGE_TEST_MARIADB_ADMIN_SOCKET=$DIR/mariadb/mariadb.sock
EDGE_TEST_MARIADB_TLS=available
EDGE_TEST_REDIS_HOST=$HOST
EDGE_TEST_REDIS_PORT=$REDIS_PORT
EDGE_TEST_REDIS_TLS_PORT=$REDIS_TLS_PORT
EDGE_TEST_REDIS_PASSWORD=$REDIS_PASSWORD
EDGE_TEST_FTP_HOST=$HOST
EDGE_TEST_FTP_PORT=$FTP_PORT
EDGE_TEST_FTP_USER=$FTP_USER
EDGE_TEST_FTP_PASSWORD=$FTP_PASSWORD
EDGE_TEST_FTP_TLS=explicit
EDGE_TEST_FTP_PASSIVE_PORTS=$FTP_PASV_MIN-$FTP_PASV_MAX
EDGE_TEST_FTP_HOME=$DIR/ftp/home
EDGE_TEST_SFTP_HOST=$HOST
EDGE_TEST_SFTP_PORT=$SFTP_PORT
EDGE_TEST_SFTP_USER=$SFTP_USER
EDGE_TEST_SFTP_PASSWORD=$SFTP_PASSWORD
EDGE_TEST_SFTP_PRIVATE_KEY=$DIR/sftp/client_key
EDGE_TEST_SFTP_PUBLIC_KEY=$DIR/sftp/client_key.pub
EDGE_TEST_SFTP_KNOWN_HOSTS=$DIR/sftp/known_hosts
EDGE_TEST_SFTP_HOST_KEY_FINGERPRINT=$fp
EDGE_TEST_SFTP_HOME=$DIR/sftp/home
EDGE_TEST_SMTP_HOST=$HOST
EDGE_TEST_SMTP_PORT=$SMTP_PORT
EDGE_TEST_SMTP_TLS=starttls
EDGE_TEST_SMTP_USER=$SMTP_USER
EDGE_TEST_SMTP_PASSWORD=$SMTP_PASSWORD
EDGE_TEST_SMTP_MAIL_DIR=$DIR/smtp/mail
EDGE_TEST_S3_ENDPOINT=http://$HOST:$S3_PORT
EDGE_TEST_S3_HOST=$HOST
EDGE_TEST_S3_PORT=$S3_PORT
EDGE_TEST_S3_REGION=$S3_REGION
EDGE_TEST_S3_BUCKET=$S3_BUCKET
EDGE_TEST_S3_ACCESS_KEY=$S3_ACCOUNT:$S3_USER
EDGE_TEST_S3_SECRET_KEY=$S3_SECRET_KEY
EDGE_TEST_S3_PATH_STYLE=true
EOF
  mv "$tmp" "$DIR/services.env"
}

# ---- commands ---------------------------------------------------------------------------------

prepare_dir() {
  [[ $DIR =~ ^/[A-Za-z0-9_./-]+$ ]] || die "EDGE_SERVICES_DIR must be an absolute path of plain characters: $DIR"
  mkdir -p "$DIR/logs" "$DIR/run"
  chmod 755 "$DIR" # the postgres, swift and login users must be able to traverse it
}

cmd_start() {
  local t0=$EPOCHREALTIME svc
  [[ $(id -u) -eq 0 ]] || die "start must run as root: it installs packages, creates login users and starts servers that drop privileges"
  prepare_dir
  install_packages
  load_secrets
  make_tls
  local t1=$EPOCHREALTIME
  for svc in "${SERVICES[@]}"; do
    if { [[ $svc == s3 ]] && s3_alive; } || { [[ $svc != s3 ]] && alive "$svc"; }; then
      log "$svc: already running (pid $(pid_of "${svc/#s3/s3-proxy}")), skipped"
    else
      local ts=$EPOCHREALTIME
      "start_$svc"
      log "$svc: started ($(seconds_since "$ts")s)"
    fi
  done
  write_env
  for svc in "${SERVICES[@]}"; do
    local ts=$EPOCHREALTIME
    wait_for "$svc" 60 "check_$svc"
    log "$svc: answers ($(seconds_since "$ts")s)"
  done
  log "all services up: start $(seconds_since "$t1")s, total $(seconds_since "$t0")s; settings in $DIR/services.env"
}

cmd_stop() {
  local t0=$EPOCHREALTIME k
  [[ -d $DIR/run ]] || { log "nothing to stop in $DIR"; return 0; }
  # all at once: they do not depend on each other for shutting down
  for k in proxy object container account memcached; do halt "s3-$k" & done
  halt smtp &
  halt sftp &
  halt ftp &
  halt redis &
  halt mariadb &
  halt postgres INT & # PostgreSQL's fast shutdown; TERM would wait for clients to leave
  wait
  log "stopped in $(seconds_since "$t0")s"
}

cmd_status() {
  local svc state rc=0
  # shellcheck disable=SC1091
  [[ -f $DIR/secrets.env ]] && source "$DIR/secrets.env"
  for svc in "${SERVICES[@]}"; do
    state=down
    if { [[ $svc == s3 ]] && s3_alive; } || { [[ $svc != s3 ]] && alive "$svc"; }; then
      if [[ -f $DIR/secrets.env ]] && "check_$svc" >/dev/null 2>&1; then state=up; else state="down (process running, no answer)"; fi
    fi
    [[ $state == up ]] || rc=1
    printf '%-9s %s\n' "$svc" "$state"
  done
  return "$rc"
}

case ${1:-} in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  reset) cmd_stop; rm -rf "$DIR"; log "removed $DIR" ;;
  *) echo "usage: $0 start|stop|status|reset   (state: \$EDGE_SERVICES_DIR, default /tmp/edge-services)" >&2; exit 2 ;;
esac
