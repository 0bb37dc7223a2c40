/* media_rtp: RTP fixed headers (RFC 3550 section 5.1) encoded and
 * decoded, and the sender state that keeps a stream's sequence number
 * and timestamp steady across silence, music on hold and relaying. */
#ifndef MEDIA_RTP_H
#define MEDIA_RTP_H

#include "orbit_error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MEDIA_RTP_HEADER_BYTES 12
/* 20 ms of 8 kHz G.711: one byte per sample. */
#define MEDIA_RTP_FRAME_MS      20
#define MEDIA_RTP_FRAME_SAMPLES 160
/* Larger datagrams are not audio a phone sends: dropped and counted. */
#define MEDIA_RTP_MAX_PACKET 1500

typedef struct {
    bool marker;
    uint8_t payload_type;
    uint16_t seq;
    uint32_t timestamp;
    uint32_t ssrc;
    const uint8_t *payload; /* borrowed: points into the decoded buffer */
    size_t payload_len;
} media_rtp_packet;

/* Writes header and payload into buf; returns the packet length, or 0
 * when cap is too small. No CSRCs, no extension, no padding. */
size_t media_rtp_encode(const media_rtp_packet *pkt, uint8_t *buf, size_t cap);

/* Parses a datagram; refuses (bad_request) a version other than 2, a
 * header, CSRC list, extension or padding longer than the datagram. The
 * payload points into buf. */
orbit_err media_rtp_decode(const uint8_t *buf, size_t len, media_rtp_packet *out, orbit_status *st);

/* One outgoing stream's state: a random SSRC, sequence and timestamp
 * origin (RFC 3550 5.1), then +1 and +samples per packet. */
typedef struct {
    uint32_t ssrc;
    uint16_t next_seq;
    uint32_t next_timestamp;
    bool sent_any;
    bool mark_next; /* marker bit on the next packet (talk spurt start) */
} media_rtp_sender;

void media_rtp_sender_init(media_rtp_sender *tx, uint64_t random_bits);

/* Fills pkt's header fields for a packet of `samples` samples and
 * advances the state. */
void media_rtp_sender_next(media_rtp_sender *tx, uint8_t payload_type, uint32_t samples,
                           media_rtp_packet *pkt);

#endif
