/* Fuzzes orbit numbers, ranges and the orbit table with a small line
 * language, so the fuzzer can build tables and then break them:
 *   n TEXT                          parse a number
 *   r START END                     a range's numbers on their own
 *   c|ID|START|END|POOL|TYPE        orbit_table_create
 *   u|ID|START|END|POOL|TYPE|FORCE  orbit_table_update (empty: unchanged)
 *   d|ID|FORCE                      orbit_table_delete
 *   a|FROM|TO|TYPE                  orbit_table_reassign
 *   o NUMBER                        orbit_table_owner_of
 *   b                               numbers become in use (or free again)
 * After every line the table must still keep every rule it enforces. */
#include "fuzz_util.h"

#include "orbit_table.h"

#include <string.h>
#include <strings.h>

#define MAX_LINES  256
#define MAX_FIELDS 8

static void check_number(const char *text)
{
    orbit_number n;
    if (orbit_number_parse(text, &n) != ORBIT_NUMBER_OK) {
        FUZZ_REQUIRE(orbit_number_parse(text, NULL) != ORBIT_NUMBER_OK);
        return;
    }
    FUZZ_REQUIRE(orbit_number_is_valid(&n));
    char buf[ORBIT_NUMBER_BUF];
    orbit_number_format(&n, buf, sizeof buf);
    /* Canonical: the text is the number, and formatting gives it back. */
    FUZZ_REQUIRE(strcmp(buf, text) == 0);
    orbit_number back;
    FUZZ_REQUIRE(orbit_number_parse(buf, &back) == ORBIT_NUMBER_OK);
    FUZZ_REQUIRE(orbit_number_compare(&n, &back) == 0);
    FUZZ_REQUIRE(orbit_number_same_shape(&n, &back));
}

static void check_range_numbers(const char *start, const char *end)
{
    orbit_range r;
    memset(&r, 0, sizeof r);
    orbit_status st;
    if (orbit_range_set_numbers(&r, start, end, &st) != ORBIT_OK) {
        FUZZ_REQUIRE(st.code == ORBIT_ERR_INVALID_RANGE || st.code == ORBIT_ERR_LIMIT_EXCEEDED);
        return;
    }
    uint32_t size = orbit_range_size(&r);
    FUZZ_REQUIRE(size >= 1 && size <= ORBIT_RANGE_MAX_SIZE);
    FUZZ_REQUIRE(orbit_number_same_shape(&r.start, &r.end));
    FUZZ_REQUIRE(orbit_range_contains(&r, &r.start) && orbit_range_contains(&r, &r.end));
    FUZZ_REQUIRE(orbit_range_overlaps(&r, &r));
}

/* Every rule orbit_table promises, checked from the outside. */
static void check_table(const orbit_table *t)
{
    size_t n = orbit_table_count(t);
    orbit_status st;
    for (size_t i = 0; i < n; i++) {
        const orbit_range *r = orbit_table_at(t, i);
        FUZZ_REQUIRE(orbit_range_check(r, &st) == ORBIT_OK);
        FUZZ_REQUIRE(orbit_table_find(t, r->identity) == r);
        FUZZ_REQUIRE(orbit_table_owner_of(t, &r->start) == r);
        FUZZ_REQUIRE(orbit_table_owner_of(t, &r->end) == r);
        FUZZ_REQUIRE(orbit_table_pool_total(t, r->pool, NULL) < ORBIT_POOL_NUMBER_LIMIT);
        if (i > 0)
            FUZZ_REQUIRE(strcasecmp(orbit_table_at(t, i - 1)->identity, r->identity) < 0);
        for (size_t j = i + 1; j < n; j++)
            FUZZ_REQUIRE(!orbit_range_overlaps(r, orbit_table_at(t, j)));
    }
    /* A store reload of the same rows must be accepted as they are. */
    orbit_range *rows = malloc((n ? n : 1) * sizeof *rows);
    orbit_table *copy = orbit_table_new();
    if (rows && copy) {
        for (size_t i = 0; i < n; i++)
            rows[i] = *orbit_table_at(t, i);
        FUZZ_REQUIRE(orbit_table_load(copy, rows, n, &st) == ORBIT_OK);
        FUZZ_REQUIRE(orbit_table_count(copy) == n);
    }
    free(rows);
    orbit_table_free(copy);
}

typedef struct {
    bool busy;
} use_state;

static uint32_t in_use(void *ctx, const orbit_range *r)
{
    return ((const use_state *)ctx)->busy ? orbit_range_size(r) : 0;
}

static size_t split(char *s, char **fields)
{
    size_t n = 0;
    fields[n++] = s;
    for (char *p = s; *p && n < MAX_FIELDS; p++) {
        if (*p == '|') {
            *p = '\0';
            fields[n++] = p + 1;
        }
    }
    return n;
}

static const char *field(char **f, size_t n, size_t i)
{
    return i < n && f[i][0] ? f[i] : NULL;
}

