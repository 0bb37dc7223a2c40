/* Fuzzes orbitd's configuration reader (server_config_load, the same
 * key = value parser command-line flags use): any file is read or
 * refused with a message naming its line, and what is accepted keeps
 * every bound the service relies on, token names included. */
#include "fuzz_util.h"

#include "server_config.h"

#include <string.h>
#include <unistd.h>

static void check_config(const server_config *c)
{
    FUZZ_REQUIRE(c->port >= 1 && c->port <= 65535);
    FUZZ_REQUIRE(c->fqdn[0] == '\0' || orbit_fqdn_check(c->fqdn) == NULL);
    FUZZ_REQUIRE(c->heartbeat_ms >= 100 && c->down_after_ms >= 500);
    FUZZ_REQUIRE(c->clock_scale >= 0.01 && c->clock_scale <= 10000.0);
    FUZZ_REQUIRE(c->moh_max_bytes >= 1024);
    for (size_t i = 0; i < c->ntokens; i++) {
        const server_token *t = &c->tokens[i];
        FUZZ_REQUIRE(t->name[0] && strlen(t->name) <= SERVER_TOKEN_NAME_MAX);
        FUZZ_REQUIRE(orbit_text_hazard_of(t->name) == ORBIT_TEXT_SAFE);
        FUZZ_REQUIRE(t->role == ORBIT_ROLE_VIEWER || t->role == ORBIT_ROLE_OPERATOR ||
                     t->role == ORBIT_ROLE_ENDPOINT);
        for (size_t j = 0; j < i; j++)
            FUZZ_REQUIRE(strcmp(c->tokens[j].name, t->name) != 0);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[64];
    int fd = fuzz_memfile(data, size, path, sizeof path);
    if (fd < 0)
        return 0;
    server_config c;
    server_config_defaults(&c);
    char err[512] = "";
    if (server_config_load(&c, path, err, sizeof err)) {
        check_config(&c);
        char why[256];
        (void)server_config_check(&c, why, sizeof why);
        (void)server_config_find_token(&c, "a secret");
    } else {
        FUZZ_REQUIRE(err[0] != '\0');
    }
    server_config_free(&c);
    close(fd);
    return 0;
}
