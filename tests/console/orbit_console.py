"""orbit_console: drives the real orbitop in tmux (send-keys, capture-pane)
for console tests."""

import os
import re
import subprocess
import sys
import time
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "integration"))
from orbit_testlib import program  # noqa: E402

# Colour escapes: SGR 30-37, 40-47, 90-97, 100-107, 38;... and 48;...
# An SGR sequence that turns reverse video on (7, alone or among others).
REVERSE_SGR = re.compile(r"\x1b\[(?:[0-9]*;)*7(?:;[0-9]*)*m")
COLOUR_SGR = re.compile(r"\x1b\[(?:[0-9;]*;)?(?:3[0-7]|4[0-7]|9[0-7]|10[0-7]|38|48)(?:;[0-9;]*)?m")


def write_config(dep, text):
    """orbitop's configuration file ($XDG_CONFIG_HOME/orbit/orbitop.conf)."""
    path = os.path.join(dep.dir, "xdg", "orbit", "orbitop.conf")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)
    return path


class Console:
    def __init__(self, dep, cols=80, rows=24, term="xterm-256color", args=(), env=None,
                 token_role=None, cwd=None, lang="C.UTF-8", deployment=True, stdin=None):
        self.dep = dep
        self.sock = "orbit-" + uuid.uuid4().hex[:10]
        self.vault = os.path.join(dep.dir, "vault")
        self.done_file = os.path.join(dep.dir, f"orbitop-{self.sock}.exit")
        self.err_file = os.path.join(dep.dir, f"orbitop-{self.sock}.err")
        e = {"TERM": term, "LANG": lang, "LC_ALL": lang, "ORBIT_VAULT_DIR": self.vault,
             "HOME": dep.dir, "XDG_CONFIG_HOME": os.path.join(dep.dir, "xdg")}
        if token_role:
            e["ORBIT_TOKEN"] = dep.token(token_role)
        e.update(env or {})
        envs = " ".join(f"{k}='{v}'" for k, v in e.items())
        argv = " ".join(f"'{a}'" for a in args)
        where = f"--deployment '{os.path.join(dep.dir, 'deployment.json')}'" if deployment else ""
        redirect = f" <'{stdin}'" if stdin else ""
        # After orbitop exits, record its status and the terminal modes so
        # tests can check the terminal was restored.
        cmd = (f"cd '{cwd or dep.dir}' && env {envs} '{program('orbitop')}' {where} {argv}"
               f"{redirect} 2>'{self.err_file}'; "
               f"echo \"$? $(stty -a | tr '\\n' ' ')\" > '{self.done_file}'; sleep 30")
        self.tmux("new-session", "-d", "-s", "main", "-x", str(cols), "-y", str(rows), cmd)

    def tmux(self, *args, check=True):
        return subprocess.run(["tmux", "-L", self.sock, "-f", "/dev/null", *args],
                              capture_output=True, text=True, check=check)

    def screen(self, escapes=False):
        args = ["capture-pane", "-p", "-t", "main"] + (["-e"] if escapes else [])
        return self.tmux(*args).stdout

    def keys(self, *keys):
        self.tmux("send-keys", "-t", "main", *keys)
        time.sleep(0.15)

    def raw(self, data):
        """Bytes as a terminal would send them (escape sequences)."""
        self.tmux("send-keys", "-t", "main", "-H", *[f"{b:02x}" for b in data])
        time.sleep(0.15)

    def click(self, x, y, button=0):
        """A mouse press and release at column x, row y (0-based), as an
        xterm reports it in SGR mode."""
        self.raw(f"\x1b[<{button};{x + 1};{y + 1}M\x1b[<{button};{x + 1};{y + 1}m".encode())

    def wheel(self, x, y, down=True):
        self.raw(f"\x1b[<{65 if down else 64};{x + 1};{y + 1}M".encode())

    def mouse_on(self):
        """True when orbitop asked the terminal to report the mouse."""
        out = self.tmux("display-message", "-p", "-t", "main", "#{mouse_any_flag}"
                        "#{mouse_button_flag}#{mouse_standard_flag}").stdout.strip()
        return "1" in out

    def selected_rows(self):
        """The text of the rows drawn in reverse video (the selection
        under NO_COLOR)."""
        rows = []
        for line in self.screen(escapes=True).splitlines():
            if REVERSE_SGR.search(line):
                rows.append(re.sub(r"\x1b\[[0-9;]*m", "", line))
        return rows

    def type(self, text):
        self.tmux("send-keys", "-t", "main", "-l", text)
        time.sleep(0.15)

    def wait_for(self, pattern, timeout=10.0, absent=False):
        """Waits until the screen matches (or, with absent, stops matching)."""
        deadline = time.monotonic() + timeout
        rx = re.compile(pattern)
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if bool(rx.search(screen)) != absent:
                return screen
            time.sleep(0.1)
        raise AssertionError(f"screen {'still shows' if absent else 'never showed'} "
                             f"{pattern!r}:\n{screen}")

    def wait_all(self, patterns, timeout=10.0):
        """Waits for one screen where every pattern matches (a screen caught
        half-drawn matches some and not others)."""
        rxs = [re.compile(p) for p in patterns]
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if all(rx.search(screen) for rx in rxs):
                return screen
            time.sleep(0.1)
        missing = [p for p, rx in zip(patterns, rxs) if not rx.search(screen)]
        raise AssertionError(f"screen never showed {missing!r}:\n{screen}")

    def resize(self, cols, rows):
        self.tmux("resize-window", "-t", "main", "-x", str(cols), "-y", str(rows))
        time.sleep(0.3)

    def exit_record(self, timeout=5.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if os.path.exists(self.done_file):
                with open(self.done_file) as f:
                    text = f.read().strip()
                if text:
                    return text
            time.sleep(0.1)
        raise AssertionError("orbitop did not exit")

    def pid(self, timeout=5.0):
        """orbitop's pid: the child of the pane's shell (env execs it)."""
        shell = self.tmux("list-panes", "-t", "main", "-F", "#{pane_pid}").stdout.strip()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            out = subprocess.run(["pgrep", "-P", shell, "-x", "orbitop"],
                                 capture_output=True, text=True).stdout.split()
            if out:
                return int(out[0])
            time.sleep(0.1)
        raise AssertionError("orbitop is not running in the pane")

    def stderr(self):
        try:
            with open(self.err_file) as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def close(self):
        self.tmux("kill-server", check=False)
        err = self.stderr()
        assert "Sanitizer" not in err and "runtime error:" not in err, err
