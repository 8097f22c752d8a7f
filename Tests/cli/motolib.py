"""What the Python end-to-end tests share: a moto_server of their own, results as ok/FAIL lines."""
import os
import socket
import subprocess
import sys
import time
import urllib.request

FAILED = []


def check(name, ok, detail=""):
    print(("ok   " if ok else "FAIL ") + name + ("" if ok else f"\n     {str(detail)[-2500:]}"), file=sys.stderr)
    if not ok:
        FAILED.append(name)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def start_moto(log_path, command=None, env=None):
    """Starts `command` (default moto_server) on a free port; returns (process, endpoint)."""
    port = free_port()
    log = open(log_path, "w")
    argv = (command or [sys.executable, "-m", "moto.server"]) + ["-H", "127.0.0.1", "-p", str(port)]
    proc = subprocess.Popen(argv, stdout=log, stderr=log, env=dict(os.environ, **(env or {})))
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/moto-api/", timeout=1)
            return proc, f"http://127.0.0.1:{port}"
        except Exception:
            time.sleep(0.1)
    raise SystemExit(f"moto did not start; see {log_path}")


def arguments(*extra):
    """--binary and --work (made absolute, the work directory created), plus `extra` options."""
    import argparse
    from pathlib import Path
    ap = argparse.ArgumentParser()
    for name in ("--binary", "--work") + extra:
        ap.add_argument(name, required=True)
    a = ap.parse_args()
    a.binary = os.path.abspath(a.binary)
    a.work = Path(a.work).resolve()
    a.work.mkdir(parents=True, exist_ok=True)
    if getattr(a, "root", None):
        a.root = Path(a.root).resolve()
    return a


def finish(label):
    print(f"{label}: {'all passed' if not FAILED else str(len(FAILED)) + ' failed'}", file=sys.stderr)
    sys.exit(1 if FAILED else 0)
