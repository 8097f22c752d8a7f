"""Loopback servers for the transport tests. Prints its port (and for TLS the CA file)
on the first line, then serves until killed.

  silent      accepts connections and never answers
  reset       answers the first request of a connection (keep-alive), resets it on the next
  slow        sends the body of each answer in pieces over ~2 s
  tls DIR     HTTPS with a certificate from a CA it makes in DIR (openssl)
  sink        reads each request's body and answers with its length and SHA-256
  proxy LOG   an HTTP CONNECT proxy; appends each CONNECT target to the file LOG
"""
import os
import select
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time

# Started from a thread that blocks signals, this process would inherit the mask and
# outlive the test; let SIGTERM end it again.
signal.pthread_sigmask(signal.SIG_UNBLOCK, set(signal.Signals))
mode = sys.argv[1]
OK = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok"


def listener():
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", 0))
    s.listen(16)
    return s


def read_request(conn):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        k, _, v = line.partition(b":")
        if k.strip().lower() == b"content-length":
            length = int(v.strip())
    while len(rest) < length:
        rest += conn.recv(65536)
    return head


def serve(server, handler):
    while True:
        conn, _ = server.accept()
        threading.Thread(target=handler, args=(conn,), daemon=True).start()


def silent(conn):
    time.sleep(3600)


def reset(conn):
    served = 0
    while True:
        if read_request(conn) is None:
            return
        if served == 1:
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            conn.close()
            return
        conn.sendall(OK)
        served += 1


def slow(conn):
    while read_request(conn) is not None:
        body = b"x" * 40
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body))
        for i in range(0, len(body), 10):
            time.sleep(0.5)
            conn.sendall(body[i:i + 10])


def sink(conn):
    import hashlib
    while True:
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(65536)
            if not chunk:
                return
            data += chunk
        head, _, rest = data.partition(b"\r\n\r\n")
        length = next(int(l.split(b":")[1]) for l in head.split(b"\r\n") if l.lower().startswith(b"content-length"))
        digest, got = hashlib.sha256(rest), len(rest)
        while got < length:
            chunk = conn.recv(min(1 << 20, length - got))
            if not chunk:
                return
            digest.update(chunk)
            got += len(chunk)
        body = f"{got} {digest.hexdigest()}".encode()
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body) + body)


def plain_ok(conn):
    while read_request(conn) is not None:
        conn.sendall(OK)


def pump(a, b):
    try:
        while True:
            r, _, _ = select.select([a, b], [], [], 30)
            if not r:
                return
            for s in r:
                data = s.recv(65536)
                if not data:
                    return
                (b if s is a else a).sendall(data)
    except OSError:
        pass


def proxy(conn):
    head = read_request(conn)
    if head is None:
        return
    method, target, _ = head.split(b"\r\n")[0].split(b" ")
    if method != b"CONNECT":
        conn.sendall(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
        return
    with open(sys.argv[2], "a") as log:
        log.write("CONNECT " + target.decode() + "\n")
    host, _, port = target.decode().rpartition(":")
    upstream = socket.create_connection((host, int(port)))
    conn.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
    pump(conn, upstream)


server = listener()
port = server.getsockname()[1]
if mode == "tls":
    d = sys.argv[2]
    run = lambda *a: subprocess.run(a, check=True, capture_output=True, cwd=d)
    run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=tsdeploy test CA")
    run("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "srv.key", "-out", "srv.csr", "-subj", "/CN=localhost")
    with open(os.path.join(d, "ext.cnf"), "w") as f:
        f.write("subjectAltName=DNS:localhost,IP:127.0.0.1\n")
    run("openssl", "x509", "-req", "-in", "srv.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "srv.pem", "-days", "2", "-extfile", "ext.cnf")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(os.path.join(d, "srv.pem"), os.path.join(d, "srv.key"))
    print(port, os.path.join(d, "ca.pem"), flush=True)

    def tls(conn):
        try:
            plain_ok(context.wrap_socket(conn, server_side=True))
        except (ssl.SSLError, OSError):
            pass

    serve(server, tls)
else:
    print(port, flush=True)
    serve(server, {"silent": silent, "reset": reset, "slow": slow, "proxy": proxy, "sink": sink}[mode])
