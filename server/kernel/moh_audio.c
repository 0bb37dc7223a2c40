/* moh_audio: format sniffing and the default music on hold. */
#include "moh_audio.h"

#include <stdlib.h>
#include <string.h>

/* The ASF Header Object GUID {75B22630-668E-11CF-A6D9-00AA0062CE6C} as
 * it appears on disk. */
static const unsigned char ASF_HEADER_GUID[16] = {0x30, 0x26, 0xB2, 0x75, 0x8E, 0x66, 0xCF, 0x11,
                                                  0xA6, 0xD9, 0x00, 0xAA, 0x00, 0x62, 0xCE, 0x6C};

moh_audio_kind moh_audio_detect(const unsigned char *head, size_t len)
{
    if (len >= 12 && memcmp(head, "RIFF", 4) == 0 && memcmp(head + 8, "WAVE", 4) == 0)
        return MOH_AUDIO_WAVE;
    if (len >= 16 && memcmp(head, ASF_HEADER_GUID, 16) == 0)
        return MOH_AUDIO_ASF;
    return MOH_AUDIO_UNKNOWN;
}

const char *moh_audio_extension(moh_audio_kind kind)
{
    switch (kind) {
    case MOH_AUDIO_WAVE:
        return "wav";
    case MOH_AUDIO_ASF:
        return "wma";
    default:
        return "bin";
    }
}

static void put_le16(unsigned char *p, uint16_t v)
{
    p[0] = (unsigned char)(v & 0xff);
    p[1] = (unsigned char)(v >> 8);
}

static void put_le32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

unsigned char *moh_audio_default(size_t *len)
{
    const uint32_t rate = 8000, seconds = 2, samples = rate * seconds;
    const uint32_t data_bytes = samples * 2;
    unsigned char *buf = malloc(44 + data_bytes);
    if (!buf)
        return NULL;
    memcpy(buf, "RIFF", 4);
    put_le32(buf + 4, 36 + data_bytes);
    memcpy(buf + 8, "WAVEfmt ", 8);
    put_le32(buf + 16, 16);       /* fmt chunk size */
    put_le16(buf + 20, 1);        /* PCM */
    put_le16(buf + 22, 1);        /* mono */
    put_le32(buf + 24, rate);     /* sample rate */
    put_le32(buf + 28, rate * 2); /* byte rate */
    put_le16(buf + 32, 2);        /* block align */
    put_le16(buf + 34, 16);       /* bits per sample */
    memcpy(buf + 36, "data", 4);
    put_le32(buf + 40, data_bytes);
    /* Two soft triangle-wave tones with a decay: no libm needed, and the
     * same bytes on every machine so its SHA-256 is stable. */
    for (uint32_t i = 0; i < samples; i++) {
        uint32_t period = i < samples / 2 ? 18 : 24; /* ~444 Hz, then ~333 Hz */
        uint32_t phase = i % period;
        int32_t tri = (int32_t)(phase < period / 2 ? phase : period - phase) * 4 - (int32_t)period;
        uint32_t pos = i % (samples / 2);
        int32_t envelope = (int32_t)((samples / 2 - pos) * 1000 / (samples / 2));
        int32_t v = tri * envelope / (int32_t)period * 3;
        put_le16(buf + 44 + 2 * i, (uint16_t)(int16_t)v);
    }
    *len = 44 + data_bytes;
    return buf;
}
