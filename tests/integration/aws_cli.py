"""The AWS CLI without its start-up cost: a fork server for /usr/bin/aws.

Every `aws` process spends about a second of CPU starting Python and
importing the CLI before it sends anything, and the tests run hundreds
of them. The server imports the CLI once (the awscli package /usr/bin/aws
runs, under the interpreter on its #! line) and forks a child per call.
The child is from there on what a new `aws` process would be: it takes
the call's arguments, environment, working directory and standard input,
output and error (passed over the socket), runs the CLI's entry point
awscli.clidriver.main() and exits with its status. So each call still
parses its arguments, reads its configuration and credentials, loads the
service model, signs and sends its request and prints its answer as the
command does; only the interpreter start and the imports are shared.

    python3 aws_cli.py SOCKET

serves on the Unix socket SOCKET until its standard input closes (the
test process that started it ended). A call: the client connects and
sends one JSON line {"argv": [...], "env": {...}, "cwd": "..."} with
three descriptors (stdin, stdout, stderr); the server answers "PID\\n"
once the child runs and "STATUS\\n" when the CLI is done. Cli is the
client (conftest.py's Server.aws); it runs /usr/bin/aws itself when the
CLI is not a Python program this can import. This module imports awscli
only in the server: awscli redirects `import botocore` to its own copy,
which must not happen in the tests' process (boto3 uses Debian's).
"""

import array
import json
import os
import select
import signal
import socket
import subprocess
import sys
import tempfile
import threading

AWS = "/usr/bin/aws"
MAX_REQUEST = 1 << 20


# --- the client (in the tests' process) ------------------------------

def cli_interpreter(path=AWS):
    """The Python of the CLI's #! line, or None if it is not Python."""
    try:
        with open(path, "rb") as f:
            first = f.readline().decode("utf-8", "replace").strip()
    except OSError:
        return None
    if not first.startswith("#!"):
        return None
    words = first[2:].split()
    if words and os.path.basename(words[0]) == "env":
        words = words[1:]
    if not words or not os.path.basename(words[0]).startswith("python"):
        return None
    return words[0]


class Cli:
    """Runs `aws ARGS` through one fork server, started on first use."""

    def __init__(self):
        self.lock = threading.Lock()
        self.proc = None
        self.dir = None
        self.sock = None
        self.broken = cli_interpreter() is None

    def _start(self):
        self.dir = tempfile.mkdtemp(prefix="aws-cli-")
        self.sock = os.path.join(self.dir, "sock")
        self.proc = subprocess.Popen(
            [cli_interpreter(), os.path.abspath(__file__), self.sock],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd="/",
            env=dict(os.environ, PYTHONDONTWRITEBYTECODE="1"))
        if self.proc.stdout.readline() != b"ready\n":
            # awscli cannot be imported this way: run the program.
            self.stop()
            self.broken = True

    def stop(self):
        if self.proc is not None:
            self.proc.stdin.close()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.proc.stdout.close()
            self.proc = None
        if self.dir is not None:
            try:
                os.unlink(self.sock)
            except OSError:
                pass
            os.rmdir(self.dir)
            self.dir = None

    def run(self, argv, env, timeout=120):
        """`aws` with argv (after the program name) in env: a
        CompletedProcess with text stdout and stderr."""
        with self.lock:
            if self.proc is None and not self.broken:
                self._start()
        if self.broken:
            return subprocess.run([AWS] + argv, env=env,
                                  stdin=subprocess.DEVNULL,
                                  capture_output=True, text=True,
                                  timeout=timeout)
        with tempfile.TemporaryFile() as out, \
                tempfile.TemporaryFile() as err, \
                open(os.devnull, "rb") as null, \
                socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(timeout)
            s.connect(self.sock)
            req = json.dumps({"argv": argv, "env": env,
                              "cwd": os.getcwd()}).encode() + b"\n"
            s.sendmsg([req], [(socket.SOL_SOCKET, socket.SCM_RIGHTS,
                               array.array("i", [null.fileno(),
                                                 out.fileno(),
                                                 err.fileno()]))])
            f = s.makefile("rb")
            pid = f.readline()
            try:
                status = f.readline()
            except socket.timeout:
                if pid.strip():
                    os.kill(int(pid), signal.SIGKILL)
                raise subprocess.TimeoutExpired([AWS] + argv, timeout)
            f.close()
            if not status.strip():
                raise RuntimeError("the AWS CLI fork server lost the call "
                                   "aws %s" % " ".join(argv))
            out.seek(0)
            err.seek(0)
            return subprocess.CompletedProcess(
                [AWS] + argv, int(status),
                out.read().decode("utf-8", "replace"),
                err.read().decode("utf-8", "replace"))


