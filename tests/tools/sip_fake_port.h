/* sip_fake_port: a scripted in-memory call engine behind the sip_port
 * interface, for tests of the SIP edge before (and beside) the real pool
 * kernel. It runs on a thread of its own, as the kernel runs on the
 * libwebsockets loop, keeps parked calls and pickup queues with the
 * rules of docs/protocol.md (random orbit: no, the first free one, so
 * tests can dial it), and drives ring-back, forwarding and voicemail
 * with its own timers. Configured from a JSON document (see
 * tests/sip/README.md). */
#ifndef SIP_FAKE_PORT_H
#define SIP_FAKE_PORT_H

#include "sip_port.h"

#include <jansson.h>
#include <stdio.h>

typedef struct sip_fake_port sip_fake_port;

/* Builds the engine from config (borrowed). Each op and event is written
 * as one line to trace (borrowed; may be NULL) so tests can follow. */
orbit_err sip_fake_port_new(const json_t *config, FILE *trace, sip_fake_port **out,
                            orbit_status *st);
/* The table and context to hand to sip_edge_start. */
sip_port sip_fake_port_port(sip_fake_port *fake);
/* Stops its thread and frees; after sip_edge_stop. */
void sip_fake_port_free(sip_fake_port *fake);

#endif
