"""orbitop in tmux against an orbit-demo deployment with simulated phones:
layout at 80x24 and 200x50 under several TERMs, resize, every view's live
data, every action's effect in GET /v1/state and the audit log, watch
mode, colour and ASCII fallbacks, and a pool killed while watched."""

import json
import os
import signal
import unittest

from console_base import READY, ConsoleTest, P3, P4, audit_ops, vault_pool_dir, wav_bytes
from orbit_console import COLOUR_SGR, Console
from orbit_testlib import P1, P2, dr_of, http, state, wait_until


class ConsoleViewsTest(ConsoleTest):
    def test_overview_at_80x24_shows_every_pool_live(self):
        c = self.console()
        screen = c.wait_all(READY)
        c.wait_for(r"(?s)(example\.net +up +normal.*){4}")
        lines = screen.splitlines()
        self.assertLessEqual(max(len(l) for l in lines), 80)
        self.assertIn("Failover", lines[-1])  # the footer, from the key table
        # Phones are at work: some pool shows parked calls soon.
        c.wait_for(r"parked [1-9]\d*/200", timeout=15)

    def test_each_view_shows_live_data(self):
        c = self.console()
        c.wait_for(r"4/4 pools connected")
        c.keys("2")
        c.wait_for(r"orbit ranges .*: 8")
        c.wait_for(r"pool3 GroupPickup\s+37000-37099\s+GroupPickup")
        c.keys("3")
        c.wait_all([r"parked calls: [1-9]", r"sip:user\d-\d+@", r"q Quit"], timeout=15)
        parked = sum(len(state(self.dep, i)["parked"]) for i in range(4))
        self.assertGreater(parked, 0)
        c.keys("4")
        c.wait_for(r"calls waiting in pickup queues: [1-9]", timeout=15)
        c.keys("5")
        c.wait_for(r"Call Park settings")
        c.wait_for(r"call_pickup_timeout_threshold\s+90 s")
        c.wait_for(r"orbit-default\.wav \(the default\)")
        c.keys("6")
        c.wait_for(r"live events: [1-9]")
        c.wait_for(r"(call\.parked|pickup\.queued)")
        c.keys("7")
        c.wait_all([r"Readiness of pool1\.north\.example\.net", r"ok\s+pickup_ranges"])
        c.keys("Tab")
        c.wait_for(r"USERS' DR PHASE", timeout=3)  # Tab wraps to the overview
        c.keys("Tab")
        c.wait_for(r"orbit ranges", timeout=3)

    def test_sizes_and_terminal_types(self):
        for term, (cols, rows) in (("xterm-256color", (200, 50)), ("screen", (80, 24)),
                                   ("vt100", (80, 24)), ("linux", (200, 50))):
            c = Console(self.dep, cols=cols, rows=rows, term=term)
            try:
                screen = c.wait_all(READY)
                self.assertIn("Help", screen.splitlines()[rows - 1], term)
                self.assertLessEqual(max(len(l) for l in screen.splitlines()), cols)
                c.keys("3")
                c.wait_for(r"parked calls")
            finally:
                c.close()

    def test_resize_redraws_and_says_when_too_small(self):
        c = self.console()
        c.wait_for(r"4/4 pools connected")
        c.resize(70, 20)
        c.wait_for(r"too small: have 70x20 / need 80x24")
        c.keys("2")  # keys still work while too small
        c.resize(160, 45)
        c.wait_all([r"orbit ranges", r"UTILISATION", r"pool4 GroupPickup.{60,}", r"q Quit"])
        c.resize(80, 24)
        c.wait_for(r"orbit ranges")
        c.keys("C-l")
        c.wait_for(r"orbit ranges")

    def test_pool_killed_and_restarted_while_watched(self):
        c = self.console()
        c.wait_for(r"4/4 pools connected")
        self.dep.kill(P1)
        c.wait_for(r"3/4 pools connected", timeout=6)
        c.wait_for(r"pool1\.north\.example\.net +DOWN, no link", timeout=8)
        c.keys("2")  # the console never blocks on the lost link
        c.wait_for(r"orbit ranges")
        c.keys("1")
        self.dep.start(P1)
        c.wait_for(r"4/4 pools connected", timeout=20)
        c.wait_for(r"DOWN", absent=True, timeout=10)


