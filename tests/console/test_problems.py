"""Each problem the console walkthrough found (issue 12), shown fixed in
tmux: the Events view follows or pauses instead of freezing; PuTTY's Home
and End move the selection; the vault is per deployment and watch
consoles never write it; the MOH chooser takes paths and type-ahead;
dialogs, help and the phase line wrap instead of cutting; moving a pool's
ranges needs its name typed; dialog focus and typing behave; bad
environments stop with a message; sorting by any column in one key; words
that explain themselves; the overview fills the terminal."""

import os
import re
import subprocess
import time
import unittest

from console_base import READY, ConsoleTest, FQDNS, manifest, wav_bytes
from orbit_console import Console
from orbit_testlib import P1, P2, cmd, dr_of, program, state, wait_until

EVENT_ROW = re.compile(r"^\d\d:\d\d:\d\d pool")


def event_rows(screen):
    return [l for l in screen.splitlines() if EVENT_ROW.match(l)]


def paused_count(screen):
    m = re.search(r"PAUSED, (\d+) newer", screen)
    return int(m.group(1)) if m else -1


class EventsTest(ConsoleTest):
    def test_events_follow_the_newest_and_pause_without_freezing(self):
        c = self.console(env={"NO_COLOR": "1"})
        c.wait_for(r"4/4 pools connected")
        c.keys("6")
        c.wait_all([r"live events: \d+", r"following the newest", r"up to 2000 kept",
                    r"TIME▼"])
        # More events than the screen holds, so the log can scroll.
        wait_until(lambda: int(re.search(r"live events: (\d+)", c.screen()).group(1)) > 40,
                   timeout=15, what="forty events")
        first = event_rows(c.screen())[0]
        # Following: the newest event is on top, and it changes.
        wait_until(lambda: event_rows(c.screen())[0] != first, timeout=10, what="new events")
        # Reading an event pauses the log: the row stays put while newer
        # events are counted above it.
        c.keys("Down")
        screen = c.wait_for(r"PAUSED, \d+ newer above \(f: follow\)")
        selected = [r.rstrip() for r in c.selected_rows() if EVENT_ROW.match(r)]
        self.assertEqual(len(selected), 1, selected)
        line = next(i for i, l in enumerate(c.screen().splitlines())
                    if l.rstrip() == selected[0])
        newer = paused_count(c.screen())
        wait_until(lambda: paused_count(c.screen()) > newer, timeout=10,
                   what="newer events counted")
        self.assertEqual(c.screen().splitlines()[line].rstrip(), selected[0])
        # A filter shows the newest matches, following again.
        c.keys("/")
        c.type("pickup")
        c.keys("Enter")
        screen = c.wait_all([r"filter \"pickup\"", r"following the newest"])
        self.assertTrue(all("pickup" in r for r in event_rows(screen)))
        c.keys("f")
        c.wait_for(r"PAUSED")
        c.keys("g")
        c.wait_for(r"following the newest")


class KeysFromOtherTerminalsTest(ConsoleTest):
    def test_home_and_end_from_putty_move_the_selection_not_the_view(self):
        c = self.console(env={"NO_COLOR": "1"})
        c.wait_for(r"4/4 pools connected")
        c.keys("2")
        c.wait_for(r"pool1 CallPark")
        for end, home in ((b"\x1b[4~", b"\x1b[1~"), (b"\x1b[8~", b"\x1b[7~"),
                          (b"\x1bOF", b"\x1bOH")):
            c.raw(end)
            c.wait_for(r"orbit ranges")
            wait_until(lambda: any(r.startswith("pool4 GroupPickup") for r in c.selected_rows()),
                       timeout=3, what="the last row selected")
            c.raw(home)
            wait_until(lambda: any(r.startswith("pool1 CallPark") for r in c.selected_rows()),
                       timeout=3, what="the first row selected")
        # Sequences for nothing we use (bracketed paste, focus, an unknown
        # key) are dropped whole: no view changes, no Esc.
        c.keys("/")
        c.type("Pickup")
        c.raw(b"\x1b[200~\x1b[I\x1b[99~")
        c.keys("Enter")
        screen = c.wait_for(r"orbit ranges .*: 4 of 8\s+filter \"Pickup\"")
        self.assertIn("2 Orbits", screen)


