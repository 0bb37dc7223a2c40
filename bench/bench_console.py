"""bench_console: orbitop at scale, in tmux: time to the first complete
screen (and the CPU orbitop used to draw it, which unlike the time does
not grow with other work on the machine), CPU and RSS with nothing
changing, and the bytes it writes to the terminal per second, idle and
while events flow, in every view. The bytes are what orbitop writes to
its pty, counted by tmux pipe-pane."""

import json
import os
import re
import subprocess
import time
import uuid

from bench_deploy import cpu_seconds, rss_bytes

VIEWS = [("1", "overview"), ("2", "orbits"), ("3", "parked"), ("4", "queues"), ("5", "pool"),
         ("6", "events")]


class Console:
    def __init__(self, build, dep, cols, rows, workdir):
        self.dep = dep
        self.sock = "orbit-bench-" + uuid.uuid4().hex[:8]
        self.bytes_file = os.path.join(workdir, f"{self.sock}.out")
        home = os.path.join(workdir, "home")
        os.makedirs(home, exist_ok=True)
        env = {"TERM": "xterm-256color", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "HOME": home,
               "ORBIT_VAULT_DIR": os.path.join(home, "vault")}
        envs = " ".join(f"{k}='{v}'" for k, v in env.items())
        deployment = os.path.join(dep.dir, "deployment.json")
        # The pane waits for Enter, so pipe-pane is attached before
        # orbitop writes its first byte.
        cmd = (f"read go; exec env {envs} '{build.program('orbitop')}' --read-only "
               f"--deployment '{deployment}' 2>'{workdir}/{self.sock}.err'")
        self.tmux("new-session", "-d", "-s", "main", "-x", str(cols), "-y", str(rows), cmd)
        open(self.bytes_file, "wb").close()
        self.tmux("pipe-pane", "-O", "-t", "main", f"cat >> '{self.bytes_file}'")
        self.t0 = time.monotonic()
        self.tmux("send-keys", "-t", "main", "Enter")

    def tmux(self, *args):
        return subprocess.run(["tmux", "-L", self.sock, "-f", "/dev/null", *args],
                              capture_output=True, text=True, check=True)

    def screen(self):
        return self.tmux("capture-pane", "-p", "-t", "main").stdout

    def wait_screen(self, patterns, timeout):
        """Seconds from start until one screen matches every pattern."""
        rxs = [re.compile(p) for p in patterns]
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if all(rx.search(screen) for rx in rxs):
                return time.monotonic() - self.t0
            time.sleep(0.01)
        raise RuntimeError(f"orbitop never showed {patterns}:\n{screen}")

    def pid(self):
        shell = self.tmux("list-panes", "-t", "main", "-F", "#{pane_pid}").stdout.strip()
        return int(shell)  # the pane's shell execs orbitop

    def bytes_written(self):
        return os.path.getsize(self.bytes_file)

    def key(self, k):
        self.tmux("send-keys", "-t", "main", k)

    def close(self):
        subprocess.run(["tmux", "-L", self.sock, "kill-server"], capture_output=True)


def measure_window(console, pid, seconds):
    """Bytes/s written and CPU % of orbitop over `seconds`."""
    b0, c0, t0 = console.bytes_written(), cpu_seconds(pid), time.monotonic()
    time.sleep(seconds)
    b1, c1, t1 = console.bytes_written(), cpu_seconds(pid), time.monotonic()
    return (b1 - b0) / (t1 - t0), 100.0 * (c1 - c0) / (t1 - t0)


def run(build, dep, sizes, parked, idle_s, busy_s, rate, drive, workdir):
    """One report per terminal size. drive(seconds) starts the event
    source (a subprocess with stdout and stderr piped: bench_orbit fanout
    without subscribers) and returns it."""
    out = []
    npools = len(dep.pools)
    ready = [rf"{npools}/{npools} pools connected", r"q Quit",
             rf"parked {parked}/"] + [re.escape(dep.fqdn(i)) for i in range(npools)]
    for cols, rows in sizes:
        c = Console(build, dep, cols, rows, workdir)
        try:
            first = c.wait_screen(ready, timeout=60)
            pid = c.pid()
            first_cpu = cpu_seconds(pid)
            time.sleep(2)  # initial subscriptions and redraws settle
            _, idle_cpu = measure_window(c, pid, idle_s)
            report = {"cols": cols, "rows": rows, "first_screen_ms": first * 1000,
                      "first_screen_cpu_ms": first_cpu * 1000,
                      "idle_cpu_pct": idle_cpu, "rss": rss_bytes(pid), "views": {}}
            for key, name in VIEWS:
                c.key(key)
                time.sleep(1)
                idle_bps, _ = measure_window(c, pid, idle_s)
                src = drive(busy_s + 1)
                time.sleep(0.5)
                busy_bps, busy_cpu = measure_window(c, pid, busy_s)
                text, err = src.communicate(timeout=busy_s + 120)
                if src.returncode != 0:
                    raise RuntimeError(f"the event source failed: {err.strip()[-400:]}")
                done = json.loads(text.strip().splitlines()[-1])["cmd_rate_done"]
                report["views"][name] = {"idle_bytes_per_s": idle_bps,
                                         "events_bytes_per_s": busy_bps,
                                         "events_cpu_pct": busy_cpu, "events_rate": rate,
                                         "events_rate_done": done}
            report["rss_after"] = rss_bytes(pid)
            out.append(report)
        finally:
            c.close()
    return out
