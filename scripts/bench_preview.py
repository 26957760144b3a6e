"""The preview of `mou serve`, measured as a coordinator meets it: an answer changed, then the draft PDF asked for
(so every preview is a real build and a real conversion by a warm LibreOffice, never a cached file).

One user: ROUNDS previews in a row, p50 and p95. Ten users at once (127.0.0.1 only, a bounded load: USERS threads,
each with its own session and its own agreement, ROUNDS each): p95. The server's peak memory (its process tree, PSS
and the RSS sum) is sampled every 50 ms throughout."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import sample_peak  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
MOU = [str(ROOT / ".venv" / "bin" / "mou")]
USERS = int(os.environ.get("USERS", 10))
ROUNDS = int(os.environ.get("ROUNDS", 10))
LOGINS = (
    os.environ.get("LOGINS", "1") != "0"
)  # the users log in (issue 12's office server), each with a session of its own


class User:
    def __init__(self, url: str, name: str, login: bool = False):
        self.url, self.name = url, name
        self.http = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
        if login:
            page = self.get("/login").decode()
            token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
            body = urllib.parse.urlencode({"csrf": token, "name": name, "password": f"{name}-bench-password"}).encode()
            self.http.open(urllib.request.Request(f"{url}/login", data=body), timeout=60).read()

    def get(self, path: str) -> bytes:
        try:
            with self.http.open(self.url + path, timeout=300) as resp:
                return resp.read()
        except urllib.error.HTTPError as exc:
            text = re.sub(r"<[^>]+>", " ", exc.read().decode("utf-8", "replace"))
            raise SystemExit(f"{path}: HTTP {exc.code}: {' '.join(text.split())[-600:]}") from exc

    def change_title(self, n: int) -> None:
        page = self.get(f"/a/{self.name}/general").decode()
        form = dict(re.findall(r'name="(f\.[^"]+)" id="[^"]+" value="([^"]*)"', page))
        form["f.background"] = re.search(r'<textarea name="f.background"[^>]*>([^<]*)</textarea>', page).group(1)
        form.update(
            csrf=re.search(r'name="csrf" value="([^"]+)"', page).group(1),
            version=re.search(r'name="version" value="([^"]+)"', page).group(1),
            action="next",
        )
        form["f.title"] = re.sub(r" \(รอบ \d+\)$", "", form["f.title"]) + f" (รอบ {n})"
        body = urllib.parse.urlencode(
            list(form.items()) + [("shown", k[2:]) for k in form if k.startswith("f.")]
        ).encode()
        self.http.open(urllib.request.Request(f"{self.url}/a/{self.name}/general", data=body), timeout=60).read()

    def preview(self, n: int) -> float:
        """From asking for the draft to having it: the first answer says it is queued (202) and the page reloads
        itself until the draft is there, as the browser's does (polled every 0.2 s here, not 2 s)."""
        self.change_title(n)
        started = time.perf_counter()
        while True:
            with self.http.open(self.url + f"/a/{self.name}/draft.pdf", timeout=300) as resp:
                pdf, status = resp.read(), resp.status
            if status != 202:
                break
            time.sleep(0.2)
        seconds = time.perf_counter() - started
        assert pdf.startswith(b"%PDF"), pdf[:200]
        return seconds


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="mou-bench-preview-"))
    examples = sorted((ROOT / "examples").glob("*.yaml"))
    for i in range(USERS):
        shutil.copy(examples[i % len(examples)], work / f"user{i}.yaml")
        if LOGINS:  # legal officers, so each may open every agreement; one user per agreement
            subprocess.run(
                MOU + ["users", "add", f"user{i}", "--role", "legal", "--workspace", str(work)],
                input=f"user{i}-bench-password\n",
                text=True,
                check=True,
                capture_output=True,
                cwd=ROOT,
            )
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen(
        MOU + ["serve", "--workspace", str(work), "--port", str(port), "--workers", "2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=ROOT,
    )
    url = f"http://127.0.0.1:{port}"
    done = None
    try:
        for _ in range(600):
            try:
                urllib.request.urlopen(url + "/", timeout=2).read()
                break
            except OSError:
                time.sleep(0.1)
        peak, done = sample_peak(server.pid)
        print(
            f"mou bench (preview): mou serve --workers 2, {os.cpu_count()} CPUs"
            + (", every user logged in" if LOGINS else ""),
            flush=True,
        )
        one = User(url, "user0", LOGINS)
        one.preview(0)  # the workers' first document (library and fonts loaded)
        single = [one.preview(n) for n in range(1, ROUNDS * 2 + 1)]
        print(
            f"  one user, {len(single)} previews: p50 {pct(single, 50):.2f} s, p95 {pct(single, 95):.2f} s (target p95 ≤ 1 s)"
        )
        times: list[float] = []
        lock = threading.Lock()

        def user(i: int):
            u = User(url, f"user{i}", LOGINS)
            for n in range(ROUNDS):
                seconds = u.preview(100 + n)
                with lock:
                    times.append(seconds)

        started = time.perf_counter()
        threads = [threading.Thread(target=user, args=(i,)) for i in range(USERS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - started
        print(
            f"  {USERS} users at once, {len(times)} previews in {wall:.1f} s: p50 {pct(times, 50):.2f} s, "
            f"p95 {pct(times, 95):.2f} s (target p95 ≤ 3 s)"
        )
        done()
        print(
            f"  server peak memory: PSS {peak[1] / 1024:.0f} MB, RSS summed over its processes {peak[0] / 1024:.0f} MB"
        )
    finally:
        if done:
            done()
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
