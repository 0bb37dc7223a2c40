/* moh_audio: format sniffing and the default music on hold. */
#include "moh_audio.h"

#include <stdbool.h>
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

static uint16_t le16(const unsigned char *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const unsigned char *p)
{
    return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

static moh_audio_kind refuse(const char **why, const char *reason)
{
    if (why)
        *why = reason;
    return MOH_AUDIO_UNKNOWN;
}

/* WAVE format tags (mmreg.h) a player of music on hold can decode. */
enum {
    WAVE_PCM = 0x0001,
    WAVE_MS_ADPCM = 0x0002,
    WAVE_IEEE_FLOAT = 0x0003,
    WAVE_ALAW = 0x0006,
    WAVE_MULAW = 0x0007,
    WAVE_IMA_ADPCM = 0x0011,
    WAVE_GSM610 = 0x0031,
    WAVE_MPEGLAYER3 = 0x0055,
    WAVE_WMAUDIO2 = 0x0161,
    WAVE_WMAUDIO3 = 0x0162,
    WAVE_WMAUDIO_LOSSLESS = 0x0163,
    WAVE_EXTENSIBLE = 0xFFFE,
};

/* The tail shared by every KSDATAFORMAT_SUBTYPE GUID of an extensible
 * fmt chunk; its first two bytes are the plain format tag. */
static const unsigned char KS_SUBTYPE_TAIL[14] = {0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80,
                                                  0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71};

static bool wave_tag_known(uint16_t tag)
{
    switch (tag) {
    case WAVE_PCM:
    case WAVE_MS_ADPCM:
    case WAVE_IEEE_FLOAT:
    case WAVE_ALAW:
    case WAVE_MULAW:
    case WAVE_IMA_ADPCM:
    case WAVE_GSM610:
    case WAVE_MPEGLAYER3:
    case WAVE_WMAUDIO2:
    case WAVE_WMAUDIO3:
    case WAVE_WMAUDIO_LOSSLESS:
        return true;
    default:
        return false;
    }
}

/* Checks a fmt chunk body; returns its block alignment, 0 if invalid. */
static uint16_t wave_fmt_check(const unsigned char *f, uint32_t size, const char **why)
{
    if (size < 16) {
        refuse(why, "the WAVE fmt chunk is too short");
        return 0;
    }
    uint16_t tag = le16(f), channels = le16(f + 2), align = le16(f + 12), bits = le16(f + 14);
    uint32_t rate = le32(f + 4), byte_rate = le32(f + 8);
    if (tag == WAVE_EXTENSIBLE) {
        if (size < 40 || le16(f + 16) < 22 || memcmp(f + 26, KS_SUBTYPE_TAIL, 14) != 0) {
            refuse(why, "the WAVE extensible fmt chunk is malformed");
            return 0;
        }
        tag = le16(f + 24);
    }
    if (!wave_tag_known(tag)) {
        refuse(why, "the WAVE codec is neither PCM nor one we know");
        return 0;
    }
    if (channels < 1 || channels > 8 || rate < 1000 || rate > 384000 || align == 0 ||
        byte_rate == 0) {
        refuse(why, "the WAVE fmt chunk has impossible channels, rates or alignment");
        return 0;
    }
    bool linear =
        tag == WAVE_PCM || tag == WAVE_IEEE_FLOAT || tag == WAVE_ALAW || tag == WAVE_MULAW;
    if (linear) {
        bool bits_ok = tag == WAVE_PCM ? (bits == 8 || bits == 16 || bits == 24 || bits == 32)
                       : tag == WAVE_IEEE_FLOAT ? (bits == 32 || bits == 64)
                                                : bits == 8;
        if (!bits_ok || align != channels * (bits / 8) || byte_rate != (uint64_t)rate * align) {
            refuse(why, "the WAVE fmt chunk's sample size, alignment and byte rate disagree");
            return 0;
        }
    }
    return align;
}

static moh_audio_kind wave_check(const unsigned char *file, size_t len, const char **why)
{
    uint32_t riff_size = le32(file + 4);
    if (riff_size < 4)
        return refuse(why, "the RIFF size is too small");
    /* Chunks are read up to the end of the RIFF or of the file, whichever
     * comes first: a writer that streamed the file may leave a RIFF size
     * larger than what it wrote. */
    size_t end = (uint64_t)riff_size + 8 < len ? (size_t)riff_size + 8 : len;
    size_t off = 12;
    uint16_t align = 0;
    while (end - off >= 8) {
        const unsigned char *chunk = file + off;
        uint32_t size = le32(chunk + 4);
        size_t room = end - off - 8;
        if (memcmp(chunk, "fmt ", 4) == 0) {
            if (align)
                return refuse(why, "the WAVE file has two fmt chunks");
            if (size > room)
                return refuse(why, "the WAVE fmt chunk runs past the end of the file");
            align = wave_fmt_check(chunk + 8, size, why);
            if (!align)
                return MOH_AUDIO_UNKNOWN;
        } else if (memcmp(chunk, "data", 4) == 0) {
            if (!align)
                return refuse(why, "the WAVE data chunk comes before any fmt chunk");
            /* The data chunk may be cut short like the RIFF size above. */
            size_t have = size < room ? size : room;
            if (have < align)
                return refuse(why, "the WAVE data chunk holds no sound");
            return MOH_AUDIO_WAVE;
        } else if (size > room) {
            return refuse(why, "a WAVE chunk runs past the end of the file");
        }
        size_t next = (size_t)size + (size & 1u);
        if (next >= room)
            break;
        off += 8 + next;
    }
    return refuse(why,
                  align ? "the WAVE file has no data chunk" : "the WAVE file has no fmt chunk");
}

static const unsigned char ASF_FILE_PROPERTIES_GUID[16] = {
    0xA1, 0xDC, 0xAB, 0x8C, 0x47, 0xA9, 0xCF, 0x11, 0x8E, 0xE4, 0x00, 0xC0, 0x0C, 0x20, 0x53, 0x65};
static const unsigned char ASF_STREAM_PROPERTIES_GUID[16] = {
    0x91, 0x07, 0xDC, 0xB7, 0xB7, 0xA9, 0xCF, 0x11, 0x8E, 0xE6, 0x00, 0xC0, 0x0C, 0x20, 0x53, 0x65};

/* The header object: GUID, 64-bit size, object count, reserved 1 and 2. */
#define ASF_HEADER_FIXED 30
#define ASF_OBJECT_FIXED 24

static moh_audio_kind asf_check(const unsigned char *file, size_t len, const char **why)
{
    if (len < ASF_HEADER_FIXED)
        return refuse(why, "the ASF header object is truncated");
    uint64_t header_size = le64(file + 16);
    uint32_t count = le32(file + 24);
    if (file[28] != 0x01 || file[29] != 0x02)
        return refuse(why, "the ASF header object's reserved bytes are wrong");
    if (header_size < ASF_HEADER_FIXED || header_size > len)
        return refuse(why, "the ASF header object's size does not fit the file");
    bool file_props = false, stream_props = false;
    uint64_t off = ASF_HEADER_FIXED;
    uint32_t seen = 0;
    while (off < header_size) {
        if (header_size - off < ASF_OBJECT_FIXED)
            return refuse(why, "an ASF header object is truncated");
        const unsigned char *obj = file + off;
        uint64_t size = le64(obj + 16);
        if (size < ASF_OBJECT_FIXED || size > header_size - off)
            return refuse(why, "an ASF header object's size does not fit the header");
        file_props = file_props || memcmp(obj, ASF_FILE_PROPERTIES_GUID, 16) == 0;
        stream_props = stream_props || memcmp(obj, ASF_STREAM_PROPERTIES_GUID, 16) == 0;
        seen++;
        off += size;
    }
    if (seen != count)
        return refuse(why, "the ASF header object's count does not match its objects");
    if (!file_props || !stream_props)
        return refuse(why, "the ASF header lacks its File or Stream Properties object");
    return MOH_AUDIO_ASF;
}

moh_audio_kind moh_audio_check(const unsigned char *file, size_t len, const char **why)
{
    switch (moh_audio_detect(file, len)) {
    case MOH_AUDIO_WAVE:
        return wave_check(file, len, why);
    case MOH_AUDIO_ASF:
        return asf_check(file, len, why);
    default:
        return refuse(why, "not a WMA/ASF or RIFF WAVE file");
    }
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
