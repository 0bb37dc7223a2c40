/* sip_libre: libre's headers, for the files that use libre (the edge and
 * orbit-sim --sip). One by one, because re.h would bring re_json.h, whose
 * enum clashes with jansson's; and they expect HAVE_INTTYPES_H and
 * HAVE_STDBOOL_H (set by orbit_sip's CMake target for its users). */
#ifndef SIP_LIBRE_H
#define SIP_LIBRE_H

#include <inttypes.h>
#include <stdbool.h>
#include <sys/socket.h>
#include <re_types.h>
#include <re_fmt.h>
#include <re_mem.h>
#include <re_mbuf.h>
#include <re_list.h>
#include <re_sa.h>
#include <re_tmr.h>
#include <re_main.h>
#include <re_mqueue.h>
#include <re_msg.h>
#include <re_uri.h>
#include <re_dns.h>
#include <re_sip.h>
#include <re_sipsess.h>
#include <re_sdp.h>

#endif
