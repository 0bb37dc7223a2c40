/* media_g711: ITU-T G.711 companding, mu-law (PCMU, RTP payload type 0)
 * and A-law (PCMA, payload type 8), between 16-bit linear PCM and the
 * 8-bit codes phones send. Written here rather than taken from a library
 * because the only Debian packages carrying it (spandsp, baresip's
 * modules) would bring a DSP stack for forty lines of table-free code. */
#ifndef MEDIA_G711_H
#define MEDIA_G711_H

#include <stddef.h>
#include <stdint.h>

/* RTP static payload types of the two codecs (RFC 3551). */
typedef enum { MEDIA_CODEC_PCMU = 0, MEDIA_CODEC_PCMA = 8 } media_codec;

uint8_t media_g711_ulaw_encode(int16_t sample);
int16_t media_g711_ulaw_decode(uint8_t code);
uint8_t media_g711_alaw_encode(int16_t sample);
int16_t media_g711_alaw_decode(uint8_t code);

/* Whole buffers; in and out may not overlap. */
void media_g711_encode(media_codec codec, const int16_t *in, size_t n, uint8_t *out);
void media_g711_decode(media_codec codec, const uint8_t *in, size_t n, int16_t *out);

/* Re-encodes n codes from one law to the other through linear PCM (a
 * bridge between a PCMU phone and a PCMA phone). Same codec: a copy. */
void media_g711_transcode(media_codec from, media_codec to, const uint8_t *in, size_t n,
                          uint8_t *out);

/* "PCMU" or "PCMA"; NULL for anything else. */
const char *media_codec_name(media_codec codec);

#endif
