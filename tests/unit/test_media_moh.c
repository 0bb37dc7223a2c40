/* Music on hold conversion: a known 8 kHz WAV becomes exactly the G.711
 * codes of its samples; a 16 kHz WAV is low-pass filtered before it is
 * halved (tones under 3.4 kHz kept, tones above 4 kHz removed, not folded
 * back); anything else is refused with a reason. */
#include "test_main.h"

#include "media_moh.h"

#include <math.h>
#include <stdlib.h>

/* A RIFF WAVE in memory: header fields as given, then n samples. */
static uint8_t *make_wav(uint16_t format, uint16_t channels, uint32_t rate, uint16_t bits,
                         const int16_t *pcm, size_t n, size_t *len)
{
    size_t data = n * 2;
    *len = 44 + data;
    uint8_t *w = calloc(1, *len);
    assert_non_null(w);
    memcpy(w, "RIFF", 4);
    uint32_t riff = (uint32_t)(*len - 8);
    memcpy(w + 4, &riff, 4); /* the test host is little-endian, like RIFF */
    memcpy(w + 8, "WAVEfmt ", 8);
    uint32_t fmt_len = 16, byte_rate = rate * channels * bits / 8;
    uint16_t align = (uint16_t)(channels * bits / 8);
    memcpy(w + 16, &fmt_len, 4);
    memcpy(w + 20, &format, 2);
    memcpy(w + 22, &channels, 2);
    memcpy(w + 24, &rate, 4);
    memcpy(w + 28, &byte_rate, 4);
    memcpy(w + 32, &align, 2);
    memcpy(w + 34, &bits, 2);
    memcpy(w + 36, "data", 4);
    uint32_t data_len = (uint32_t)data;
    memcpy(w + 40, &data_len, 4);
    if (n)
        memcpy(w + 44, pcm, data);
    return w;
}

static void tone(int16_t *out, size_t n, double hz, double rate, double amplitude)
{
    for (size_t i = 0; i < n; i++)
        out[i] = (int16_t)lround(amplitude * sin(2 * M_PI * hz * (double)i / rate));
}

/* Root mean square of a window away from the filter's edges. */
static double rms(const int16_t *x, size_t from, size_t to)
{
    double sum = 0;
    for (size_t i = from; i < to; i++)
        sum += (double)x[i] * x[i];
    return sqrt(sum / (double)(to - from));
}

static void known_8khz_wav_becomes_its_g711_codes(void **state)
{
    (void)state;
    int16_t pcm[800];
    for (size_t i = 0; i < 800; i++)
        pcm[i] = (int16_t)((int)(i * 97 % 65536) - 32768);
    size_t len;
    uint8_t *wav = make_wav(1, 1, 8000, 16, pcm, 800, &len);
    media_moh *moh = NULL;
    orbit_status st;
    assert_int_equal(media_moh_from_wav(wav, len, &moh, &st), ORBIT_OK);
    assert_int_equal(media_moh_samples(moh), 800);
    assert_memory_equal(media_moh_pcm(moh), pcm, sizeof pcm);
    for (size_t i = 0; i < 800; i++) {
        assert_int_equal(media_moh_codes(moh, MEDIA_CODEC_PCMU)[i], media_g711_ulaw_encode(pcm[i]));
        assert_int_equal(media_moh_codes(moh, MEDIA_CODEC_PCMA)[i], media_g711_alaw_encode(pcm[i]));
    }
    media_moh_unref(media_moh_ref(moh)); /* a second reference keeps it alive */
    assert_int_equal(media_moh_samples(moh), 800);
    media_moh_unref(moh);
    free(wav);
}

static void wav_16khz_passes_speech_band_tone(void **state)
{
    (void)state;
    enum { N = 16000 };
    int16_t *in = malloc(N * sizeof *in), *want = malloc(N / 2 * sizeof *want);
    assert_non_null(in);
    assert_non_null(want);
    tone(in, N, 1000, 16000, 10000);
    tone(want, N / 2, 1000, 8000, 10000);
    size_t len;
    uint8_t *wav = make_wav(1, 1, 16000, 16, in, N, &len);
    media_moh *moh = NULL;
    assert_int_equal(media_moh_from_wav(wav, len, &moh, NULL), ORBIT_OK);
    assert_int_equal(media_moh_samples(moh), N / 2);
    const int16_t *got = media_moh_pcm(moh);
    /* Linear phase with the centre tap on an even input sample: output n
     * is input 2n filtered, so the 1 kHz tone keeps its phase. */
    for (size_t i = 100; i < N / 2 - 100; i++)
        assert_true(abs(got[i] - want[i]) < 150);
    media_moh_unref(moh);
    free(wav);
    free(in);
    free(want);
}

