/* demo_proc: finding, starting and stopping a deployment's processes. */
#include "demo_proc.h"

#include "orbit_file.h"
#include "orbit_time.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define DEMO_STOP_TIMEOUT_MS 10000

static bool executable(const char *path)
{
    return access(path, X_OK) == 0;
}

/* Looks beside this program (installed together, or in the build tree),
 * then on PATH. */
bool demo_find_program(const char *name, char *out, size_t len)
{
    const char *env = getenv("ORBIT_BIN_DIR");
    if (env && orbit_file_join(out, len, env, name) && executable(out))
        return true;
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n > 0) {
        self[n] = '\0';
        char *dir = dirname(self);
        const char *subdirs[] = {".", "../server", "../tools", "../tui", "../sbin", "../bin"};
        for (size_t i = 0; i < sizeof subdirs / sizeof *subdirs; i++) {
            if (snprintf(out, len, "%s/%s/%s", dir, subdirs[i], name) < (int)len && executable(out))
                return true;
        }
    }
    const char *path = getenv("PATH");
    if (!path)
        return false;
    char *copy = strdup(path), *save = NULL;
    bool found = false;
    for (char *d = copy ? strtok_r(copy, ":", &save) : NULL; d && !found;
         d = strtok_r(NULL, ":", &save))
        found = orbit_file_join(out, len, d, name) && executable(out);
    free(copy);
    return found;
}

/* Starts a program detached from this one (own session, output to log).
 * Returns once the child runs the program, not before: its pid is then
 * the program's (its /proc cmdline names it, so `down` and tests that
 * look at it never see a half-started copy of orbit-demo), and a program
 * that cannot be executed is reported here. */
pid_t demo_spawn(const char *program, char *const argv[], const char *log_path)
{
    int out = open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (out < 0) {
        fprintf(stderr, "orbit-demo: %s: %s\n", log_path, strerror(errno));
        return -1;
    }
    /* Closed by a successful exec; carries errno when exec fails. */
    int exec_pipe[2];
    if (pipe2(exec_pipe, O_CLOEXEC) != 0) {
        fprintf(stderr, "orbit-demo: pipe: %s\n", strerror(errno));
        close(out);
        return -1;
    }
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "orbit-demo: fork: %s\n", strerror(errno));
        close(out);
        close(exec_pipe[0]);
        close(exec_pipe[1]);
        return -1;
    }
    if (pid == 0) {
        close(exec_pipe[0]);
        setsid();
        int devnull = open("/dev/null", O_RDONLY);
        if (devnull >= 0)
            dup2(devnull, STDIN_FILENO);
        dup2(out, STDOUT_FILENO);
        dup2(out, STDERR_FILENO);
        signal(SIGPIPE, SIG_DFL);
        execv(program, argv);
        int why = errno;
        ssize_t w = write(exec_pipe[1], &why, sizeof why);
        (void)w; /* nothing more to do if even this fails */
        _exit(127);
    }
    close(out);
    close(exec_pipe[1]);
    int why = 0;
    ssize_t n;
    do
        n = read(exec_pipe[0], &why, sizeof why);
    while (n < 0 && errno == EINTR);
    close(exec_pipe[0]);
    if (n == (ssize_t)sizeof why) {
        fprintf(stderr, "orbit-demo: cannot run %s: %s\n", program, strerror(why));
        waitpid(pid, NULL, 0);
        return -1;
    }
    return pid;
}

/* True when pid is alive and runs a program whose name contains `name`
 * (so a recycled pid is never signalled). */
bool demo_process_is(pid_t pid, const char *name)
{
    if (pid <= 0)
        return false;
    char path[64], cmd[512];
    snprintf(path, sizeof path, "/proc/%d/cmdline", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return false;
    size_t n = fread(cmd, 1, sizeof cmd - 1, f);
    fclose(f);
    cmd[n] = '\0';
    /* A zombie has an empty command line. */
    return n > 0 && strstr(cmd, name) != NULL;
}

void demo_sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

bool demo_stop_process(pid_t pid, const char *name)
{
    if (!demo_process_is(pid, name))
        return true;
    kill(pid, SIGTERM);
    int64_t until = orbit_time_mono_ms() + DEMO_STOP_TIMEOUT_MS;
    while (orbit_time_mono_ms() < until) {
        waitpid(pid, NULL, WNOHANG); /* our own child when started by this run */
        if (!demo_process_is(pid, name))
            return true;
        demo_sleep_ms(50);
    }
    fprintf(stderr, "orbit-demo: %s (pid %d) did not stop; killing it\n", name, (int)pid);
    kill(pid, SIGKILL);
    waitpid(pid, NULL, WNOHANG);
    return false;
}
