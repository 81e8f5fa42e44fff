"""A local trigger endpoint for the tests: a threaded http.server on
loopback that records every request and answers it with a handler
written the way a Lambda handler is, `def handler(event, context)`,
wrapped as a webhook wrapper would wrap an existing function: the
returned event is the 200 answer; an exception becomes a 400 with
Lambda's error JSON {"errorType", "errorMessage"}.

Each path has its own handler (set with `on(path, handler)`); a handler
may instead return a Raw(status, body, delay) to answer something no
Lambda would (garbage, a bare 500, a slow answer)."""
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Raw:
    def __init__(self, status=200, body=b"", delay=0.0):
        self.status, self.body, self.delay = status, body, delay


class Context:
    """What a Lambda handler gets as context (the parts handlers use)."""

    def __init__(self, path):
        self.function_name = path.strip("/") or "trigger"
        self.aws_request_id = "local"

    def get_remaining_time_in_millis(self):
        return 5000


def echo(event, context):
    """A handler that changes nothing: the event back."""
    return event


class Webhook:
    def __init__(self):
        self.requests = []
        self.handlers = {}
        self.lock = threading.Lock()
        hook = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                n = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(n)
                hook._record(self.path, self.headers, body,
                             self.client_address)
                status, out, delay = hook._answer(self.path, body)
                if delay:
                    time.sleep(delay)
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(out)))
                    self.end_headers()
                    self.wfile.write(out)
                except OSError:
                    pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever,
                                       daemon=True)
        self.thread.start()

    def url(self, path):
        return "http://127.0.0.1:%d%s" % (self.port, path)

    def on(self, path, handler):
        with self.lock:
            self.handlers[path] = handler

    def _record(self, path, headers, body, peer):
        with self.lock:
            self.requests.append({
                "path": path,
                "headers": {k.lower(): v for k, v in headers.items()},
                "body": body,
                "peer": peer,
            })

    def calls(self, path):
        """The requests to path, oldest first."""
        with self.lock:
            return [r for r in self.requests if r["path"] == path]

    def events(self, path):
        return [json.loads(r["body"]) for r in self.calls(path)]

    def _answer(self, path, body):
        with self.lock:
            handler = self.handlers.get(path, echo)
        try:
            result = handler(json.loads(body), Context(path))
        except Exception as e:  # the Lambda runtime's error answer
            err = {"errorType": type(e).__name__, "errorMessage": str(e)}
            return 400, json.dumps(err).encode(), 0
        if isinstance(result, Raw):
            return result.status, result.body, result.delay
        return 200, json.dumps(result).encode(), 0

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()