static bool type_of(const char *name, orbit_type *out)
{
    return name && orbit_type_from_name(name, out);
}

static void create(orbit_table *t, char **f, size_t n)
{
    orbit_range r;
    memset(&r, 0, sizeof r);
    orbit_status st;
    snprintf(r.identity, sizeof r.identity, "%s", field(f, n, 1) ? f[1] : "");
    snprintf(r.pool, sizeof r.pool, "%s", field(f, n, 4) ? f[4] : "");
    if (!type_of(field(f, n, 5), &r.type))
        r.type = ORBIT_TYPE_CALLPARK;
    if (orbit_range_set_numbers(&r, field(f, n, 2), field(f, n, 3), &st) != ORBIT_OK ||
        orbit_range_check(&r, &st) != ORBIT_OK)
        return;
    size_t before = orbit_table_count(t);
    if (orbit_table_create(t, &r, &st) == ORBIT_OK) {
        FUZZ_REQUIRE(orbit_table_count(t) == before + 1);
        FUZZ_REQUIRE(orbit_table_find(t, r.identity) != NULL);
    } else {
        FUZZ_REQUIRE(orbit_table_count(t) == before);
    }
}

static void update(orbit_table *t, char **f, size_t n, use_state *use)
{
    orbit_range_patch p;
    memset(&p, 0, sizeof p);
    p.start = field(f, n, 2);
    p.end = field(f, n, 3);
    p.pool = field(f, n, 4);
    p.has_type = type_of(field(f, n, 5), &p.type);
    p.force = field(f, n, 6) != NULL;
    orbit_range out;
    orbit_status st;
    const char *id = field(f, n, 1) ? f[1] : "";
    orbit_table *before = orbit_table_clone(t);
    if (orbit_table_update(t, id, &p, in_use, use, &out, &st) == ORBIT_OK) {
        FUZZ_REQUIRE(orbit_table_find(t, id) != NULL);
    } else if (before) {
        /* A refused change changes nothing. */
        FUZZ_REQUIRE(orbit_table_count(t) == orbit_table_count(before));
        for (size_t i = 0; i < orbit_table_count(t); i++)
            FUZZ_REQUIRE(
                memcmp(orbit_table_at(t, i), orbit_table_at(before, i), sizeof(orbit_range)) == 0);
    }
    orbit_table_free(before);
}

static void reassign(orbit_table *t, char **f, size_t n)
{
    orbit_type type;
    bool has_type = type_of(field(f, n, 3), &type);
    size_t moved = 0;
    orbit_status st;
    const char *from = field(f, n, 1) ? f[1] : "", *to = field(f, n, 2) ? f[2] : "";
    if (orbit_table_reassign(t, from, to, has_type ? &type : NULL, &moved, &st) == ORBIT_OK)
        FUZZ_REQUIRE(moved <= orbit_table_count(t));
}

static void owner(const orbit_table *t, const char *text)
{
    orbit_number num;
    if (orbit_number_parse(text, &num) != ORBIT_NUMBER_OK)
        return;
    const orbit_range *r = orbit_table_owner_of(t, &num);
    /* The binary search must agree with a plain walk. */
    const orbit_range *walk = NULL;
    for (size_t i = 0; i < orbit_table_count(t); i++) {
        if (orbit_range_contains(orbit_table_at(t, i), &num))
            walk = orbit_table_at(t, i);
    }
    FUZZ_REQUIRE(r == walk);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_cstring(data, size);
    orbit_table *t = orbit_table_new();
    if (!text || !t) {
        free(text);
        orbit_table_free(t);
        return 0;
    }
    char *lines[MAX_LINES];
    size_t nlines = fuzz_lines(text, lines, MAX_LINES);
    use_state use = {.busy = false};
    for (size_t i = 0; i < nlines; i++) {
        char *line = lines[i];
        char *f[MAX_FIELDS];
        orbit_status st;
        switch (line[0]) {
        case 'n':
            check_number(line[1] ? line + 2 : "");
            break;
        case 'r': {
            char *sp = line[1] ? strchr(line + 2, ' ') : NULL;
            if (sp) {
                *sp = '\0';
                check_range_numbers(line + 2, sp + 1);
            }
            break;
        }
        case 'c':
            create(t, f, split(line, f));
            break;
        case 'u':
            update(t, f, split(line, f), &use);
            break;
        case 'd': {
            size_t n = split(line, f);
            orbit_table_delete(t, field(f, n, 1) ? f[1] : "", field(f, n, 2) != NULL, in_use, &use,
                               &st);
            break;
        }
        case 'a':
            reassign(t, f, split(line, f));
            break;
        case 'o':
            owner(t, line[1] ? line + 2 : "");
            break;
        case 'b':
            use.busy = !use.busy;
            break;
        default:
            break;
        }
        check_table(t);
    }
    orbit_table_free(t);
    free(text);
    return 0;
}
