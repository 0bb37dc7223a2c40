/* sip_sdp: one audio m-line with PCMU and PCMA, negotiated by libre's SDP
 * module; the chosen codec and the far end's address go to the leg's
 * media session. */
#include "sip_edge_internal.h"

#include <string.h>

int sip_sdp_prepare(sip_leg *leg, orbit_status *st)
{
    sip_edge *edge = leg->edge;
    orbit_err err = media_session_open(edge->media_ip, edge->cfg.media_ports,
                                       orbit_rng_next(&edge->rng), &edge->media, &leg->media, st);
    if (err)
        return EADDRINUSE;
    struct sa laddr;
    if (sa_set_str(&laddr, edge->media_ip, media_session_port(leg->media)) != 0) {
        orbit_status_set(st, ORBIT_ERR_INTERNAL, "media_ip", "bad media address");
        return EINVAL;
    }
    int rc = sdp_session_alloc(&leg->sdp, &laddr);
    if (!rc)
        rc = sdp_media_add(&leg->sdp_audio, leg->sdp, "audio", media_session_port(leg->media),
                           "RTP/AVP");
    if (!rc)
        rc = sdp_format_add(NULL, leg->sdp_audio, false, "0", "PCMU", 8000, 1, NULL, NULL, NULL,
                            false, NULL);
    if (!rc)
        rc = sdp_format_add(NULL, leg->sdp_audio, false, "8", "PCMA", 8000, 1, NULL, NULL, NULL,
                            false, NULL);
    if (rc)
        orbit_status_set(st, ORBIT_ERR_INTERNAL, "sdp", "cannot build SDP: %d", rc);
    return rc;
}

/* After a decode: the codec both sides have and where to send. */
static int sdp_apply(sip_leg *leg, orbit_status *st)
{
    const struct sdp_format *fmt = sdp_media_rformat(leg->sdp_audio, NULL);
    const struct sa *raddr = sdp_media_raddr(leg->sdp_audio);
    if (!fmt || !raddr || !sa_isset(raddr, SA_ALL)) {
        orbit_status_set(st, ORBIT_ERR_UNSUPPORTED_MEDIA, "sdp",
                         "no PCMU or PCMA audio with an address");
        return EPROTO;
    }
    char ip[64];
    if (sa_ntop(raddr, ip, sizeof ip) != 0)
        return EINVAL;
    media_session_set_codec(leg->media, fmt->pt == 8 ? MEDIA_CODEC_PCMA : MEDIA_CODEC_PCMU);
    if (media_session_set_peer(leg->media, ip, sa_port(raddr), st) != ORBIT_OK)
        return EINVAL;
    return 0;
}

int sip_sdp_answer(sip_leg *leg, const struct sip_msg *msg, struct mbuf **answer, orbit_status *st)
{
    if (mbuf_get_left(msg->mb) == 0) {
        orbit_status_set(st, ORBIT_ERR_UNSUPPORTED_MEDIA, "sdp", "INVITE without an SDP offer");
        return EPROTO;
    }
    struct mbuf *copy = mbuf_alloc(mbuf_get_left(msg->mb));
    if (!copy)
        return ENOMEM;
    int rc = mbuf_write_mem(copy, mbuf_buf(msg->mb), mbuf_get_left(msg->mb));
    mbuf_set_pos(copy, 0);
    if (!rc)
        rc = sdp_decode(leg->sdp, copy, true);
    mem_deref(copy);
    if (rc) {
        orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "sdp", "unreadable SDP offer");
        return rc;
    }
    rc = sdp_apply(leg, st);
    if (!rc)
        rc = sdp_encode(answer, leg->sdp, false);
    return rc;
}

int sip_sdp_offer(sip_leg *leg, struct mbuf **offer)
{
    return sdp_encode(offer, leg->sdp, true);
}

int sip_sdp_apply_answer(sip_leg *leg, const struct sip_msg *msg, orbit_status *st)
{
    if (mbuf_get_left(msg->mb) == 0) {
        orbit_status_set(st, ORBIT_ERR_UNSUPPORTED_MEDIA, "sdp", "answer without SDP");
        return EPROTO;
    }
    struct mbuf *copy = mbuf_alloc(mbuf_get_left(msg->mb));
    if (!copy)
        return ENOMEM;
    int rc = mbuf_write_mem(copy, mbuf_buf(msg->mb), mbuf_get_left(msg->mb));
    mbuf_set_pos(copy, 0);
    if (!rc)
        rc = sdp_decode(leg->sdp, copy, false);
    mem_deref(copy);
    if (rc) {
        orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "sdp", "unreadable SDP answer");
        return rc;
    }
    return sdp_apply(leg, st);
}