class ConsoleActionsTest(ConsoleTest):
    def test_failover_redirect_and_failback_from_the_keyboard(self):
        c = self.console()
        c.wait_for(r"4/4 pools connected")
        # pool1 is selected first; F opens a dialog focused on Cancel.
        c.keys("F")
        c.wait_all([r"Fail over pool1\.north\.example\.net", r">\[ Cancel \]<"])
        c.keys("Enter")
        c.wait_for(r"failover cancelled")
        self.assertEqual(dr_of(self.dep, P2, P1)["phase"], "normal")
        c.keys("F")
        c.wait_for(r"type the pool's name")
        self.confirm(c, P1)
        c.wait_for(r"failing over pool1\.north\.example\.net")
        wait_until(lambda: dr_of(self.dep, P2, P1)["phase"] == "failed_over", timeout=10,
                   what="failed_over")
        self.assertIn(("pool.failover", True, "demo-operator"), audit_ops(self.dep, P2))
        c.wait_for(r"pickup ranges NOT redirected")
        # Redirect the users' GroupPickup ranges to the pool serving them.
        c.keys("R")
        c.wait_all([r"Redirect pool1\.north\.example\.net's pickup ranges",
                    r"pool1 GroupPickup\s+17000-17099\s+now on pool1", r"Redirect \]"])
        self.confirm(c, P1)
        c.wait_for(r"redirected 1 pickup range\(s\) of pool1\.north\.example\.net to\s+pool2")
        ranges = {o["identity"]: o["pool"] for o in state(self.dep, P2)["orbits"]}
        self.assertEqual(ranges["pool1 GroupPickup"], P2)
        self.assertTrue(dr_of(self.dep, P2, P1)["pickup_ranges_redirected"])
        c.wait_for(r"pickup ranges NOT", absent=True)
        # Fail back, then the ranges go home, and only those.
        c.keys("B")
        c.wait_for(r"Fail back pool1")
        self.confirm(c, P1)
        c.wait_for(r"failing back pool1")
        wait_until(lambda: dr_of(self.dep, P2, P1)["phase"] == "normal", timeout=10,
                   what="normal")
        c.wait_for(r"pickup ranges NOT redirected")
        c.keys("R")
        c.wait_all([r"Redirect pool1\.north\.example\.net's pickup ranges", r"now on pool2",
                    r"Redirect \]"])
        self.confirm(c, P1)
        c.wait_for(r"redirected 1 pickup range\(s\) of pool1\.north\.example\.net to\s+pool1")
        ranges = {o["identity"]: o["pool"] for o in state(self.dep, P1)["orbits"]}
        self.assertEqual(ranges["pool1 GroupPickup"], P1)
        self.assertEqual(ranges["pool2 GroupPickup"], P2)
        self.assertIn("pool.failback", [op for op, ok, _ in audit_ops(self.dep, P2) if ok])
        self.assertIn("orbit.update", [op for op, ok, _ in audit_ops(self.dep, P1) if ok])

    def test_bulk_reassign_moves_every_range_of_a_pool(self):
        c = self.console()
        c.wait_for(r"4/4 pools connected")
        c.keys("Down", "Down")  # pool3
        c.keys("R")
        c.wait_all([r"Move the ranges of pool3\.north\.example\.net",
                    r"to pool\s+< pool4\.south\.example\.net >",
                    r"ranges\s+< \(choose a type\) >", r"Reassign \]"])
        c.keys("Enter")  # nothing is moved: a type must be chosen, the name typed
        c.wait_for(r"choose one")
        c.keys("Right", "Right", "Right")  # to "all types"
        c.wait_for(r"ranges\s+< all types >")
        self.confirm(c, P3)
        c.wait_for(r"reassigned 2 range\(s\) from pool3\.north\.example\.net to\s+pool4")
        owners = {o["identity"]: o["pool"] for o in state(self.dep, 2)["orbits"]}
        self.assertEqual(owners["pool3 CallPark"], P4)
        self.assertEqual(owners["pool3 GroupPickup"], P4)
        self.assertIn(("orbit.reassign", True, "demo-operator"), audit_ops(self.dep, 2))

    def test_reassign_the_selected_range_in_the_orbits_view(self):
        c = self.console()
        c.wait_for(r"4/4 pools connected")
        c.keys("2")
        c.wait_for(r"pool1 CallPark")
        c.keys("Down")  # the second row: pool1 GroupPickup
        c.keys("R")
        c.wait_all([r"Reassign range pool1 GroupPickup", r"17000-17099 \(GroupPickup\)",
                    r"to pool\s+< pool2\.south\.example\.net >", r"Reassign \]"])
        self.confirm(c, P1)  # the owner's name: its own ranges move
        c.wait_for(r"range pool1 GroupPickup now owned by\s+pool2\.south\.example\.net")
        owners = {o["identity"]: o["pool"] for o in state(self.dep, P1)["orbits"]}
        self.assertEqual(owners["pool1 GroupPickup"], P2)
        self.assertEqual(owners["pool1 CallPark"], P1)
        self.assertIn(("orbit.update", True, "demo-operator"),
                      audit_ops(self.dep, 0) + audit_ops(self.dep, 1) + audit_ops(self.dep, 2) +
                      audit_ops(self.dep, 3))

    def test_failover_offers_disaster_mode_when_the_pool_is_down(self):
        c = self.console()
        c.wait_for(r"4/4 pools connected")
        self.dep.kill(P1)
        c.wait_for(r"pool1\.north\.example\.net\s+DOWN", timeout=8)
        c.keys("F")
        c.wait_all([r"disaster_mode\s+\[x\]", r"Fail over pool1", r"Fail over \]"])
        self.confirm(c, P1)
        c.wait_for(r"failing over pool1")
        self.assertTrue(dr_of(self.dep, P2, P1)["disaster_mode"])

    def test_settings_edit_checks_fields_then_saves(self):
        c = self.console()
        c.wait_for(r"4/4 pools connected")
        c.keys("E")
        # A form: the focus starts on its first field, holding 90; erasing
        # and typing there gives what was typed ("90", BS, BS, "5": 5).
        c.wait_all([r"Call Park settings of pool1", r"> timeout \(s\)\s+\[90_"])
        c.keys("BSpace", "BSpace")
        c.type("5")
        c.wait_for(r"timeout \(s\)\s+\[5_")
        c.keys("Enter")  # not valid: the focus stays, with the reason
        c.wait_for(r"a whole number from 10 to 600")
        self.assertEqual(state(self.dep, P1)["config"]["call_pickup_timeout_threshold"], 90)
        self.assertNotIn("config.set", [op for op, _, _ in audit_ops(self.dep, P1)])
        c.keys("C-u")
        c.type("45")
        c.keys("Enter")  # valid: to Save
        c.wait_for(r">\[ Save \]<")
        c.keys("Enter")
        c.wait_for(r"settings of pool1\.north\.example\.net\s+saved")
        self.assertEqual(state(self.dep, P1)["config"]["call_pickup_timeout_threshold"], 45)
        self.assertIn(("config.set", True, "demo-operator"), audit_ops(self.dep, P1))
        # The vault keeps each version of the settings it has seen.
        wait_until(lambda: self.last_timeout(c) == 45, timeout=5, what="the vault's copy")

    def last_timeout(self, c):
        with open(os.path.join(vault_pool_dir(c.vault, P1), "manifest.jsonl")) as f:
            kinds = [json.loads(l)["settings"]["call_pickup_timeout_threshold"] for l in f]
        return kinds[-1]

    def test_moh_upload_backs_up_uploads_and_verifies(self):
        src = os.path.join(self.dep.dir, "upload")
        os.makedirs(src)
        with open(os.path.join(src, "lobby.wav"), "wb") as f:
            f.write(wav_bytes(3))
        c = self.console(cwd=src)
        c.wait_for(r"4/4 pools connected")
        c.keys("U")
        c.wait_for(r"lobby\.wav")
        c.type("lob")  # type-ahead
        c.keys("Enter")
        c.wait_all([r"Upload music on hold", r"File: lobby\.wav \(\d+ bytes\)",
                    r"Replaces: orbit-default\.wav", r"the default music"])
        c.keys("Right", "Enter")
        c.wait_for(r"uploaded lobby\.wav to pool1\.north\.example\.net: \d+ bytes,\s+SHA-256")
        moh = state(self.dep, P1)["moh"]
        self.assertEqual(moh["name"], "lobby.wav")
        self.assertTrue(os.path.exists(os.path.join(vault_pool_dir(c.vault, P1), "objects",
                                                    moh["sha256"])))
        self.assertIn(("moh.upload", True, "demo-operator"), audit_ops(self.dep, P1))
        c.keys("5")
        c.wait_for(r"in the backup vault\s+yes")


