/* media_rtp: RFC 3550 fixed header, big-endian on the wire. */
#include "media_rtp.h"

#include <string.h>

size_t media_rtp_encode(const media_rtp_packet *pkt, uint8_t *buf, size_t cap)
{
    if (cap < MEDIA_RTP_HEADER_BYTES || pkt->payload_len > cap - MEDIA_RTP_HEADER_BYTES)
        return 0;
    buf[0] = 2 << 6; /* V=2, P=0, X=0, CC=0 */
    buf[1] = (uint8_t)((pkt->marker ? 0x80 : 0) | (pkt->payload_type & 0x7F));
    buf[2] = (uint8_t)(pkt->seq >> 8);
    buf[3] = (uint8_t)pkt->seq;
    for (int i = 0; i < 4; i++) {
        buf[4 + i] = (uint8_t)(pkt->timestamp >> (24 - 8 * i));
        buf[8 + i] = (uint8_t)(pkt->ssrc >> (24 - 8 * i));
    }
    if (pkt->payload_len)
        memcpy(buf + MEDIA_RTP_HEADER_BYTES, pkt->payload, pkt->payload_len);
    return MEDIA_RTP_HEADER_BYTES + pkt->payload_len;
}

static uint32_t read_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

orbit_err media_rtp_decode(const uint8_t *buf, size_t len, media_rtp_packet *out, orbit_status *st)
{
    memset(out, 0, sizeof *out);
    if (len < MEDIA_RTP_HEADER_BYTES)
        return orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "rtp",
                                "%zu bytes: shorter than a header", len);
    if (buf[0] >> 6 != 2)
        return orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "rtp", "version %u", buf[0] >> 6);
    size_t header = MEDIA_RTP_HEADER_BYTES + 4u * (buf[0] & 0x0F);
    if (header > len)
        return orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "rtp", "CSRC list past the end");
    if (buf[0] & 0x10) {
        if (len - header < 4)
            return orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "rtp", "extension past the end");
        size_t words = (size_t)(buf[header + 2] << 8 | buf[header + 3]);
        if (4 + 4 * words > len - header)
            return orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "rtp", "extension past the end");
        header += 4 + 4 * words;
    }
    size_t end = len;
    if (buf[0] & 0x20) {
        size_t pad = buf[len - 1];
        if (pad == 0 || pad > len - header)
            return orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "rtp", "padding past the header");
        end -= pad;
    }
    out->marker = (buf[1] & 0x80) != 0;
    out->payload_type = buf[1] & 0x7F;
    out->seq = (uint16_t)(buf[2] << 8 | buf[3]);
    out->timestamp = read_be32(buf + 4);
    out->ssrc = read_be32(buf + 8);
    out->payload = buf + header;
    out->payload_len = end - header;
    return ORBIT_OK;
}

void media_rtp_sender_init(media_rtp_sender *tx, uint64_t random_bits)
{
    memset(tx, 0, sizeof *tx);
    tx->ssrc = (uint32_t)random_bits;
    tx->next_seq = (uint16_t)(random_bits >> 32);
    tx->next_timestamp = (uint32_t)(random_bits >> 16) ^ (uint32_t)(random_bits >> 48);
    tx->mark_next = true;
}

void media_rtp_sender_next(media_rtp_sender *tx, uint8_t payload_type, uint32_t samples,
                           media_rtp_packet *pkt)
{
    pkt->marker = tx->mark_next;
    pkt->payload_type = payload_type;
    pkt->seq = tx->next_seq++;
    pkt->timestamp = tx->next_timestamp;
    pkt->ssrc = tx->ssrc;
    tx->next_timestamp += samples;
    tx->mark_next = false;
    tx->sent_any = true;
}
