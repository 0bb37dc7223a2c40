/* media_moh: WAV parsing, 16-to-8 kHz decimation and G.711 encoding of
 * the music on hold, done once per file. */
#include "media_moh.h"

#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

struct media_moh {
    atomic_int refs;
    size_t samples;
    int16_t *pcm;
    uint8_t *ulaw;
    uint8_t *alaw;
};

/* Odd, so the filter is symmetric around one centre tap (linear phase,
 * no fractional delay between the 16 kHz input and the 8 kHz output). */
#define DECIMATE_TAPS      63
#define DECIMATE_CUTOFF_HZ 3600.0
#define DECIMATE_INPUT_HZ  16000.0

static uint32_t read_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t read_le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

/* Blackman-windowed sinc: the window's side lobes (-58 dB) keep what the
 * 8 kHz output would alias well under the G.711 noise floor. */
static void decimate_design(double taps[DECIMATE_TAPS])
{
    const double fc = DECIMATE_CUTOFF_HZ / DECIMATE_INPUT_HZ;
    const int centre = DECIMATE_TAPS / 2;
    double sum = 0;
    for (int k = 0; k < DECIMATE_TAPS; k++) {
        int m = k - centre;
        double sinc = m == 0 ? 2 * fc : sin(2 * M_PI * fc * m) / (M_PI * m);
        double w = 0.42 - 0.5 * cos(2 * M_PI * k / (DECIMATE_TAPS - 1)) +
                   0.08 * cos(4 * M_PI * k / (DECIMATE_TAPS - 1));
        taps[k] = sinc * w;
        sum += taps[k];
    }
    for (int k = 0; k < DECIMATE_TAPS; k++)
        taps[k] /= sum; /* unity gain at DC */
}

void media_moh_decimate(const int16_t *in, size_t n_in, int16_t *out)
{
    double taps[DECIMATE_TAPS];
    decimate_design(taps);
    const long centre = DECIMATE_TAPS / 2;
    for (size_t n = 0; n < n_in / 2; n++) {
        double acc = 0;
        for (long k = 0; k < DECIMATE_TAPS; k++) {
            long i = (long)(2 * n) + centre - k;
            if (i >= 0 && (size_t)i < n_in)
                acc += taps[k] * in[i];
        }
        long rounded = lround(acc);
        out[n] = (int16_t)(rounded > INT16_MAX ? INT16_MAX
                                               : (rounded < INT16_MIN ? INT16_MIN : rounded));
    }
}

orbit_err media_moh_from_pcm(const int16_t *pcm, size_t n, media_moh **out, orbit_status *st)
{
    *out = NULL;
    if (n == 0)
        return orbit_status_set(st, ORBIT_ERR_UNSUPPORTED_MEDIA, "moh", "no audio samples");
    if (n > MEDIA_MOH_MAX_SAMPLES)
        n = MEDIA_MOH_MAX_SAMPLES;
    media_moh *moh = calloc(1, sizeof *moh);
    if (!moh)
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "moh", "out of memory");
    atomic_init(&moh->refs, 1);
    moh->samples = n;
    moh->pcm = malloc(n * sizeof *moh->pcm);
    moh->ulaw = malloc(n);
    moh->alaw = malloc(n);
    if (!moh->pcm || !moh->ulaw || !moh->alaw) {
        media_moh_unref(moh);
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "moh", "out of memory");
    }
    memcpy(moh->pcm, pcm, n * sizeof *pcm);
    media_g711_encode(MEDIA_CODEC_PCMU, pcm, n, moh->ulaw);
    media_g711_encode(MEDIA_CODEC_PCMA, pcm, n, moh->alaw);
    *out = moh;
    return ORBIT_OK;
}

typedef struct {
    uint16_t format;
    uint16_t channels;
    uint32_t rate;
    uint16_t bits;
    const uint8_t *data;
    size_t data_len;
    bool have_fmt;
} wav_info;

