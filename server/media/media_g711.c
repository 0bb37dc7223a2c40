/* media_g711: G.711 companding by the segment arithmetic of the standard
 * (no lookup tables, so every code path is exercised by the unit tests
 * that sweep all 65,536 samples and all 256 codes). */
#include "media_g711.h"

#include <string.h>

/* mu-law works on the magnitude plus this bias so every segment starts at
 * a power of two; samples above the clip level would overflow the bias. */
#define ULAW_BIAS 0x84
#define ULAW_CLIP 32635

uint8_t media_g711_ulaw_encode(int16_t sample)
{
    int value = sample;
    uint8_t sign = 0;
    if (value < 0) {
        sign = 0x80;
        value = -value;
    }
    if (value > ULAW_CLIP)
        value = ULAW_CLIP;
    value += ULAW_BIAS;
    int exponent = 7;
    for (int mask = 0x4000; !(value & mask) && exponent > 0; mask >>= 1)
        exponent--;
    int mantissa = (value >> (exponent + 3)) & 0x0F;
    return (uint8_t) ~(sign | (exponent << 4) | mantissa);
}

int16_t media_g711_ulaw_decode(uint8_t code)
{
    code = (uint8_t)~code;
    int exponent = (code >> 4) & 0x07;
    int mantissa = code & 0x0F;
    int magnitude = (((mantissa << 3) + ULAW_BIAS) << exponent) - ULAW_BIAS;
    return (int16_t)((code & 0x80) ? -magnitude : magnitude);
}

/* A-law segments end at these 13-bit magnitudes. */
static const int ALAW_SEGMENT_END[8] = {0x1F, 0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF};

uint8_t media_g711_alaw_encode(int16_t sample)
{
    int value = sample >> 3; /* A-law quantises 13 bits */
    uint8_t mask;
    if (value >= 0) {
        mask = 0xD5; /* sign bit set, even bits inverted */
    } else {
        mask = 0x55;
        value = -value - 1;
    }
    int segment = 0;
    while (segment < 8 && value > ALAW_SEGMENT_END[segment])
        segment++;
    if (segment >= 8)
        return (uint8_t)(0x7F ^ mask);
    int code = segment << 4;
    code |= (segment < 2 ? value >> 1 : value >> segment) & 0x0F;
    return (uint8_t)(code ^ mask);
}

int16_t media_g711_alaw_decode(uint8_t code)
{
    code ^= 0x55;
    int magnitude = (code & 0x0F) << 4;
    int segment = (code & 0x70) >> 4;
    if (segment == 0) {
        magnitude += 8;
    } else {
        magnitude += 0x108;
        magnitude <<= segment - 1;
    }
    return (int16_t)((code & 0x80) ? magnitude : -magnitude);
}

void media_g711_encode(media_codec codec, const int16_t *in, size_t n, uint8_t *out)
{
    for (size_t i = 0; i < n; i++)
        out[i] = codec == MEDIA_CODEC_PCMA ? media_g711_alaw_encode(in[i])
                                           : media_g711_ulaw_encode(in[i]);
}

void media_g711_decode(media_codec codec, const uint8_t *in, size_t n, int16_t *out)
{
    for (size_t i = 0; i < n; i++)
        out[i] = codec == MEDIA_CODEC_PCMA ? media_g711_alaw_decode(in[i])
                                           : media_g711_ulaw_decode(in[i]);
}

void media_g711_transcode(media_codec from, media_codec to, const uint8_t *in, size_t n,
                          uint8_t *out)
{
    if (from == to) {
        memcpy(out, in, n);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        int16_t linear = from == MEDIA_CODEC_PCMA ? media_g711_alaw_decode(in[i])
                                                  : media_g711_ulaw_decode(in[i]);
        out[i] = to == MEDIA_CODEC_PCMA ? media_g711_alaw_encode(linear)
                                        : media_g711_ulaw_encode(linear);
    }
}

const char *media_codec_name(media_codec codec)
{
    switch (codec) {
    case MEDIA_CODEC_PCMU:
        return "PCMU";
    case MEDIA_CODEC_PCMA:
        return "PCMA";
    }
    return NULL;
}
