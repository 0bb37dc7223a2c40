/* sip_sdp: one audio m-line with PCMU and PCMA, negotiated by libre's SDP
 * module; the chosen codec and the far end's address go to the stream's
 * media session. */
#include "sip_sdp.h"

#include <errno.h>
#include <string.h>

orbit_err sip_sdp_open(sip_sdp_stream *s, const char *media_ip, media_port_range ports,
                       uint64_t random_bits, media_counters *counters, orbit_status *st)
{
    memset(s, 0, sizeof *s);
    orbit_err err = media_session_open(media_ip, ports, random_bits, counters, &s->media, st);
    if (err)
        return err;
    struct sa laddr;
    int rc = sa_set_str(&laddr, media_ip, media_session_port(s->media));
    if (!rc)
        rc = sdp_session_alloc(&s->sdp, &laddr);
    if (!rc)
        rc = sdp_media_add(&s->audio, s->sdp, "audio", media_session_port(s->media), "RTP/AVP");
    if (!rc)
        rc = sdp_format_add(NULL, s->audio, false, "0", "PCMU", 8000, 1, NULL, NULL, NULL, false,
                            NULL);
    if (!rc)
        rc = sdp_format_add(NULL, s->audio, false, "8", "PCMA", 8000, 1, NULL, NULL, NULL, false,
                            NULL);
    if (rc) {
        sip_sdp_close(s);
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "sdp", "cannot describe the stream: %s",
                                strerror(rc));
    }
    return ORBIT_OK;
}

void sip_sdp_close(sip_sdp_stream *s)
{
    media_session_close(s->media);
    s->media = NULL;
    s->sdp = mem_deref(s->sdp); /* frees its media lines too */
    s->audio = NULL;
}

/* After a decode: the codec both sides have and where to send. */
static orbit_err sdp_apply(sip_sdp_stream *s, orbit_status *st)
{
    const struct sdp_format *fmt = sdp_media_rformat(s->audio, NULL);
    const struct sa *raddr = sdp_media_raddr(s->audio);
    char ip[64];
    if (!fmt || !raddr || !sa_isset(raddr, SA_ALL) || sa_ntop(raddr, ip, sizeof ip) != 0)
        return orbit_status_set(st, ORBIT_ERR_UNSUPPORTED_MEDIA, "sdp",
                                "no PCMU or PCMA audio with an address");
    media_session_set_codec(s->media, fmt->pt == 8 ? MEDIA_CODEC_PCMA : MEDIA_CODEC_PCMU);
    return media_session_set_peer(s->media, ip, sa_port(raddr), st);
}

/* Decodes msg's body as an offer (or an answer to ours). */
static orbit_err decode_body(sip_sdp_stream *s, const struct sip_msg *msg, bool offer,
                             orbit_status *st)
{
    size_t len = mbuf_get_left(msg->mb);
    if (len == 0)
        return orbit_status_set(st, ORBIT_ERR_UNSUPPORTED_MEDIA, "sdp", "%s without SDP",
                                offer ? "INVITE" : "answer");
    /* A copy: decoding moves the position of the message's buffer. */
    struct mbuf *copy = mbuf_alloc(len);
    if (!copy)
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "sdp", "out of memory");
    int rc = mbuf_write_mem(copy, mbuf_buf(msg->mb), len);
    mbuf_set_pos(copy, 0);
    if (!rc)
        rc = sdp_decode(s->sdp, copy, offer);
    mem_deref(copy);
    if (rc)
        return orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "sdp", "unreadable SDP");
    return sdp_apply(s, st);
}

orbit_err sip_sdp_answer(sip_sdp_stream *s, const struct sip_msg *msg, struct mbuf **answer,
                         orbit_status *st)
{
    orbit_err err = decode_body(s, msg, true, st);
    if (err)
        return err;
    if (sdp_encode(answer, s->sdp, false) != 0)
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "sdp", "cannot encode the answer");
    return ORBIT_OK;
}

orbit_err sip_sdp_offer(sip_sdp_stream *s, struct mbuf **offer, orbit_status *st)
{
    if (sdp_encode(offer, s->sdp, true) != 0)
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "sdp", "cannot encode the offer");
    return ORBIT_OK;
}

orbit_err sip_sdp_apply_answer(sip_sdp_stream *s, const struct sip_msg *msg, orbit_status *st)
{
    return decode_body(s, msg, false, st);
}