/* Walks the RIFF chunks; every length is checked against what is left. */
static orbit_err wav_scan(const uint8_t *p, size_t len, wav_info *info, orbit_status *st)
{
    memset(info, 0, sizeof *info);
    if (len < 12 || memcmp(p, "RIFF", 4) != 0 || memcmp(p + 8, "WAVE", 4) != 0)
        return orbit_status_set(st, ORBIT_ERR_UNSUPPORTED_MEDIA, "moh", "not a RIFF WAVE file");
    size_t at = 12;
    while (len - at >= 8) {
        const uint8_t *chunk = p + at;
        size_t size = read_le32(chunk + 4);
        if (size > len - at - 8)
            size = len - at - 8; /* a truncated last chunk: use what is there */
        if (memcmp(chunk, "fmt ", 4) == 0) {
            if (size < 16)
                return orbit_status_set(st, ORBIT_ERR_UNSUPPORTED_MEDIA, "moh",
                                        "WAVE fmt chunk too short");
            info->format = read_le16(chunk + 8);
            info->channels = read_le16(chunk + 10);
            info->rate = read_le32(chunk + 12);
            info->bits = read_le16(chunk + 22);
            /* WAVE_FORMAT_EXTENSIBLE: the real format is the sub-format GUID's
             * first two bytes. */
            if (info->format == 0xFFFE && size >= 26)
                info->format = read_le16(chunk + 32);
            info->have_fmt = true;
        } else if (memcmp(chunk, "data", 4) == 0 && !info->data) {
            info->data = chunk + 8;
            info->data_len = size;
        }
        at += 8 + size + (size & 1); /* chunks are padded to even sizes */
        if (at > len)
            break;
    }
    if (!info->have_fmt)
        return orbit_status_set(st, ORBIT_ERR_UNSUPPORTED_MEDIA, "moh", "WAVE file without fmt");
    if (!info->data)
        return orbit_status_set(st, ORBIT_ERR_UNSUPPORTED_MEDIA, "moh", "WAVE file without data");
    return ORBIT_OK;
}

orbit_err media_moh_from_wav(const uint8_t *data, size_t len, media_moh **out, orbit_status *st)
{
    *out = NULL;
    wav_info info;
    orbit_err err = wav_scan(data, len, &info, st);
    if (err)
        return err;
    if (info.format != 1 || info.bits != 16)
        return orbit_status_set(st, ORBIT_ERR_UNSUPPORTED_MEDIA, "moh",
                                "WAVE format %u with %u bits: only 16-bit PCM is played",
                                info.format, info.bits);
    if (info.channels != 1)
        return orbit_status_set(st, ORBIT_ERR_UNSUPPORTED_MEDIA, "moh",
                                "%u channels: music on hold must be mono", info.channels);
    if (info.rate != 8000 && info.rate != 16000)
        return orbit_status_set(st, ORBIT_ERR_UNSUPPORTED_MEDIA, "moh",
                                "%u Hz: music on hold must be 8000 or 16000 Hz", info.rate);
    size_t n = info.data_len / 2;
    size_t limit = info.rate == 16000 ? 2 * (size_t)MEDIA_MOH_MAX_SAMPLES : MEDIA_MOH_MAX_SAMPLES;
    if (n > limit)
        n = limit;
    int16_t *pcm = malloc((n ? n : 1) * sizeof *pcm);
    if (!pcm)
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "moh", "out of memory");
    for (size_t i = 0; i < n; i++)
        pcm[i] = (int16_t)read_le16(info.data + 2 * i);
    if (info.rate == 16000) {
        int16_t *half = malloc((n / 2 ? n / 2 : 1) * sizeof *half);
        if (!half) {
            free(pcm);
            return orbit_status_set(st, ORBIT_ERR_INTERNAL, "moh", "out of memory");
        }
        media_moh_decimate(pcm, n, half);
        free(pcm);
        pcm = half;
        n /= 2;
    }
    err = media_moh_from_pcm(pcm, n, out, st);
    free(pcm);
    return err;
}

media_moh *media_moh_ref(media_moh *moh)
{
    if (moh)
        atomic_fetch_add(&moh->refs, 1);
    return moh;
}

void media_moh_unref(media_moh *moh)
{
    if (!moh || atomic_fetch_sub(&moh->refs, 1) != 1)
        return;
    free(moh->pcm);
    free(moh->ulaw);
    free(moh->alaw);
    free(moh);
}

size_t media_moh_samples(const media_moh *moh)
{
    return moh->samples;
}

const int16_t *media_moh_pcm(const media_moh *moh)
{
    return moh->pcm;
}

const uint8_t *media_moh_codes(const media_moh *moh, media_codec codec)
{
    return codec == MEDIA_CODEC_PCMA ? moh->alaw : moh->ulaw;
}