static void decimation_removes_tones_above_4khz(void **state)
{
    (void)state;
    enum { N = 16000 };
    int16_t *in = malloc(N * sizeof *in), *out = malloc(N / 2 * sizeof *out);
    assert_non_null(in);
    assert_non_null(out);
    /* 6 kHz would fold back to 2 kHz if the signal were only halved. */
    tone(in, N, 6000, 16000, 20000);
    media_moh_decimate(in, N, out);
    double in_level = rms(in, 100, N - 100), out_level = rms(out, 100, N / 2 - 100);
    assert_true(20 * log10(out_level / in_level) < -50);
    /* Halving without the filter would have kept it all: the test can fail. */
    for (size_t i = 0; i < N / 2; i++)
        out[i] = in[2 * i];
    assert_true(20 * log10(rms(out, 100, N / 2 - 100) / in_level) > -3);
    free(in);
    free(out);
}

static void unsupported_wavs_are_refused_with_a_reason(void **state)
{
    (void)state;
    int16_t pcm[16] = {0};
    size_t len;
    orbit_status st;
    media_moh *moh = NULL;
    struct {
        uint16_t format, channels, bits;
        uint32_t rate;
        const char *reason;
    } cases[] = {
        {1, 2, 16, 8000, "mono"},
        {1, 1, 16, 44100, "8000 or 16000"},
        {1, 1, 8, 8000, "16-bit"},
        {3, 1, 16, 8000, "16-bit"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint8_t *wav = make_wav(cases[i].format, cases[i].channels, cases[i].rate, cases[i].bits,
                                pcm, 16, &len);
        assert_int_equal(media_moh_from_wav(wav, len, &moh, &st), ORBIT_ERR_UNSUPPORTED_MEDIA);
        assert_null(moh);
        assert_non_null(strstr(st.message, cases[i].reason));
        free(wav);
    }
    const uint8_t junk[] = "RIFF\x04\x00\x00\x00WAVE";
    assert_int_equal(media_moh_from_wav(junk, sizeof junk - 1, &moh, &st),
                     ORBIT_ERR_UNSUPPORTED_MEDIA);
    assert_int_equal(media_moh_from_wav((const uint8_t *)"OggS", 4, &moh, &st),
                     ORBIT_ERR_UNSUPPORTED_MEDIA);
    /* An empty data chunk is no music. */
    uint8_t *wav = make_wav(1, 1, 8000, 16, pcm, 0, &len);
    assert_int_equal(media_moh_from_wav(wav, len, &moh, &st), ORBIT_ERR_UNSUPPORTED_MEDIA);
    free(wav);
}

static void truncated_data_chunk_uses_what_is_there(void **state)
{
    (void)state;
    int16_t pcm[100];
    tone(pcm, 100, 440, 8000, 3000);
    size_t len;
    uint8_t *wav = make_wav(1, 1, 8000, 16, pcm, 100, &len);
    media_moh *moh = NULL;
    /* The header claims 200 bytes; the file stops after 61 samples and a
     * half: whole samples only. */
    assert_int_equal(media_moh_from_wav(wav, 44 + 123, &moh, NULL), ORBIT_OK);
    assert_int_equal(media_moh_samples(moh), 61);
    media_moh_unref(moh);
    free(wav);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(known_8khz_wav_becomes_its_g711_codes),
    cmocka_unit_test(wav_16khz_passes_speech_band_tone),
    cmocka_unit_test(decimation_removes_tones_above_4khz),
    cmocka_unit_test(unsupported_wavs_are_refused_with_a_reason),
    cmocka_unit_test(truncated_data_chunk_uses_what_is_there),
};

ORBIT_TEST_MAIN(tests)