class VaultTest(ConsoleTest):
    def test_vault_is_per_deployment_and_watch_consoles_never_write(self):
        watch_vault = os.path.join(self.dep.dir, "watch-vault")
        watchers = [Console(self.dep, args=["--read-only"], env={"ORBIT_VAULT_DIR": watch_vault}),
                    Console(self.dep, token_role="viewer",
                            env={"ORBIT_VAULT_DIR": watch_vault})]
        operators = [Console(self.dep) for _ in range(3)]
        try:
            for c in watchers + operators:
                c.wait_for(r"4/4 pools connected")
            for c in watchers:
                c.keys("5")  # the pool view reads the vault
                c.wait_for(r"in the backup vault")
            c = operators[0]
            wait_until(lambda: len(manifest(c.vault, P1)) == 1, timeout=5,
                       what="the settings recorded once")
            time.sleep(1)
            self.assertEqual(len(manifest(c.vault, P1)), 1)
            status, body, _ = cmd(self.dep, "config.set", {"max_call_pickup_attempts": 3},
                                  pool=P1)
            self.assertTrue(body["ok"], body)
            wait_until(lambda: len(manifest(c.vault, P1)) == 2, timeout=5,
                       what="the change recorded")
            time.sleep(1.5)
            # Three consoles saw one change: it is recorded once.
            entries = manifest(c.vault, P1)
            self.assertEqual([e["settings"]["max_call_pickup_attempts"] for e in entries], [1, 3])
            # The vault is keyed by the deployment, then the pool.
            dirs = os.listdir(c.vault)
            self.assertEqual(len(dirs), 1)
            self.assertRegex(dirs[0], r"^d-[0-9a-f]{16}$")
            # Watch consoles wrote nothing at all.
            self.assertFalse(os.path.exists(watch_vault) and any(os.scandir(watch_vault)))
        finally:
            for c in watchers + operators:
                c.close()


class MohChooserTest(ConsoleTest):
    def test_moh_chooser_takes_a_path_type_ahead_and_remembers_its_folder(self):
        music = os.path.join(self.dep.dir, "media", "music")
        os.makedirs(music)
        for name in ("lobby.wav", "other.wav", "zz.wav"):
            with open(os.path.join(music, name), "wb") as f:
                f.write(wav_bytes(1))
        c = self.console()
        c.wait_for(r"4/4 pools connected")
        c.keys("U")
        c.wait_for(r"path: _")
        # The whole path typed: one key per character and Enter.
        c.type(os.path.join(music, "lobby.wav"))
        c.keys("Enter")
        c.wait_all([r"Upload music on hold", r"File: lobby\.wav \(\d+ bytes\), in .*music",
                    r"Replaces: orbit-default\.wav \(\d+ bytes, SHA-256 [0-9a-f]{12}\)",
                    r"that is the default music"])
        c.keys("Escape")
        c.wait_for(r"MOH upload cancelled")
        # It opens where it was left, and typing narrows the list.
        c.keys("U")
        c.wait_all([re.escape(music), r"lobby\.wav", r"other\.wav"])
        c.type("ot")
        screen = c.wait_for(r"path: ot_")
        self.assertIn("other.wav", screen)
        self.assertNotIn("lobby.wav", screen)
        c.keys("Enter")
        c.wait_for(r"File: other\.wav")
        c.keys("Escape")


