/* The audit log on a disk that fails: a write cut short is taken back
 * (no torn line, and the next line is kept), a line left unfinished by a
 * crash is cut off when the log opens, a result the disk refused is kept
 * and written later, and rotation by size loses no line. The disk filling
 * up is played by RLIMIT_FSIZE: past it, write() is short, then EFBIG. */
#include "test_main.h"

#include "audit.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct {
    char dir[64];
    char path[128];
    audit_log *log;
    struct rlimit fsize; /* as it was, restored after each test */
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    snprintf(f->dir, sizeof f->dir, "/tmp/orbit-audit-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->path, sizeof f->path, "%s/audit.jsonl", f->dir);
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &f->fsize), 0);
    signal(SIGXFSZ, SIG_IGN); /* a write past the limit fails instead of killing us */
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    setrlimit(RLIMIT_FSIZE, &f->fsize);
    audit_close(f->log);
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", f->dir);
    free(f);
    return 0;
}

static void open_log(fixture *f, uint64_t max_bytes)
{
    orbit_status st;
    audit_close(f->log);
    f->log = NULL;
    assert_int_equal(audit_open(f->dir, max_bytes, &f->log, &st), ORBIT_OK);
}

static orbit_err append(fixture *f, uint64_t action, audit_phase phase, const char *identity)
{
    orbit_status st, ok;
    orbit_status_clear(&ok);
    json_t *args = json_pack("{s:s}", "identity", identity);
    assert_non_null(args);
    audit_entry e = {.action = action,
                     .time_ms = 1700000000000,
                     .who = "ops",
                     .role = "operator",
                     .client = "test",
                     .peer = "127.0.0.1",
                     .op = "orbit.create",
                     .args = args,
                     .phase = phase,
                     .result = &ok};
    orbit_err err = audit_append(f->log, &e, &st);
    json_decref(args);
    return err;
}

static off_t file_size(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 ? sb.st_size : -1;
}

/* Lets the log grow by at most `room` more bytes. */
static void leave_room(fixture *f, const char *path, off_t room)
{
    struct rlimit lim = f->fsize;
    lim.rlim_cur = (rlim_t)(file_size(path) + room);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
}

static void lift_limit(fixture *f)
{
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &f->fsize), 0);
}

/* Every line of a file parses, and the file ends with a newline; returns
 * how many lines it holds. */
static size_t whole_lines(const char *path)
{
    FILE *in = fopen(path, "r");
    if (!in)
        return 0;
    char line[4096];
    size_t n = 0;
    while (fgets(line, sizeof line, in)) {
        size_t len = strlen(line);
        assert_true(len > 0 && line[len - 1] == '\n');
        json_t *v = json_loads(line, 0, NULL);
        assert_non_null(v);
        json_decref(v);
        n++;
    }
    fclose(in);
    return n;
}

/* The identities of the actions the tail shows, space-separated. */
static void tail_identities(fixture *f, char *out, size_t len);

/* The log on disk holds `lines` whole lines and shows these actions. */
static void assert_log_holds(fixture *f, size_t lines, const char *identities)
{
    assert_int_equal(whole_lines(f->path), lines);
    char ids[256];
    tail_identities(f, ids, sizeof ids);
    assert_string_equal(ids, identities);
}

static void tail_identities(fixture *f, char *out, size_t len)
{
    orbit_status st;
    json_t *tail = audit_tail(f->log, 100, false, &st);
    assert_non_null(tail);
    out[0] = '\0';
    size_t i;
    json_t *e;
    json_array_foreach(tail, i, e)
    {
        const char *id = json_string_value(json_object_get(json_object_get(e, "args"), "identity"));
        size_t used = strlen(out);
        snprintf(out + used, len - used, "%s%s", used ? " " : "", id ? id : "?");
    }
    json_decref(tail);
}

static void short_write_leaves_no_torn_line(void **state)
{
    fixture *f = *state;
    open_log(f, 0);
    assert_int_equal(append(f, 1, AUDIT_RESULT, "first"), ORBIT_OK);
    off_t before = file_size(f->path);
    leave_room(f, f->path, 20); /* part of the next line fits, not all */
    assert_int_not_equal(append(f, 2, AUDIT_REQUEST, "cut"), ORBIT_OK);
    assert_int_equal(file_size(f->path), before); /* the part written was taken back */
    lift_limit(f);
    assert_int_equal(append(f, 3, AUDIT_RESULT, "next"), ORBIT_OK);
    assert_log_holds(f, 2, "first next");
}

