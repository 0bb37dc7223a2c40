/* Fuzzes the client programs' configuration readers on every input:
 * deployment.json as orbitctl, orbitop and orbit-sim read it
 * (client_depfile_load), and orbitctl.conf (ctl_defaults, from
 * $XDG_CONFIG_HOME/orbit/orbitctl.conf). Either reads or refuses with a
 * message; what they keep is bounded and terminated. */
#include "fuzz_util.h"

#include "client_depfile.h"
#include "ctl_session.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void check_depfile(const uint8_t *data, size_t size)
{
    char path[64];
    int fd = fuzz_memfile(data, size, path, sizeof path);
    if (fd < 0)
        return;
    client_depfile d;
    orbit_status st;
    orbit_status_clear(&st);
    if (client_depfile_load(path, &d, &st) == ORBIT_OK) {
        FUZZ_REQUIRE(d.npools > 0 && d.pools != NULL);
        FUZZ_REQUIRE(d.clock_scale > 0);
        for (size_t i = 0; i < d.npools; i++) {
            FUZZ_REQUIRE(strlen(d.pools[i].fqdn) < sizeof d.pools[i].fqdn);
            FUZZ_REQUIRE(strlen(d.pools[i].url) < sizeof d.pools[i].url);
            FUZZ_REQUIRE(client_depfile_pool_find(&d, d.pools[i].fqdn) != NULL);
        }
        (void)client_depfile_token(&d, "viewer");
        (void)client_depfile_token(&d, "operator");
        (void)client_depfile_token(&d, "endpoint");
        client_depfile_free(&d);
    } else {
        FUZZ_REQUIRE(st.code != ORBIT_OK && st.message[0]);
    }
    close(fd);
}

/* ctl_defaults reads a fixed name under $XDG_CONFIG_HOME: this process
 * gets its own directory for it, made once and removed at exit. */
typedef struct {
    char home[64];
    char dir[96];
    char file[128];
    bool ready;
} conf_place;

static conf_place PLACE;

static void remove_place(void)
{
    unlink(PLACE.file);
    rmdir(PLACE.dir);
    rmdir(PLACE.home);
}

static bool prepare_place(void)
{
    if (PLACE.ready)
        return true;
    snprintf(PLACE.home, sizeof PLACE.home, "/tmp/orbit-fuzz-conf-XXXXXX");
    if (!mkdtemp(PLACE.home))
        return false;
    snprintf(PLACE.dir, sizeof PLACE.dir, "%s/orbit", PLACE.home);
    snprintf(PLACE.file, sizeof PLACE.file, "%s/orbitctl.conf", PLACE.dir);
    if (mkdir(PLACE.dir, 0700) != 0 && errno != EEXIST)
        return false;
    if (setenv("XDG_CONFIG_HOME", PLACE.home, 1) != 0 || unsetenv("ORBIT_URL") != 0)
        return false;
    atexit(remove_place);
    PLACE.ready = true;
    return true;
}

static void check_ctl_conf(const uint8_t *data, size_t size)
{
    if (!prepare_place())
        return;
    FILE *f = fopen(PLACE.file, "wb");
    if (!f)
        return;
    bool written = fwrite(data, 1, size, f) == size;
    if (fclose(f) != 0 || !written)
        return;
    ctl_options o;
    char err[CTL_ERR_MAX] = "";
    int rc = ctl_defaults(&o, err, sizeof err);
    FUZZ_REQUIRE(rc == CTL_EXIT_OK || (rc == CTL_EXIT_USAGE && err[0]));
    FUZZ_REQUIRE(strlen(o.url) < sizeof o.url && strlen(o.pool) < sizeof o.pool);
    FUZZ_REQUIRE(strlen(o.deployment) < sizeof o.deployment);
    FUZZ_REQUIRE(strlen(o.token_file) < sizeof o.token_file);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    check_depfile(data, size);
    check_ctl_conf(data, size);
    return 0;
}