class WrappingTest(ConsoleTest):
    def test_dialogs_use_the_width_they_have(self):
        c = self.console(cols=200, rows=50)
        c.wait_for(r"4/4 pools connected")
        c.keys("F")
        screen = c.wait_for(r"Fail over pool1\.north\.example\.net")
        # The long sentence is one line on a wide terminal, not cut at 76.
        self.assertRegex(screen, r"The users homed on pool1\.north\.example\.net \(\d+\) will be "
                                 r"served by pool2\.south\.example\.net, with its Call Park "
                                 r"settings, music on hold and CallPark ranges\.")
        top = next(l for l in screen.splitlines() if "Fail over pool1" in l)
        self.assertGreater(len(top.strip()), 100)
        c.keys("Escape")
        c.resize(80, 24)
        c.keys("F")
        screen = c.wait_all([r"The users homed on", r"CallPark ranges\.", r"Cancel"])
        inside = [l.split("│")[1] for l in screen.splitlines() if l.count("│") >= 2]
        self.assertTrue(inside)
        self.assertFalse([l for l in inside if "…" in l])

    def test_help_scrolls_and_wraps_at_80x24(self):
        c = self.console()
        c.wait_for(r"4/4 pools connected")
        c.keys("?")
        screen = c.wait_for(r"orbitop help: 1-\d+ of (\d+) lines")
        total = int(re.search(r"of (\d+) lines", screen).group(1))
        seen = set()
        for _ in range(total // 10 + 2):
            for l in c.screen().splitlines()[2:-2]:
                self.assertNotIn("…", l)
                seen.add(l)
            c.keys("PgDn")
        text = "\n".join(seen)
        for must in ("Words", "no link", "Command bar", "Mouse", "bind.COMMAND", ":failover POOL",
                     "Configuration"):
            self.assertIn(must, text)

    def test_phase_line_and_refusals_keep_their_words_at_80x24(self):
        viewer = self.console(token_role="viewer")
        viewer.wait_for(r"4/4 pools connected")
        viewer.keys("F")
        # The refusal wraps: its remedy is on screen.
        viewer.wait_for(r"failover refused: the token is viewer at\s+pool2\.south\.example\.net;"
                        r"\s+actions\s+need\s+an\s+operator\s+token")
        c = self.console()
        c.wait_for(r"4/4 pools connected")
        self.dep.kill(P1)
        c.wait_for(r"pool1\.north\.example\.net\s+DOWN", timeout=8)
        c.keys("F")
        c.wait_for(r"disaster_mode\s+\[x\]")
        self.confirm(c, P1)
        # The phase, whom it goes to, for how long and that it is a
        # disaster: all of it, at 80 columns.
        c.wait_for(r"(failing|failed)_over → pool2(\.south\.example\.net)? \d+s \(disaster\)",
                   timeout=10)


class DialogTest(ConsoleTest):
    def test_dialog_focus_shows_without_colour_and_enter_moves_to_ok(self):
        c = self.console(env={"NO_COLOR": "1"})
        c.wait_for(r"4/4 pools connected")
        c.keys("F")
        c.wait_all([r">\[ Cancel \]<", r" \[ Fail over \] "])
        c.type("pool1")  # typing goes to the name
        c.keys("Enter")  # not the whole name: the focus stays, saying why
        c.wait_for(r"type pool1\.north\.example\.net exactly to confirm")
        c.type(".north.example.net")
        c.keys("Enter")
        c.wait_all([r" \[ Cancel \] ", r">\[ Fail over \]<"])
        c.keys("Escape")
        c.wait_for(r"failover cancelled")
        self.assertEqual(dr_of(self.dep, P2, P1)["phase"], "normal")

    def test_moving_a_healthy_pools_ranges_needs_its_name_typed(self):
        c = self.console()
        c.wait_for(r"4/4 pools connected")
        c.keys("R")
        c.wait_for(r"Move the ranges of pool1\.north\.example\.net")
        # Two keys no longer move everything: nothing is preselected.
        c.keys("Enter", "Enter")
        c.wait_for(r"choose one")
        c.keys("Right")  # GroupPickup
        c.keys("Tab", "Tab", "Tab")  # past the name, to OK
        c.wait_for(r">\[ Reassign \]<")
        c.keys("Enter")
        c.wait_for(r"type pool1\.north\.example\.net exactly to confirm")
        time.sleep(0.5)
        owners = {o["identity"]: o["pool"] for o in state(self.dep, P1)["orbits"]}
        self.assertEqual(owners["pool1 GroupPickup"], P1)
        c.keys("Escape")


class EnvironmentTest(ConsoleTest):
    def test_stdin_at_its_end_quits_with_a_message(self):
        c = self.console(stdin="/dev/null")
        record = c.exit_record(timeout=5)
        self.assertEqual(record.split()[0], "1", record)
        self.assertIn(" icanon", record)
        self.assertIn(" echo", record)
        self.assertIn("the terminal's input has ended", c.stderr())

    def test_a_terminal_that_cannot_address_the_cursor_is_refused(self):
        for term in ("dumb", "nosuchterminal"):
            c = self.console(term=term)
            record = c.exit_record()
            self.assertEqual(record.split()[0], "2", record)
            self.assertRegex(c.stderr(), r"TERM=\w+ (cannot move the cursor|is not a terminal)")

    def test_an_unknown_theme_is_refused_at_start(self):
        c = self.console(args=["--theme", "nosuch"])
        record = c.exit_record()
        self.assertEqual(record.split()[0], "2", record)
        self.assertIn("theme nosuch not found (themes: default, high-contrast, light, monochrome",
                      c.stderr())
        bad = os.path.join(self.dep.dir, "bad.theme")
        with open(bad, "w") as f:
            f.write("normal = plaid, default\n")
        c = self.console(args=["--theme", bad])
        c.exit_record()
        self.assertIn("bad.theme:1: normal: expected foreground, background", c.stderr())


class SortingTest(ConsoleTest):
    def test_any_column_sorts_in_one_key_without_cutting_its_title(self):
        c = self.console()
        c.wait_for(r"4/4 pools connected")
        c.keys("3")
        c.wait_for(r"RING-BACK▲")
        c.keys("s")
        c.wait_for(r"(?s)sort by .* y TRY")
        c.keys("y")
        c.wait_for(r"TRY▲")  # the whole title, then the arrow
        c.keys(">")
        c.wait_for(r"STATE▲")
        c.keys("<", "<")
        c.wait_for(r"RING-BACK▲")
        c.keys("s", "y", "s", "y")  # the same key twice: the other way
        c.wait_for(r"TRY▼")
        c.keys("6")
        c.wait_for(r"TIME▼")  # the newest first, and the arrow says so


class WordsTest(ConsoleTest):
    def test_heartbeat_and_link_are_two_words_and_explained(self):
        c = self.console()
        c.wait_for(r"4/4 pools connected")
        self.dep.kill(P1)
        c.wait_for(r"pool1\.north\.example\.net +(up|DOWN), no link", timeout=6)
        c.wait_for(r"pool1\.north\.example\.net +DOWN, no link", timeout=8)
        c.keys("5")
        c.wait_all([r"heartbeat\s+DOWN \(store heartbeat", r"this console's link\s+no link"])
        c.keys("?")
        c.keys("End", "PgUp")
        c.wait_for(r"no link\s+this console cannot reach the pool")
        c.keys("Escape", "6", "a")
        c.wait_for(r"TOKEN")

    def test_orbit_demo_offers_only_what_it_has(self):
        # Every store the help names must be one orbit-demo accepts, and a
        # store it does not have must be refused by name.
        r = subprocess.run([program("orbit-demo"), "--help"], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0)
        self.assertIn("--store sqlite|etcd", r.stdout)
        r = subprocess.run([program("orbit-demo"), "up", "/nonexistent/x", "--store", "redis"],
                           capture_output=True, text=True)
        self.assertEqual(r.returncode, 2)
        self.assertIn("--store is sqlite or etcd", r.stderr)


class OverviewSpaceTest(ConsoleTest):
    def test_the_overview_fills_a_tall_terminal_and_fits_a_small_one(self):
        c = self.console(cols=200, rows=50)
        c.wait_all(READY + [r"events/s"])

        def blank_rows():
            return [l for l in c.screen().splitlines()[2:47] if not l.strip()]

        # Cards as tall as they go, then the latest events in what is left
        # (once the phones have made some).
        wait_until(lambda: len(blank_rows()) <= 3, timeout=15, what="a full screen")
        screen = c.screen()
        self.assertEqual(screen.count("events/s"), 4)  # a sparkline per pool
        self.assertEqual(len(re.findall(r"│ parked {4}", screen)), 4)
        c.resize(80, 24)
        screen = c.wait_all(READY)
        cards = [l for l in screen.splitlines() if any(f in l for f in FQDNS)][:4]
        self.assertEqual(len(cards), 4, screen)
        for line in cards:
            self.assertNotIn("…", line)


if __name__ == "__main__":
    unittest.main()