# --- the server (under the CLI's interpreter) ------------------------

def recv_request(conn):
    """The call's JSON object and its three descriptors."""
    fds = array.array("i")
    data = b""
    while not data.endswith(b"\n"):
        msg, anc, _, _ = conn.recvmsg(MAX_REQUEST, socket.CMSG_SPACE(
            3 * fds.itemsize))
        if not msg:
            raise EOFError("the client went away")
        for level, kind, payload in anc:
            if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                fds.frombytes(payload[:len(payload)
                                      - len(payload) % fds.itemsize])
        data += msg
    if len(fds) != 3:
        raise ValueError("want 3 descriptors, got %d" % len(fds))
    return json.loads(data), list(fds)


def run_call(conn, clidriver, data_path):
    """In the forked child: become the `aws` process of the call; its
    exit status."""
    req, fds = recv_request(conn)
    for i, fd in enumerate(fds):
        os.dup2(fd, i)
        os.close(fd)
    env = dict(req["env"])
    # awscli's import set AWS_DATA_PATH for botocore; the call's own
    # import would have set the same.
    if data_path is not None:
        env.setdefault("AWS_DATA_PATH", data_path)
    if env.get("LC_CTYPE", "") == "UTF-8":  # as /usr/bin/aws does
        env["LC_CTYPE"] = "en_US.UTF-8"
    os.environ.clear()
    os.environ.update(env)
    os.chdir(req["cwd"])
    sys.argv = [AWS] + list(req["argv"])
    conn.sendall(b"%d\n" % os.getpid())
    try:
        rc = clidriver.main()
    except SystemExit as e:
        rc = e.code if isinstance(e.code, int) else 1
    except BaseException:  # as the interpreter would: a traceback, 1
        import traceback
        traceback.print_exc()
        rc = 1
    for f in (sys.stdout, sys.stderr):
        try:
            f.flush()
        except OSError:
            pass
    return rc if isinstance(rc, int) else 0


def reap():
    """Collect the children that have ended."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def warm_up(clidriver):
    """Import the modules a call imports on its way, so that each child
    finds them imported: a child makes one call (to a closed port, with
    dummy credentials) and names them."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        before = set(sys.modules)
        devnull = os.open(os.devnull, os.O_RDWR)
        for i in range(3):
            os.dup2(devnull, i)
        os.environ.update(AWS_ACCESS_KEY_ID="warm-up",
                          AWS_SECRET_ACCESS_KEY="warm-up",
                          AWS_CONFIG_FILE=os.devnull,
                          AWS_SHARED_CREDENTIALS_FILE=os.devnull,
                          AWS_MAX_ATTEMPTS="1", AWS_PAGER="")
        try:
            clidriver.create_clidriver().main([
                "cognito-idp", "list-user-pools", "--max-results", "1",
                "--region", "us-east-1", "--output", "json",
                "--endpoint-url", "http://127.0.0.1:9"])
        except BaseException:
            pass
        new = sorted(set(sys.modules) - before)
        os.write(w, "\n".join(new).encode())
        os._exit(0)
    os.close(w)
    names = b""
    while True:
        chunk = os.read(r, 65536)
        if not chunk:
            break
        names += chunk
    os.close(r)
    os.waitpid(pid, 0)
    for name in names.decode().split():
        try:
            __import__(name)
        except BaseException:
            pass


def serve(path):
    import gc
    import awscli.clidriver
    data_path = os.environ.get("AWS_DATA_PATH")
    warm_up(awscli.clidriver)
    # The CLI's user agent names the distribution: distro caches what it
    # learns (lsb_release -a and uname -rs, run as processes) module-wide,
    # so it is learnt once here rather than in every child.
    try:
        import distro
        distro.id()
        distro.major_version()
    except Exception:
        pass
    # The children share the heap with this process page by page; the
    # collector must not touch (and so copy) every object in each.
    gc.freeze()
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    srv.listen(64)
    print("ready", flush=True)
    while True:
        # The children's status reaches the client through the socket;
        # they are reaped here (not ignored) so that their CPU time
        # counts in this process's, as `time` on the tests shows.
        reap()
        ready, _, _ = select.select([srv, sys.stdin], [], [], 0.5)
        if sys.stdin in ready and not os.read(sys.stdin.fileno(), 4096):
            return
        if srv not in ready:
            continue
        conn, _ = srv.accept()
        if os.fork() != 0:
            conn.close()
            continue
        srv.close()
        rc = 1
        try:
            rc = run_call(conn, awscli.clidriver, data_path)
            conn.sendall(b"%d\n" % rc)
        finally:
            os._exit(rc & 0xff)


if __name__ == "__main__":
    serve(sys.argv[1])
