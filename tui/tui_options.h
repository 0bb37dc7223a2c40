/* tui_options: orbitop's settings from its configuration file
 * ($XDG_CONFIG_HOME/orbit/orbitop.conf, read with client_conf) and its
 * command line (getopt_long), the deployment, token and CA resolved by
 * client_target, the theme and the key bindings checked: everything that
 * can be wrong is found before the terminal is taken over, and reported
 * with what to fix. */
#ifndef TUI_OPTIONS_H
#define TUI_OPTIONS_H

#include "tui_app.h"

/* Fills a->opt and the key maps. Returns 0 to run, -1 after --help or
 * --version, else the exit status (2 for usage and configuration
 * errors, the message printed). */
int tui_options_load(tui_app *a, int argc, char **argv);
void tui_options_free(tui_app *a);

#endif
