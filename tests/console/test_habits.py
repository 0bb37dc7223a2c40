"""The habits of the consoles operators already use (k9s, htop,
lazydocker), in orbitop: the : command bar with completion, sorting keys,
g and G, the mouse (and --no-mouse), and keys rebound in the XDG
configuration file, checked at start."""

import unittest

from console_base import ConsoleTest, P3
from orbit_console import Console, write_config
from orbit_testlib import P1, dr_of, wait_until


class CommandBarTest(ConsoleTest):
    def test_command_bar_goes_to_views_runs_actions_and_completes(self):
        c = self.console()
        c.wait_for(r"4/4 pools connected")
        c.keys(":")
        c.type("parked")
        c.keys("Enter")
        c.wait_for(r"parked calls: \d+")
        c.keys(":")
        c.type("pool pool3")
        c.keys("Enter")
        c.wait_for(r"pool3\.north\.example\.net  \(site north")
        # Completion: the common part, then the choices.
        c.keys(":")
        c.type("fa")
        c.keys("Tab")
        c.wait_for(r":fail_\s+failover failback")
        c.type("o")
        c.keys("Tab")
        c.wait_for(r":failover _")
        c.type("pool")
        c.keys("Tab")
        c.wait_for(r":failover pool_\s+pool1\.north\.example\.net pool2")
        c.type("1")
        c.keys("Tab")
        c.wait_for(r":failover pool1\.north\.example\.net _")
        c.keys("Enter")
        c.wait_for(r"Fail over pool1\.north\.example\.net")
        c.keys("Escape")
        c.wait_for(r"failover cancelled")
        self.assertEqual(dr_of(self.dep, P1, P1)["phase"], "normal")
        # Filters and sorting by name; any command by its name.
        c.keys(":")
        c.type("orbits")
        c.keys("Enter")
        c.keys(":")
        c.type("filter GroupPickup")
        c.keys("Enter")
        c.wait_for(r"orbit ranges .*: 4 of 8\s+filter \"GroupPickup\"")
        c.keys(":")
        c.type("sort owner desc")
        c.keys("Enter")
        screen = c.wait_for(r"OWNER▼")
        rows = [l for l in screen.splitlines() if "GroupPickup " in l]
        self.assertTrue(rows[0].startswith("pool4"), rows)
        c.keys(":")
        c.type("type")  # the Orbits view's own command, by its name
        c.keys("Enter")
        c.wait_for(r"type: CallPark")
        c.keys(":")
        c.type("frobnicate")
        c.keys("Enter")
        c.wait_for(r"no command frobnicate")
        # Up recalls the commands run before.
        c.keys(":", "Up", "Up")
        c.wait_for(r":type_")
        c.keys("Escape")


class NavigationTest(ConsoleTest):
    def test_g_and_G_go_to_the_first_and_last_rows(self):
        c = self.console(env={"NO_COLOR": "1"})
        c.wait_for(r"4/4 pools connected")
        c.keys("2")
        c.wait_for(r"pool4 GroupPickup")
        c.keys("G")
        wait_until(lambda: any(r.startswith("pool4 GroupPickup") for r in c.selected_rows()),
                   timeout=3, what="the last row")
        c.keys("g")
        wait_until(lambda: any(r.startswith("pool1 CallPark") for r in c.selected_rows()),
                   timeout=3, what="the first row")


class MouseTest(ConsoleTest):
    def test_the_mouse_selects_scrolls_and_opens_tabs(self):
        c = self.console(env={"NO_COLOR": "1"})
        screen = c.wait_for(r"4/4 pools connected")
        self.assertTrue(c.mouse_on())
        tabs = screen.splitlines()[1]
        c.click(tabs.index("Parked"), 1)
        c.wait_for(r"parked calls")
        c.click(tabs.index("Orbits"), 1)
        c.wait_for(r"orbit ranges")
        screen = c.wait_for(r"pool2 CallPark")
        row = next(i for i, l in enumerate(screen.splitlines()) if l.startswith("pool2 CallPark"))
        c.click(5, row)
        wait_until(lambda: any(r.startswith("pool2 CallPark") for r in c.selected_rows()),
                   timeout=3, what="the clicked row selected")
        c.wheel(5, row, down=True)
        wait_until(lambda: any(r.startswith("pool3 GroupPickup") for r in c.selected_rows()),
                   timeout=3, what="the wheel moving the selection")
        # A click selects a pool's card; a double click opens it.
        c.click(tabs.index("Overview"), 1)
        screen = c.wait_for(r"USERS' DR PHASE")
        row = next(i for i, l in enumerate(screen.splitlines()) if P3 in l)
        c.click(3, row)
        c.wait_for(r">pool3\.north\.example\.net")
        c.click(3, row)
        c.click(3, row)
        c.wait_for(r"pool3\.north\.example\.net  \(site north")

    def test_no_mouse_leaves_the_mouse_to_the_terminal(self):
        c = self.console(args=["--no-mouse"])
        screen = c.wait_for(r"4/4 pools connected")
        self.assertFalse(c.mouse_on())
        c.click(screen.splitlines()[1].index("Parked"), 1)
        c.keys("2")  # still answering keys
        c.wait_for(r"orbit ranges")


class RebindingTest(ConsoleTest):
    def test_keys_are_rebound_in_the_configuration_file(self):
        write_config(self.dep, "# my keys\nbind.failover = Ctrl-F\nbind.quit = Q, Ctrl-Q\n"
                               "bind.events.follow = F2\n")
        c = self.console()
        screen = c.wait_for(r"4/4 pools connected")
        self.assertIn("Ctrl-F Failover", screen.splitlines()[-1])
        self.assertIn("Q Quit", screen.splitlines()[-1])
        c.keys("F")  # no longer bound
        c.keys("q")
        c.wait_for(r"Fail over", absent=True, timeout=1)
        c.keys("C-f")
        c.wait_for(r"Fail over pool1\.north\.example\.net")
        c.keys("Escape")
        c.keys("?")
        c.wait_for(r"Ctrl-F\s+fail the selected pool's users over")
        c.keys("Escape", "6")
        c.wait_for(r"following the newest")
        c.keys("F2")
        c.wait_for(r"PAUSED")
        c.keys("Q")
        self.assertEqual(c.exit_record().split()[0], "0")

    def test_a_bad_binding_stops_orbitop_with_the_line_at_fault(self):
        cases = (("bind.failover = q\n",
                  r"key q is bound to both (failover and quit|quit and failover)"),
                 ("\n\nbind.frobnicate = x\n", r"line 3: bind\.frobnicate: no such command"),
                 ("bind.quit = Ctrl-\n", r"line 1: bind\.quit: 'Ctrl-' is not a key"),
                 ("colour = blue\n", r"orbitop\.conf:1: unknown setting 'colour'"))
        for text, why in cases:
            path = write_config(self.dep, text)
            c = Console(self.dep)
            try:
                record = c.exit_record()
                self.assertEqual(record.split()[0], "2", record)
                self.assertRegex(c.stderr(), why)
                self.assertIn(path, c.stderr())
            finally:
                c.close()


if __name__ == "__main__":
    unittest.main()
