"""Integration test harness: one real userpoold per test file.

The `server` fixture starts the built daemon (src/userpoold, or
$USERPOOLD_BIN) for each test module on two free loopback ports, HTTPS
and plain HTTP, with a fresh state directory, so the daemon creates its
certificate, master key and admin credentials itself, as on a first run.
Tests talk to it with real clients: the AWS CLI (/usr/bin/aws), boto3,
curl, or raw HTTP through `server.request()`.

The database: one PostgreSQL cluster per pytest run (initdb'd as the
postgres user under /tmp when the first daemon needs it, stopped at the
end of the run), with a template database migrated once by `userpoold
migrate`; every Server gets its own copy of the template (CREATE
DATABASE ... TEMPLATE) through database_url. With pytest-xdist the test
files run in parallel (`-n 2 --dist loadfile`) and share that cluster.
A module that stops or restarts PostgreSQL, or runs the binary on the
state directory, marks itself `pytestmark = pytest.mark.own_cluster`:
its servers start their embedded cluster as a first run does.
UPTEST_EMBEDDED=1 gives every server its embedded cluster.

The `pool` fixture gives each test a fresh user pool (the UserPool dict
of CreateUserPool; `pool["Id"]` is its id) and deletes it afterwards;
`make_pool` makes more, with CreateUserPool arguments, and `idp` is a
boto3 client. Helpers the test modules share (error_of, psql,
make_client...) are plain functions here, imported from conftest.

Run with Debian's interpreter: /usr/bin/python3 -m pytest tests/integration
"""

import base64
import configparser
import fcntl
import glob
import hashlib
import hmac
import http.client
import json
import os
import pwd
import re
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import threading
import time
import uuid

import pytest

from aws_cli import AWS, Cli
from console_client import ConsoleSession

REPO = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
# The auth flows make_client() enables unless told otherwise.
APP_FLOWS = ["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_USER_PASSWORD_AUTH",
             "ALLOW_REFRESH_TOKEN_AUTH"]
# The passwords make_user() gives: the temporary one, then the permanent.
TEMP = "Tmp#12345aB"
PASSWORD = "Corr3ct-Horse!"
# A version 4 UUID as Cognito makes a sub.
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-"
                  r"[0-9a-f]{12}$")
START_TIMEOUT = 60
SETPRIV = shutil.which("setpriv")
STOP_TIMEOUT = 20
LOG_TAIL_LINES = 80

# Reports that sanitizer builds write to the daemon's stderr.
SANITIZER_PATTERNS = re.compile(
    r"ERROR: (AddressSanitizer|LeakSanitizer)|runtime error: ")

_server = None  # the running Server, for the failure-report hook
# This process's AWS CLI runner (aws_cli.py: /usr/bin/aws's code, forked
# from one process that imported it, not a new interpreter per call).
_cli = Cli()


def userpoold_bin():
    """The daemon under test: $USERPOOLD_BIN, else build/ or src/."""
    path = os.environ.get("USERPOOLD_BIN")
    if path:
        return os.path.abspath(path)
    for rel in ("src/userpoold", "build/src/userpoold"):
        cand = os.path.join(REPO, rel)
        if os.access(cand, os.X_OK):
            return cand
    return os.path.join(REPO, "src/userpoold")


def daemon_env(extra=None):
    """os.environ without USERPOOLD_* (the daemon rejects unknown ones)."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("USERPOOLD_")}
    env.update(extra or {})
    return env


def pg_bindir():
    """Directory of pg_ctl: the newest /usr/lib/postgresql/N/bin."""
    cands = glob.glob("/usr/lib/postgresql/*/bin/pg_ctl")
    if not cands:
        path = shutil.which("pg_ctl")
        if path is None:
            raise RuntimeError("pg_ctl not found")
        return os.path.dirname(path)
    cands.sort(key=lambda p: int(p.split("/")[4]))
    return os.path.dirname(cands[-1])


def pg_data_dir(state_dir):
    """Where the embedded cluster's data directory lives.

    src/db/embedded.c lays the cluster out as <state_dir>/pg/data, with
    the socket in <state_dir>/pg/run and the server log in
    <state_dir>/pg/postgresql.log; this is the one place that knows it.
    """
    return os.path.join(state_dir, "pg", "data")


# Where the run's shared cluster lives (set by the process that owns it,
# inherited by pytest-xdist's workers); never a USERPOOLD_ variable, which
# the daemon would reject.
CLUSTER_ENV = "UPTEST_CLUSTER_DIR"
TEMPLATE_DB = "userpoold_template"


def as_postgres(cmd):
    """cmd run as the postgres user when we are root (initdb refuses
    root), as it is otherwise."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--"] + cmd
    return cmd


