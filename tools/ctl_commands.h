/* ctl_commands: orbitctl's subcommands, one function per noun, each
 * given the arguments after its noun. */
#ifndef CTL_COMMANDS_H
#define CTL_COMMANDS_H

#include "ctl_session.h"

int ctl_cmd_state(ctl *c, int argc, char **argv);
int ctl_cmd_watch(ctl *c, int argc, char **argv);
int ctl_cmd_orbit(ctl *c, int argc, char **argv);
int ctl_cmd_cps(ctl *c, int argc, char **argv);
int ctl_cmd_moh(ctl *c, int argc, char **argv);
int ctl_cmd_pool(ctl *c, int argc, char **argv);
/* ctl_dr.c: readiness checks and the guided runbooks. */
int ctl_cmd_dr(ctl *c, int argc, char **argv);

#endif