class ConsoleModesTest(ConsoleTest):
    def test_read_only_refuses_every_action(self):
        c = self.console(args=["--read-only"])
        screen = c.wait_all(READY + [r"READ-ONLY"])
        self.assertIn("READ-ONLY", screen.splitlines()[0])
        footer = screen.splitlines()[-1]
        for word in ("Failover", "Failback", "Reassign", "Settings", "MOH"):
            self.assertNotIn(word, footer)
        for key in ("F", "B", "R", "E", "U"):
            c.keys(key)
            c.wait_for(r"refused: the console is read-only")
        c.keys("?")
        help_screen = c.wait_all([r"orbitop help", r"Keys"])
        self.assertGreaterEqual(help_screen.count("[read-only]"), 5)
        c.keys("Escape")
        self.assertEqual(dr_of(self.dep, P2, P1)["phase"], "normal")
        self.assertEqual(audit_ops(self.dep, P1), [])

    def test_a_viewer_token_makes_a_watch_console(self):
        c = self.console(token_role="viewer")
        screen = c.wait_all(READY + [r"READ-ONLY"])
        self.assertIn("READ-ONLY", screen.splitlines()[0])
        self.assertNotIn("Failover", screen.splitlines()[-1])
        c.keys("F")
        c.wait_for(r"token is viewer")
        self.assertEqual(dr_of(self.dep, P2, P1)["phase"], "normal")

    def test_no_color_gives_no_colour_escapes(self):
        coloured = self.console()
        coloured.wait_for(r"4/4 pools connected")
        self.assertRegex(coloured.screen(escapes=True), COLOUR_SGR)  # the check can fail
        for kw in ({"env": {"NO_COLOR": "1"}}, {"args": ["--no-color"]}):
            c = Console(self.dep, **kw)
            try:
                c.wait_for(r"4/4 pools connected")
                c.keys("3")
                c.wait_for(r"parked calls")
                self.assertNotRegex(c.screen(escapes=True), COLOUR_SGR, kw)
            finally:
                c.close()

    def test_ascii_fallback(self):
        # Boxed cards on a taller terminal, one-line cards at 80x24.
        for kw in ({"lang": "C", "cols": 100, "rows": 40},
                   {"args": ["--ascii"], "cols": 100, "rows": 40},
                   {"lang": "C"}, {"args": ["--ascii"]}):
            c = Console(self.dep, **kw)
            try:
                box = kw.get("rows") == 40
                screen = c.wait_all(READY + ([r"\+- > pool1\.north\.example\.net < -+\+"]
                                             if box else [r">pool1\.north\.example\.net up"]))
                self.assertFalse(any(ord(ch) > 127 for ch in screen), kw)
            finally:
                c.close()

    def test_themes(self):
        for theme in ("light", "monochrome", "high-contrast"):
            c = Console(self.dep, args=["--theme", theme])
            try:
                screen = c.wait_all(READY)
                self.assertNotIn("not found", screen)
            finally:
                c.close()

    def test_filter_sort_and_help(self):
        c = self.console()
        c.wait_for(r"4/4 pools connected")
        c.keys("2", "/")
        c.type("GroupPickup")
        c.keys("Enter")
        screen = c.wait_all([r"orbit ranges .*: 4 of 8\s+filter \"GroupPickup\"",
                             r"pool4 GroupPickup", r"q Quit"])
        self.assertNotIn("pool1 CallPark", screen)
        c.keys("Escape")
        c.wait_for(r"orbit ranges .*: 8")
        c.keys("s")
        c.wait_for(r"sort by .*r RANGE")
        c.keys("r")
        c.wait_for(r"RANGE▲")
        c.keys("S")
        screen = c.wait_all([r"RANGE▼", r"pool1 CallPark", r"q Quit"])
        rows = [l for l in screen.splitlines() if "GroupPickup " in l or "CallPark " in l]
        self.assertTrue(rows[0].startswith("pool4 GroupPickup"), rows[0])
        c.keys("t")
        c.wait_for(r"type: CallPark")
        c.keys("?")
        c.wait_all([r"orbitop help", r"fail the selected pool's users over",
                    r"filter the table"])
        c.keys("PgDn")
        c.wait_for(r"guided failover")  # the runbook keys
        c.keys("PgDn")
        c.wait_for(r"quit orbitop")
        c.keys("Escape")
        c.wait_for(r"orbitop help", absent=True)

    def test_quit_and_ctrl_c_restore_the_terminal(self):
        for key in ("q", "C-c"):
            c = Console(self.dep)
            try:
                c.wait_for(r"4/4 pools connected")
                c.keys(key)
                record = c.exit_record()
                status = record.split()[0]
                self.assertEqual(status, "0", record)
                self.assertIn(" icanon", record)
                self.assertIn(" echo", record)
            finally:
                c.close()
        # The deployment keeps running after the console quits.
        self.assertEqual(http(self.dep, "/v1/health")[0], 200)

    def test_signals_restore_the_terminal(self):
        # SIGTERM and SIGHUP (the ssh session to the jump host dropping) quit
        # cleanly; a crash signal still restores the terminal, then dies
        # with that signal so the shell reports it.
        for sig, want in ((signal.SIGTERM, "0"), (signal.SIGHUP, "0"),
                          (signal.SIGSEGV, str(128 + signal.SIGSEGV))):
            c = Console(self.dep)
            try:
                c.wait_for(r"4/4 pools connected")
                os.kill(c.pid(), sig)
                record = c.exit_record()
                self.assertEqual(record.split()[0], want, record)
                self.assertIn(" icanon", record)
                self.assertIn(" echo", record)
            finally:
                c.close()


if __name__ == "__main__":
    unittest.main()