class Cluster:
    """The PostgreSQL cluster one pytest run shares, under root/pg:
    data/, run/ (its Unix socket, the only listener) and postgresql.log.
    Made on first use by whichever process needs it first (a lock file
    orders the xdist workers); stopped by the process that made root."""

    def __init__(self, root):
        self.root = root
        self.pg = os.path.join(root, "pg")
        self.data = os.path.join(self.pg, "data")
        self.sock = os.path.join(self.pg, "run")
        self.log_path = os.path.join(self.pg, "postgresql.log")
        self.ready = os.path.join(root, "ready")

    def conninfo(self, db):
        return "host=%s dbname=%s user=postgres" % (self.sock, db)

    def ensure(self, bin_path):
        """Create, start and template the cluster unless done already."""
        with open(os.path.join(self.root, "lock"), "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not os.path.exists(self.ready):
                self._create(bin_path)
                with open(self.ready, "w") as f:
                    f.write("%d\n" % os.getpid())

    def _run(self, cmd, what):
        r = subprocess.run(as_postgres(cmd), stdin=subprocess.DEVNULL,
                           capture_output=True, text=True, cwd="/",
                           timeout=120)
        if r.returncode != 0:
            raise RuntimeError("%s failed (%d): %s%s\n%s"
                               % (what, r.returncode, r.stdout, r.stderr,
                                  self.log_tail()))
        return r.stdout

    def _create(self, bin_path):
        os.makedirs(self.pg, exist_ok=True)
        if os.geteuid() == 0:
            pw = pwd.getpwnam("postgres")
            os.chown(self.pg, pw.pw_uid, pw.pw_gid)
        bindir = pg_bindir()
        # Test data need not survive a crash: no fsync anywhere.
        self._run([os.path.join(bindir, "initdb"), "-D", self.data,
                   "-A", "trust", "-U", "postgres", "-E", "UTF8",
                   "--no-sync"], "initdb")
        self._run(["mkdir", "-m", "0700", self.sock], "mkdir")
        opts = ("-c listen_addresses='' -c unix_socket_directories='%s' "
                "-c max_connections=400 -c fsync=off "
                "-c synchronous_commit=off -c full_page_writes=off"
                % self.sock)
        self._run([os.path.join(bindir, "pg_ctl"), "start", "-w", "-t",
                   "60", "-s", "-D", self.data, "-l", self.log_path,
                   "-o", opts], "pg_ctl start")
        self.sql("postgres", "CREATE DATABASE %s" % TEMPLATE_DB)
        state = os.path.join(self.root, "migrate-state")
        r = subprocess.run(
            [bin_path, "--state_dir=%s" % state,
             "--database_url=%s" % self.conninfo(TEMPLATE_DB), "migrate"],
            stdin=subprocess.DEVNULL, capture_output=True, text=True,
            env=daemon_env(), timeout=120)
        if r.returncode != 0:
            raise RuntimeError("userpoold migrate failed (%d): %s%s"
                               % (r.returncode, r.stdout, r.stderr))
        shutil.rmtree(state, ignore_errors=True)

    def sql(self, db, sql, separator="|"):
        return self._run(["psql", "-h", self.sock, "-d", db, "-U",
                          "postgres", "-At", "-F", separator, "-v",
                          "ON_ERROR_STOP=1", "-c", sql], "psql")

    def clone(self, bin_path):
        """A new database copied from the migrated template; its name."""
        self.ensure(bin_path)
        name = "userpoold_%s" % uuid.uuid4().hex[:12]
        for attempt in range(20):
            try:
                self.sql("postgres", "CREATE DATABASE %s TEMPLATE %s"
                         % (name, TEMPLATE_DB))
                return name
            except RuntimeError as e:
                # Two clones at once: "source database ... is being
                # accessed by other users"; wait and retry.
                if "being accessed" not in str(e) or attempt == 19:
                    raise
                time.sleep(0.2)
        return name

    def log_tail(self, lines=20):
        try:
            with open(self.log_path, "rb") as f:
                text = f.read().decode("utf-8", "replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def destroy(self):
        """Stop the cluster if it runs and remove everything."""
        if os.path.exists(os.path.join(self.data, "postmaster.pid")):
            subprocess.run(as_postgres([os.path.join(pg_bindir(), "pg_ctl"),
                                        "stop", "-m", "immediate", "-s",
                                        "-D", self.data]),
                           stdin=subprocess.DEVNULL, capture_output=True,
                           cwd="/", timeout=60)
        if not os.environ.get("KEEP_STATE_DIR"):
            shutil.rmtree(self.root, ignore_errors=True)


def shared_cluster():
    """The run's Cluster, or None when servers use their embedded one."""
    root = os.environ.get(CLUSTER_ENV)
    if not root or os.environ.get("UPTEST_EMBEDDED"):
        return None
    return Cluster(root)


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def parse_aws_error(stderr):
    """(ExceptionName, message) from the CLI's "An error occurred" line."""
    m = re.search(r"An error occurred \(([^)]+)\) when calling the \w+ "
                  r"operation(?: \([^)]*\))?: ?(.*)", stderr)
    if m is None:
        return None, stderr.strip()
    return m.group(1), m.group(2).strip()


def psql(server, sql, separator="|"):
    """Run SQL in the server's database as postgres; psql's unaligned
    output (-At) as text, fields split by separator."""
    sock, db = server.pg_socket(), server.pg_dbname()
    return subprocess.run(
        as_postgres(["psql", "-h", sock, "-d", db, "-U", "postgres", "-At",
                     "-F", separator, "-v", "ON_ERROR_STOP=1", "-c", sql]),
        check=True, capture_output=True, text=True).stdout


def error_of(excinfo):
    """(Code, Message) of the botocore ClientError pytest.raises caught."""
    e = excinfo.value.response["Error"]
    return e["Code"], e["Message"]


def unique_email(tag="u"):
    return "%s-%s@example.com" % (tag, uuid.uuid4().hex[:10])


def attrs_of(user):
    """{Name: Value} of a UserType (Attributes) or of an AdminGetUser or
    GetUser answer (UserAttributes)."""
    items = user.get("Attributes", user.get("UserAttributes", []))
    return {a["Name"]: a["Value"] for a in items}


def wrong(code):
    """A code that is not this one."""
    return "%06d" % ((int(code) + 1) % 1000000)


def secret_hash(username, client_id, secret):
    """The SECRET_HASH (SecretHash) of a username for a client secret."""
    mac = hmac.new(secret.encode(), (username + client_id).encode(),
                   hashlib.sha256).digest()
    return base64.b64encode(mac).decode()


def make_client(idp, pool_id, **kw):
    """CreateUserPoolClient "app" (APP_FLOWS unless ExplicitAuthFlows is
    given); the UserPoolClient."""
    kw.setdefault("ExplicitAuthFlows", APP_FLOWS)
    return idp.create_user_pool_client(
        UserPoolId=pool_id, ClientName="app", **kw)["UserPoolClient"]


def make_user(idp, pool_id, username=None, email=None, confirmed=True,
              password=PASSWORD):
    """AdminCreateUser without a message, with the temporary password
    TEMP (and a verified email when given); when confirmed, a permanent
    password too. The username."""
    username = username or "user-%s" % uuid.uuid4().hex[:8]
    attrs = []
    if email:
        attrs = [{"Name": "email", "Value": email},
                 {"Name": "email_verified", "Value": "true"}]
    idp.admin_create_user(UserPoolId=pool_id, Username=username,
                          TemporaryPassword=TEMP, MessageAction="SUPPRESS",
                          UserAttributes=attrs)
    if confirmed:
        idp.admin_set_user_password(UserPoolId=pool_id, Username=username,
                                    Password=password, Permanent=True)
    return username


def read_credentials(path, profile="default"):
    cp = configparser.ConfigParser()
    cp.read(path)
    sec = cp[profile]
    return sec["aws_access_key_id"], sec["aws_secret_access_key"]


def write_credentials(path, key_id, secret):
    with open(path, "w") as f:
        f.write("[default]\naws_access_key_id = %s\n"
                "aws_secret_access_key = %s\n" % (key_id, secret))
    os.chmod(path, 0o600)


class Response:
    """A raw HTTP reply: status, lowercased headers, body bytes."""

    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def json(self):
        return json.loads(self.body)

    def __repr__(self):
        return "<Response %d %r>" % (self.status, self.body[:200])


class Server:
    def __init__(self, extra_args=(), own_cluster=False):
        self.extra_args = list(extra_args)
        # The run's shared cluster (a database of its own in it), or
        # None: the daemon's embedded cluster under the state directory.
        self.cluster = None if own_cluster else shared_cluster()
        self.dbname = None
        self.bin = userpoold_bin()
        self.state_dir = tempfile.mkdtemp(prefix="userpoold-test-",
                                          dir="/tmp")
        # The embedded PostgreSQL runs as postgres and must traverse it.
        os.chmod(self.state_dir, 0o755)
        self.https_port = free_port()
        self.http_port = free_port()
        while self.http_port == self.https_port:
            self.http_port = free_port()
        self.https = "https://localhost:%d" % self.https_port
        self.http = "http://localhost:%d" % self.http_port
        self.cacert = os.path.join(self.state_dir, "tls", "cert.pem")
        self.credentials = os.path.join(self.state_dir, "aws-credentials")
        self.log_path = os.path.join(self.state_dir, "userpoold.log")
        self.proc = None
        self.pid = None
        self.env = None

    def pg_socket(self):
        """The directory of the database's Unix socket."""
        if self.cluster is not None:
            return self.cluster.sock
        return os.path.join(self.state_dir, "pg", "run")

    def pg_dbname(self):
        if self.cluster is not None:
            return self.dbname
        return "userpoold"

    def psql(self, sql):
        """Run SQL in the server's database as postgres; rows as lists of
        strings (tab-separated output split)."""
        return [line.split("\t")
                for line in psql(self, sql, "\t").splitlines()]

    # -- messages -----------------------------------------------------

    @property
    def outbox_dir(self):
        return os.path.join(self.state_dir, "outbox")

    def messages(self, to=None):
        """Delivered outbox messages, oldest first, as dicts with the
        keys to, subject, medium, body and path; only those to `to`
        (compared case-insensitively) when given."""
        out = []
        for path in sorted(glob.glob(os.path.join(self.outbox_dir, "*"))):
            if path.endswith(".tmp"):
                continue
            with open(path) as f:
                head, _, body = f.read().partition("\n\n")
            msg = {"path": path, "body": body}
            for line in head.splitlines():
                k, _, v = line.partition(": ")
                msg[k.lower()] = v
            if to is None or msg.get("to", "").lower() == to.lower():
                out.append(msg)
        return out

    def wait_message(self, to, count=1, timeout=15):
        """Wait until at least `count` messages to `to` are in the
        outbox; returns the newest."""
        deadline = time.monotonic() + timeout
        while True:
            msgs = self.messages(to)
            if len(msgs) >= count:
                return msgs[-1]
            if time.monotonic() > deadline:
                raise AssertionError("no message %d to %s in %s; log:\n%s"
                                     % (count, to, self.outbox_dir,
                                        self.log_tail()))
            time.sleep(0.05)

    def wait_code(self, to, count=1, timeout=15):
        """The 6-digit code of the newest message to `to`."""
        body = self.wait_message(to, count, timeout)["body"]
        m = re.search(r"\b(\d{6})\b", body)
        assert m, body
        return m.group(1)

    # -- life cycle ---------------------------------------------------

    def args(self):
        return [
            "--state_dir=%s" % self.state_dir,
            "--listen_https=127.0.0.1:%d" % self.https_port,
            "--listen_http=127.0.0.1:%d" % self.http_port,
            "--public_url=%s" % self.https,
            "--workers=2",
            "--log_level=debug",
            # Tests hash many passwords: a cheaper scrypt (the default
            # cost is measured by tests/bench/users.sh).
            "--scrypt_log2_n=10",
        ] + self.database_args() + self.extra_args

    def database_args(self):
        """--database_url of a fresh copy of the template, made on the
        first start; nothing for the embedded cluster."""
        if self.cluster is None:
            return []
        if self.dbname is None:
            self.dbname = self.cluster.clone(self.bin)
        return ["--database_url=%s" % self.cluster.conninfo(self.dbname)]

    def start(self):
        if not os.access(self.bin, os.X_OK):
            raise RuntimeError("%s is not built (set USERPOOLD_BIN)"
                               % self.bin)
        self.log = open(self.log_path, "ab")
        cmd = [self.bin] + self.args()
        # When the test process dies (an interrupted xdist run kills its
        # workers), the daemon gets SIGTERM rather than running on.
        if SETPRIV is not None:
            cmd = [SETPRIV, "--pdeathsig", "TERM", "--"] + cmd
        self.proc = subprocess.Popen(
            cmd, stdin=subprocess.DEVNULL,
            stdout=self.log, stderr=subprocess.STDOUT, env=daemon_env(),
            cwd=self.state_dir)
        self.pid = self.proc.pid
        deadline = time.monotonic() + START_TIMEOUT
        last = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("userpoold exited with %d during start"
                                   "-up; log:\n%s"
                                   % (self.proc.returncode, self.log_tail()))
            if os.path.exists(self.cacert):
                try:
                    r = self.request("GET", "/health", timeout=5)
                    if r.status == 200:
                        break
                    last = "GET /health: %d" % r.status
                except (OSError, ssl.SSLError, http.client.HTTPException) \
                        as e:
                    last = "GET /health: %r" % e
            time.sleep(0.2)
        else:
            raise RuntimeError("userpoold did not answer /health within "
                               "%d s (%s); log:\n%s"
                               % (START_TIMEOUT, last, self.log_tail()))
        self.env = self.aws_env(self.credentials)

    def start_or_clean(self):
        """start(); when that fails, stop what did start and remove the
        state directory before raising."""
        try:
            self.start()
        except BaseException:
            self.stop()
            self.cleanup()
            raise

    def shut_down(self):
        """Stop and remove the state directory; (sanitizer reports, the
        whole log), read before it goes."""
        self.stop()
        reports, log = self.sanitizer_reports(), self.log_text()
        self.cleanup()
        return reports, log

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                print("userpoold did not stop within %d s of SIGTERM; "
                      "killing it" % STOP_TIMEOUT)
                self.proc.kill()
                self.proc.wait()
                for pid in self.worker_pids():
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
        # A killed daemon leaves its PostgreSQL running: stop it here.
        if self.cluster is None and os.path.exists(os.path.join(
                pg_data_dir(self.state_dir), "postmaster.pid")):
            self.pg_ctl("stop", "-m", "immediate", check=False)
        if getattr(self, "log", None) is not None:
            self.log.close()

    def cleanup(self):
        if os.environ.get("KEEP_STATE_DIR"):
            print("state directory kept: %s" % self.state_dir)
            return
        shutil.rmtree(self.state_dir, ignore_errors=True)

    def log_text(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def log_tail(self, lines=LOG_TAIL_LINES):
        return "\n".join(self.log_text().splitlines()[-lines:])

    def sanitizer_reports(self):
        """Lines of the log around sanitizer reports, or ''."""
        text = self.log_text()
        m = SANITIZER_PATTERNS.search(text)
        if m is None:
            return ""
        return text[max(0, m.start() - 200):m.start() + 4000]

    # -- processes ----------------------------------------------------

    def worker_pids(self):
        """Live children of the supervisor running the daemon's binary."""
        exe = os.path.realpath(self.bin)
        pids = []
        for stat in glob.glob("/proc/[0-9]*/stat"):
            try:
                with open(stat) as f:
                    data = f.read()
                fields = data[data.rindex(")") + 2:].split()
                state, ppid = fields[0], int(fields[1])
                pid = int(stat.split("/")[2])
                if ppid != self.pid or state in ("Z", "X"):
                    continue
                if data[data.index("(") + 1:data.rindex(")")] in (
                        "postgres", "pg_ctl", "initdb", "runuser"):
                    continue
                if os.path.realpath("/proc/%d/exe" % pid) != exe:
                    continue
                pids.append(pid)
            except (OSError, ValueError, IndexError):
                continue
        return sorted(pids)

    def wait_workers(self, n=2, exclude=(), timeout=15):
        """Wait until n workers run, none of them in exclude."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pids = self.worker_pids()
            if len(pids) == n and not set(pids) & set(exclude):
                return pids
            time.sleep(0.1)
        raise AssertionError("workers are %r, want %d not in %r"
                             % (self.worker_pids(), n, list(exclude)))

    def pg_ctl(self, *args, check=True):
        """Run pg_ctl on the embedded cluster as the postgres user."""
        if self.cluster is not None:
            raise AssertionError(
                "this server's database is in the cluster the whole run "
                "shares; a module that stops or restarts PostgreSQL says "
                "pytestmark = pytest.mark.own_cluster")
        cmd = as_postgres([os.path.join(pg_bindir(), "pg_ctl"),
                           "-D", pg_data_dir(self.state_dir)] + list(args))
        # pg_ctl's server keeps its stdout open: never a pipe here.
        with open(os.path.join(self.state_dir, "pg_ctl.out"), "ab") as out:
            r = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=out,
                               stderr=out, cwd="/", timeout=60)
        if check and r.returncode != 0:
            raise AssertionError("pg_ctl %s failed (%d): %s"
                                 % (" ".join(args), r.returncode,
                                    self.pg_ctl_output()))
        return r

    def pg_ctl_output(self):
        try:
            with open(os.path.join(self.state_dir, "pg_ctl.out")) as f:
                return f.read()[-2000:]
        except OSError:
            return ""

    def pg_restart(self, down_seconds=0):
        """Restart the embedded PostgreSQL, down for down_seconds."""
        if down_seconds > 0:
            self.pg_ctl("-m", "fast", "stop", "-w")
            time.sleep(down_seconds)
        # restart starts a stopped server too, with the options that
        # were recorded in postmaster.opts at its first start.
        self.pg_ctl("-m", "fast", "restart", "-w", "-l",
                    os.path.join(os.path.dirname(pg_data_dir(
                        self.state_dir)), "postgresql.log"))

    # -- clients ------------------------------------------------------

    def aws_env(self, credentials):
        env = daemon_env({
            "AWS_SHARED_CREDENTIALS_FILE": credentials,
            "AWS_CONFIG_FILE": "/dev/null",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_CA_BUNDLE": self.cacert,
            "AWS_PAGER": "",
            "AWS_EC2_METADATA_DISABLED": "true",
        })
        for k in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ACCESS_KEY_ID",
                  "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
                  "AWS_ENDPOINT_URL", "AWS_REGION"):
            env.pop(k, None)
        return env

    def _aws_run(self, args, env):
        argv = ["cognito-idp"] + [str(a) for a in args] + [
            "--endpoint-url", self.https, "--output", "json"]
        return _cli.run(argv, env or self.env, timeout=120)

    def aws(self, *args, env=None):
        """Run `aws cognito-idp ARGS`; the parsed JSON output, or {}."""
        r = self._aws_run(args, env)
        if r.returncode != 0:
            raise AssertionError("aws cognito-idp %s failed (%d): %s"
                                 % (" ".join(map(str, args)), r.returncode,
                                    r.stderr.strip()))
        return json.loads(r.stdout) if r.stdout.strip() else {}

    def aws_error(self, *args, env=None):
        """Run a CLI call that must fail; (ExceptionName, message)."""
        r = self._aws_run(args, env)
        if r.returncode == 0:
            raise AssertionError("aws cognito-idp %s succeeded: %s"
                                 % (" ".join(map(str, args)), r.stdout))
        return parse_aws_error(r.stderr)

    def admin_credentials(self):
        """(access key id, secret) of the admin key the daemon wrote."""
        return read_credentials(self.credentials)

    def boto3(self, credentials=None, retries=1):
        """A boto3 cognito-idp client for this server."""
        from botocore.config import Config
        key_id, secret = credentials or self.admin_credentials()
        return boto3_session().client(
            "cognito-idp", endpoint_url=self.https, verify=self.cacert,
            region_name="us-east-1", aws_access_key_id=key_id,
            aws_secret_access_key=secret,
            config=Config(retries={"max_attempts": retries,
                                   "mode": "standard"},
                          connect_timeout=10, read_timeout=60))

    def curl(self, *args, timeout=30):
        """Run curl with the server's CA; the CompletedProcess (text)."""
        return subprocess.run(
            ["curl", "-sS", "--cacert", self.cacert, "--max-time",
             str(timeout)] + [str(a) for a in args],
            stdin=subprocess.DEVNULL, capture_output=True, text=True,
            errors="replace", timeout=timeout + 10)

    def ssl_context(self):
        ctx = ssl.create_default_context(cafile=self.cacert)
        return ctx

    def connection(self, scheme="https", timeout=10):
        if scheme == "https":
            return http.client.HTTPSConnection(
                "localhost", self.https_port, context=self.ssl_context(),
                timeout=timeout)
        return http.client.HTTPConnection("localhost", self.http_port,
                                          timeout=timeout)

    def request(self, method, path, body=None, headers=None,
                scheme="https", timeout=10):
        """One HTTP request on a new connection; a Response."""
        conn = self.connection(scheme, timeout)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            r = conn.getresponse()
            data = r.read()
            hdrs = {k.lower(): v for k, v in r.getheaders()}
            return Response(r.status, hdrs, data)
        finally:
            conn.close()

    def sign(self, target, body, credentials=None, scheme="https",
             extra_headers=None, when=None):
        """Headers of a SigV4-signed JSON API POST / (botocore signs),
        signed now or at epoch time `when`."""
        import datetime
        from unittest import mock
        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest
        from botocore.credentials import Credentials
        key_id, secret = credentials or self.admin_credentials()
        base = self.https if scheme == "https" else self.http
        headers = {
            "Content-Type": "application/x-amz-json-1.1",
            "X-Amz-Target": "AWSCognitoIdentityProviderService." + target,
        }
        headers.update(extra_headers or {})
        req = AWSRequest(method="POST", url=base + "/", data=body,
                         headers=headers)
        auth = SigV4Auth(Credentials(key_id, secret), "cognito-idp",
                         "us-east-1")
        if when is None:
            auth.add_auth(req)
        else:
            fixed = datetime.datetime.utcfromtimestamp(when)
            with mock.patch("botocore.auth.datetime") as dt:
                dt.datetime.utcnow.return_value = fixed
                auth.add_auth(req)
        return dict(req.headers.items())

    def api(self, target, payload=None, signed=True, credentials=None,
            scheme="https", timeout=10, raw_body=None):
        """POST a JSON API call; a Response (status, headers, body)."""
        body = raw_body if raw_body is not None else \
            json.dumps(payload or {}).encode()
        if signed:
            headers = self.sign(target, body, credentials, scheme)
        else:
            headers = {
                "Content-Type": "application/x-amz-json-1.1",
                "X-Amz-Target": "AWSCognitoIdentityProviderService."
                + target,
            }
        return self.request("POST", "/", body, headers, scheme, timeout)


_sessions = []
_sessions_lock = threading.Lock()


def boto3_session():
    """The boto3 Session this process makes its clients from: a new
    Session loads the service model again (over half a second of CPU),
    a client of a loaded one takes milliseconds. Clients stay separate
    (credentials, endpoint, retries are per client)."""
    import boto3
    with _sessions_lock:
        if not _sessions:
            _sessions.append(boto3.session.Session())
        return _sessions[0]


def as_cli_prints(obj):
    """A boto3 answer as the AWS CLI prints it: JSON, with timestamps in
    ISO 8601."""
    return json.loads(json.dumps(obj, default=lambda o: o.isoformat()))


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "own_cluster: the module's servers run their embedded "
        "PostgreSQL (it stops or restarts it, or uses the state directory)")
    config.addinivalue_line(
        "markers", "js_clients: runs Node.js clients or Chromium (deselected "
        "on the sanitizer build: -m 'not js_clients')")
    # The process that starts the run owns the shared cluster; xdist's
    # workers inherit its directory through the environment.
    if os.environ.get(CLUSTER_ENV) is None and \
            not hasattr(config, "workerinput"):
        root = tempfile.mkdtemp(prefix="userpoold-cluster-", dir="/tmp")
        os.chmod(root, 0o755)
        os.environ[CLUSTER_ENV] = root
        config._uptest_cluster = Cluster(root)
        # Killed (test.sh's timeout, a CI cancel): stop the cluster too.
        if signal.getsignal(signal.SIGTERM) == signal.SIG_DFL:
            signal.signal(signal.SIGTERM, _terminated)


def _terminated(signum, frame):
    root = os.environ.get(CLUSTER_ENV)
    if root:
        Cluster(root).destroy()
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)


def pytest_unconfigure(config):
    _cli.stop()
    cluster = getattr(config, "_uptest_cluster", None)
    if cluster is not None:
        cluster.destroy()
        os.environ.pop(CLUSTER_ENV, None)


def pytest_collection_modifyitems(config, items):
    # Tests that drive the npm clients or Chromium need the node fixture.
    slow = set()
    for item in items:
        if "node" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.js_clients)
            slow.add(item.module.__name__)
    # Their files take longest: run them first, so that under xdist the
    # other files fill the time beside them rather than after them.
    items.sort(key=lambda item: item.module.__name__ not in slow)


