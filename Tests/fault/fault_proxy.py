"""A loopback reverse proxy in front of moto_server that injects the faults a real AWS
endpoint and network produce: throttling, 5xx, connections reset before or after the
request reached the service, answers slower than the client's timeout, truncated bodies
and ExpiredToken. Faults are drawn from a seeded generator, so a run can be repeated."""
import http.client
import http.server
import json
import random
import socket
import threading
import time
import urllib.parse

FAULTS = ["throttle", "500", "503", "reset_before", "reset_after", "slow", "truncated", "expired"]


def protocol(headers, body):
    if "x-amz-json" in headers.get("Content-Type", ""):
        return "json"
    if body.startswith(b"Action="):
        return "query"
    return "rest"


def error_body(kind, code, message):
    if kind == "json":
        return "application/x-amz-json-1.1", json.dumps({"__type": code, "message": message}).encode()
    if kind == "query":
        return "text/xml", (f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message>"
                            f"</Error><RequestId>fault-proxy</RequestId></ErrorResponse>").encode()
    return "application/xml", f"<Error><Code>{code}</Code><Message>{message}</Message><RequestId>fault</RequestId></Error>".encode()


class FaultProxy:
    def __init__(self, upstream_port, seed=0, rate=0.0, slow_seconds=3.0, faults=FAULTS, max_rps=None):
        self.upstream_port = upstream_port
        # Like a real endpoint's rate limit: more than max_rps requests in the last second are throttled.
        self.max_rps = max_rps
        self.recent = []
        self.throttled = 0
        self.forwarded = 0
        self.rate = rate
        self.slow_seconds = slow_seconds
        self.faults = list(faults)
        self.random = random.Random(seed)
        self.lock = threading.Lock()
        self.injected = []
        self.by_token = {}
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def handle_one(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                fault = proxy.draw()
                kind = protocol(self.headers, body)
                if fault == "reset_before":
                    return self.reset()
                if fault in ("throttle", "500", "503", "expired"):
                    status, code, message = {
                        "throttle": (400 if kind != "rest" else 503, "Throttling" if kind != "rest" else "SlowDown", "Rate exceeded"),
                        "500": (500, "InternalFailure", "We encountered an internal error"),
                        "503": (503, "ServiceUnavailable", "Service is unavailable"),
                        "expired": (403 if kind != "json" else 400, "ExpiredToken" if kind != "json" else "ExpiredTokenException",
                                    "The security token included in the request is expired"),
                    }[fault]
                    ctype, payload = error_body(kind, code, message)
                    return self.answer(status, [("Content-Type", ctype)], payload)
                status, headers, payload = proxy.forward_once(self.command, self.path, self.headers, body, kind)
                if fault == "reset_after":
                    return self.reset()
                if fault == "slow":
                    time.sleep(proxy.slow_seconds)
                if fault == "truncated" and len(payload) > 1:
                    # The full length announced, half the body sent, then the connection reset.
                    self.answer(status, headers, payload, send=len(payload) // 2)
                    self.wfile.flush()
                    return self.reset()
                self.answer(status, headers, payload)

            def reset(self):
                try:
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                    self.connection.close()
                except OSError:
                    pass
                self.close_connection = True

            def answer(self, status, headers, payload, send=None):
                self.send_response(status)
                for k, v in headers:
                    if k.lower() not in ("content-length", "transfer-encoding", "connection"):
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload if send is None else payload[:send])

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = handle_one

        class Server(http.server.ThreadingHTTPServer):
            def handle_error(self, request, client_address):
                pass  # a client that gave up (timeout, reset) is part of the test

        self.server = Server(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def draw(self):
        with self.lock:
            if self.max_rps is not None:
                t = time.monotonic()
                self.recent = [r for r in self.recent if r > t - 1]
                if len(self.recent) >= self.max_rps:
                    self.throttled += 1
                    return "throttle"
                self.recent.append(t)
                self.forwarded += 1
            if self.rate <= 0 or self.random.random() >= self.rate:
                return None
            fault = self.random.choice(self.faults)
            self.injected.append(fault)
            return fault

    def forward_once(self, method, path, headers, body, kind):
        """AWS answers a repeated request that carries the same idempotency token (a retry
        after a reset) with the first answer instead of acting twice; moto does not, so the
        proxy does it for the query-protocol calls that take one."""
        token = None
        if kind == "query":
            form = urllib.parse.parse_qs(body.decode("utf-8", "replace"))
            for name in ("ClientRequestToken", "ClientToken"):
                if form.get(name):
                    token = (form.get("Action", [""])[0], form[name][0])
        if token is not None:
            with self.lock:
                cached = self.by_token.get(token)
            if cached is not None:
                return cached
        result = self.forward(method, path, headers, body)
        if token is not None and result[0] < 500:
            with self.lock:
                self.by_token[token] = result
        return result

    def forward(self, method, path, headers, body):
        conn = http.client.HTTPConnection("127.0.0.1", self.upstream_port, timeout=60)
        forwarded = {k: v for k, v in headers.items() if k.lower() not in ("connection", "proxy-connection")}
        conn.request(method, path, body=body if body else None, headers=forwarded)
        response = conn.getresponse()
        payload = b"" if method == "HEAD" else response.read()
        result = (response.status, response.getheaders(), payload)
        conn.close()
        return result

    def close(self):
        self.server.shutdown()
