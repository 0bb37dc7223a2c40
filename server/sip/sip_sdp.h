/* sip_sdp: one audio stream's SDP offer/answer (PCMU and PCMA, RFC 3264
 * on libre's SDP module) and the RTP session it describes, for the
 * edge's legs and orbit-sim's phones alike. */
#ifndef SIP_SDP_H
#define SIP_SDP_H

#include "media_session.h"
#include "orbit_error.h"
#include "sip_libre.h"

typedef struct {
    struct sdp_session *sdp;
    struct sdp_media *audio;
    media_session *media; /* NULL until opened */
} sip_sdp_stream;

/* Opens the RTP session on a port of ports and describes it (offering
 * PCMU then PCMA). counters is borrowed and must outlive the stream. */
orbit_err sip_sdp_open(sip_sdp_stream *s, const char *media_ip, media_port_range ports,
                       uint64_t random_bits, media_counters *counters, orbit_status *st);
/* Frees what open made; a zeroed stream is fine. The media session's
 * fd must no longer be watched. */
void sip_sdp_close(sip_sdp_stream *s);
/* Applies the offer in msg's body and writes the answer (new mbuf). */
orbit_err sip_sdp_answer(sip_sdp_stream *s, const struct sip_msg *msg, struct mbuf **answer,
                         orbit_status *st);
/* Our offer (new mbuf). */
orbit_err sip_sdp_offer(sip_sdp_stream *s, struct mbuf **offer, orbit_status *st);
/* Applies the answer to our offer from msg's body. */
orbit_err sip_sdp_apply_answer(sip_sdp_stream *s, const struct sip_msg *msg, orbit_status *st);

#endif
