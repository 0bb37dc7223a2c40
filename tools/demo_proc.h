/* demo_proc: the processes of a local deployment: finding the programs
 * beside this one, starting them detached with their output in a log,
 * and stopping them without ever signalling a recycled pid. */
#ifndef DEMO_PROC_H
#define DEMO_PROC_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Looks beside this program (installed together, or in the build tree),
 * then in ORBIT_BIN_DIR, then on PATH. */
bool demo_find_program(const char *name, char *out, size_t len);

/* Starts a program detached from this one (own session, output appended
 * to log_path). -1 on failure. */
pid_t demo_spawn(const char *program, char *const argv[], const char *log_path);

/* True when pid is alive and runs a program whose command line contains
 * name (so a recycled pid is never signalled). */
bool demo_process_is(pid_t pid, const char *name);

/* SIGTERM, then SIGKILL after a grace period; true when it stopped by
 * itself (or was not running). */
bool demo_stop_process(pid_t pid, const char *name);

void demo_sleep_ms(long ms);

#endif