@pytest.fixture(scope="module")
def server(request):
    """The module's daemon, on its own copy of the template database (or
    its embedded cluster in an own_cluster module)."""
    global _server
    own = request.node.get_closest_marker("own_cluster") is not None
    srv = Server(own_cluster=own)
    srv.start_or_clean()
    _server = srv
    yield srv
    _server = None
    reports, _ = srv.shut_down()
    assert not reports, "sanitizer reports in the daemon's log:\n" + reports


@pytest.fixture
def console(server):
    """A plain HTTP session signed in to the module's server's admin
    console (console_client.py): .get(path), .post(path, fields) with the
    CSRF token added, .cookies, .csrf."""
    s = ConsoleSession(server)
    page = s.sign_in()
    assert page.status == 303, page
    return s


@pytest.fixture
def pool(server):
    """A fresh user pool: the UserPool dict of CreateUserPool, as the AWS
    CLI prints it (made through boto3: a CLI process costs a second of
    CPU, and most tests use a pool)."""
    name = "test-%s" % uuid.uuid4().hex[:12]
    client = server.boto3(retries=3)
    up = as_cli_prints(client.create_user_pool(PoolName=name)["UserPool"])
    yield up
    _delete_pool(client, up["Id"])


@pytest.fixture
def idp(server):
    """A boto3 cognito-idp client with the admin credentials."""
    return server.boto3()