static void unfinished_last_line_is_cut_off_when_the_log_opens(void **state)
{
    fixture *f = *state;
    open_log(f, 0);
    assert_int_equal(append(f, 1, AUDIT_RESULT, "kept"), ORBIT_OK);
    audit_close(f->log);
    f->log = NULL;
    /* A crash in the middle of a line. */
    int fd = open(f->path, O_WRONLY | O_APPEND);
    assert_true(fd >= 0);
    const char torn[] = "{\"action\":2,\"op\":\"orbit.cre";
    assert_int_equal(write(fd, torn, sizeof torn - 1), (ssize_t)(sizeof torn - 1));
    close(fd);
    open_log(f, 0);
    assert_int_equal(append(f, 3, AUDIT_RESULT, "after"), ORBIT_OK);
    assert_log_holds(f, 2, "kept after");
}

static void refused_result_is_written_once_the_disk_takes_it(void **state)
{
    fixture *f = *state;
    open_log(f, 0);
    assert_int_equal(append(f, 1, AUDIT_REQUEST, "acted"), ORBIT_OK);
    leave_room(f, f->path, 0); /* the disk fills while the action acts */
    assert_int_not_equal(append(f, 1, AUDIT_RESULT, "acted"), ORBIT_OK);
    /* While it waits, a new action is refused... */
    assert_int_not_equal(append(f, 2, AUDIT_REQUEST, "refused"), ORBIT_OK);
    /* ...but the outcome is already shown. */
    char ids[256];
    tail_identities(f, ids, sizeof ids);
    assert_string_equal(ids, "acted");
    orbit_status st;
    json_t *tail = audit_tail(f->log, 10, false, &st);
    assert_true(json_is_true(json_object_get(json_array_get(tail, 0), "ok")));
    json_decref(tail);
    lift_limit(f);
    assert_int_equal(append(f, 3, AUDIT_REQUEST, "later"), ORBIT_OK);
    assert_int_equal(whole_lines(f->path), 3); /* request, its result, the new request */
    tail = audit_tail(f->log, 10, true, &st);
    assert_int_equal(json_array_size(tail), 3);
    assert_string_equal(json_string_value(json_object_get(json_array_get(tail, 1), "phase")),
                        "result");
    json_decref(tail);
}

static void rotation_keeps_every_line_in_exactly_one_file(void **state)
{
    fixture *f = *state;
    open_log(f, 1000); /* a few lines per file */
    enum { LINES = 30 };
    for (int i = 0; i < LINES; i++) {
        char id[16];
        snprintf(id, sizeof id, "r%d", i);
        assert_int_equal(append(f, (uint64_t)i + 1, AUDIT_RESULT, id), ORBIT_OK);
    }
    size_t total = whole_lines(f->path);
    char older[160];
    for (int g = 1; g <= AUDIT_GENERATIONS; g++) {
        snprintf(older, sizeof older, "%s.%d", f->path, g);
        assert_true(file_size(older) > 0);
        total += whole_lines(older);
    }
    snprintf(older, sizeof older, "%s.%d", f->path, AUDIT_GENERATIONS + 1);
    assert_int_equal(file_size(older), -1); /* no more generations than promised */
    /* The newest lines are all there, in order, none twice: the count of
     * lines kept equals the count from the oldest kept one to the last. */
    snprintf(older, sizeof older, "%s.%d", f->path, AUDIT_GENERATIONS);
    FILE *in = fopen(older, "r");
    assert_non_null(in);
    char line[4096];
    assert_non_null(fgets(line, sizeof line, in));
    fclose(in);
    json_t *first = json_loads(line, 0, NULL);
    assert_non_null(first);
    json_int_t oldest = json_integer_value(json_object_get(first, "action"));
    json_decref(first);
    assert_int_equal(total, (size_t)(LINES - oldest + 1));
}

static void request_without_result_is_shown_as_unknown(void **state)
{
    fixture *f = *state;
    open_log(f, 0);
    assert_int_equal(append(f, 1, AUDIT_REQUEST, "done"), ORBIT_OK);
    assert_int_equal(append(f, 1, AUDIT_RESULT, "done"), ORBIT_OK);
    assert_int_equal(append(f, 2, AUDIT_REQUEST, "cut"), ORBIT_OK);
    orbit_status st;
    json_t *tail = audit_tail(f->log, 10, false, &st);
    assert_int_equal(json_array_size(tail), 2);
    json_t *cut = json_array_get(tail, 1);
    assert_true(json_is_false(json_object_get(cut, "ok")));
    assert_string_equal(json_string_value(json_object_get(json_object_get(cut, "error"), "code")),
                        "unknown");
    json_decref(tail);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(short_write_leaves_no_torn_line, setup, teardown),
    cmocka_unit_test_setup_teardown(unfinished_last_line_is_cut_off_when_the_log_opens, setup,
                                    teardown),
    cmocka_unit_test_setup_teardown(refused_result_is_written_once_the_disk_takes_it, setup,
                                    teardown),
    cmocka_unit_test_setup_teardown(rotation_keeps_every_line_in_exactly_one_file, setup, teardown),
    cmocka_unit_test_setup_teardown(request_without_result_is_shown_as_unknown, setup, teardown),
};

ORBIT_TEST_MAIN(tests)