@pytest.fixture
def make_pool(idp):
    """Make pools with CreateUserPool arguments (the UserPool dict of
    each); all deleted at the end of the test."""
    import botocore.exceptions
    made = []

    def make(**kw):
        up = idp.create_user_pool(PoolName="pool-%s" % uuid.uuid4().hex[:8],
                                  **kw)["UserPool"]
        made.append(up["Id"])
        return up

    yield make
    for pool_id in made:
        try:
            idp.delete_user_pool(UserPoolId=pool_id)
        except botocore.exceptions.ClientError:
            pass


def _delete_pool(client, pool_id):
    import botocore.exceptions
    try:
        client.delete_user_pool(UserPoolId=pool_id)
        return
    except botocore.exceptions.ClientError as e:
        if e.response["Error"]["Code"] == "ResourceNotFoundException":
            return  # the test deleted it
    # A pool with a domain cannot be deleted: remove the domain first.
    d = client.describe_user_pool(UserPoolId=pool_id)
    for key in ("Domain", "CustomDomain"):
        dom = d.get("UserPool", {}).get(key)
        if dom:
            client.delete_user_pool_domain(Domain=dom, UserPoolId=pool_id)
    client.delete_user_pool(UserPoolId=pool_id)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Attach the tail of the daemon's log to every failed test."""
    outcome = yield
    rep = outcome.get_result()
    if rep.failed and _server is not None:
        rep.sections.append(("userpoold log (last %d lines, %s)"
                             % (LOG_TAIL_LINES, _server.log_path),
                             _server.log_tail()))
