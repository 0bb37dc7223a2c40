/* Music on hold: what makes a whole file a WAVE or an ASF a pool accepts,
 * and the upload's header checks. */
#include "test_main.h"

#include "moh_audio.h"
#include "pool_local.h"

#include <stdlib.h>

/* A file under construction, little-endian as RIFF and ASF are. */
typedef struct {
    unsigned char b[512];
    size_t n;
} blob;

static void put(blob *f, const void *p, size_t n)
{
    assert_true(f->n + n <= sizeof f->b);
    memcpy(f->b + f->n, p, n);
    f->n += n;
}

static void put16(blob *f, unsigned v)
{
    unsigned char p[2] = {(unsigned char)v, (unsigned char)(v >> 8)};
    put(f, p, 2);
}

static void put32(blob *f, uint32_t v)
{
    unsigned char p[4] = {(unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16),
                          (unsigned char)(v >> 24)};
    put(f, p, 4);
}

static void put64(blob *f, uint64_t v)
{
    put32(f, (uint32_t)v);
    put32(f, (uint32_t)(v >> 32));
}

static void riff_header(blob *f)
{
    put(f, "RIFF", 4);
    put32(f, 0); /* patched by riff_close */
    put(f, "WAVE", 4);
}

static void riff_close(blob *f)
{
    uint32_t size = (uint32_t)(f->n - 8);
    memcpy(f->b + 4,
           (unsigned char[4]){(unsigned char)size, (unsigned char)(size >> 8),
                              (unsigned char)(size >> 16), (unsigned char)(size >> 24)},
           4);
}

static void fmt_chunk(blob *f, unsigned tag, unsigned channels, uint32_t rate, unsigned bits)
{
    unsigned align = channels * bits / 8;
    put(f, "fmt ", 4);
    put32(f, 16);
    put16(f, tag);
    put16(f, channels);
    put32(f, rate);
    put32(f, rate * (align ? align : 1));
    put16(f, align ? align : 1);
    put16(f, bits);
}

static void data_chunk(blob *f, uint32_t bytes)
{
    put(f, "data", 4);
    put32(f, bytes);
    for (uint32_t i = 0; i < bytes; i++)
        put(f, &(unsigned char){(unsigned char)i}, 1);
}

static blob pcm_wave(void)
{
    blob f = {.n = 0};
    riff_header(&f);
    fmt_chunk(&f, 1, 1, 8000, 16);
    data_chunk(&f, 64);
    riff_close(&f);
    return f;
}

static moh_audio_kind check(const blob *f, const char **why)
{
    *why = NULL;
    moh_audio_kind k = moh_audio_check(f->b, f->n, why);
    assert_true(k != MOH_AUDIO_UNKNOWN || *why != NULL);
    return k;
}

static void the_default_moh_is_a_valid_wave(void **state)
{
    (void)state;
    size_t len;
    unsigned char *wav = moh_audio_default(&len);
    assert_non_null(wav);
    const char *why = NULL;
    assert_int_equal(moh_audio_check(wav, len, &why), MOH_AUDIO_WAVE);
    free(wav);
}

static void a_pcm_wave_with_fmt_and_data_is_accepted(void **state)
{
    (void)state;
    blob f = pcm_wave();
    const char *why;
    assert_int_equal(check(&f, &why), MOH_AUDIO_WAVE);
}

static void a_12_byte_riff_wave_header_is_refused(void **state)
{
    (void)state;
    blob f = {.n = 0};
    riff_header(&f);
    riff_close(&f);
    const char *why;
    assert_int_equal(f.n, 12);
    assert_int_equal(check(&f, &why), MOH_AUDIO_UNKNOWN);
    assert_non_null(strstr(why, "fmt"));
    /* It still looks like a WAVE to the early sniff: only the whole file tells. */
    assert_int_equal(moh_audio_detect(f.b, f.n), MOH_AUDIO_WAVE);
}

static void a_wave_without_data_is_refused(void **state)
{
    (void)state;
    blob f = {.n = 0};
    riff_header(&f);
    fmt_chunk(&f, 1, 1, 8000, 16);
    riff_close(&f);
    const char *why;
    assert_int_equal(check(&f, &why), MOH_AUDIO_UNKNOWN);
    assert_non_null(strstr(why, "data"));
}

static void a_wave_with_an_empty_data_chunk_is_refused(void **state)
{
    (void)state;
    blob f = {.n = 0};
    riff_header(&f);
    fmt_chunk(&f, 1, 1, 8000, 16);
    data_chunk(&f, 0);
    riff_close(&f);
    const char *why;
    assert_int_equal(check(&f, &why), MOH_AUDIO_UNKNOWN);
}

static void data_before_fmt_is_refused(void **state)
{
    (void)state;
    blob f = {.n = 0};
    riff_header(&f);
    data_chunk(&f, 16);
    fmt_chunk(&f, 1, 1, 8000, 16);
    riff_close(&f);
    const char *why;
    assert_int_equal(check(&f, &why), MOH_AUDIO_UNKNOWN);
    assert_non_null(strstr(why, "before"));
}

static void an_unknown_codec_is_refused(void **state)
{
    (void)state;
    blob f = {.n = 0};
    riff_header(&f);
    fmt_chunk(&f, 0x1234, 1, 8000, 16);
    data_chunk(&f, 16);
    riff_close(&f);
    const char *why;
    assert_int_equal(check(&f, &why), MOH_AUDIO_UNKNOWN);
    assert_non_null(strstr(why, "codec"));
}

static void known_codecs_are_accepted(void **state)
{
    (void)state;
    static const struct {
        unsigned tag, bits;
    } rows[] = {{0x0001, 8}, {0x0001, 24}, {0x0003, 32}, {0x0006, 8}, {0x0007, 8},
                {0x0002, 4}, {0x0011, 4},  {0x0031, 0},  {0x0055, 0}, {0x0161, 16}};
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        blob f = {.n = 0};
        riff_header(&f);
        fmt_chunk(&f, rows[i].tag, 1, 8000, rows[i].bits);
        data_chunk(&f, 64);
        riff_close(&f);
        const char *why;
        if (check(&f, &why) != MOH_AUDIO_WAVE)
            fail_msg("tag 0x%04x bits %u refused: %s", rows[i].tag, rows[i].bits, why);
    }
}

static void pcm_with_inconsistent_rates_is_refused(void **state)
{
    (void)state;
    blob f = pcm_wave();
    /* byte rate at offset 28: say 8000 instead of 16000 */
    f.b[28] = 0x40;
    f.b[29] = 0x1f;
    const char *why;
    assert_int_equal(check(&f, &why), MOH_AUDIO_UNKNOWN);
    f = pcm_wave();
    f.b[22] = 0; /* no channels */
    assert_int_equal(check(&f, &why), MOH_AUDIO_UNKNOWN);
    f = pcm_wave();
    f.b[34] = 12; /* 12 bits per sample */
    assert_int_equal(check(&f, &why), MOH_AUDIO_UNKNOWN);
}

static void chunks_before_fmt_are_skipped_with_their_padding(void **state)
{
    (void)state;
    blob f = {.n = 0};
    riff_header(&f);
    put(&f, "LIST", 4);
    put32(&f, 5);
    put(&f, "INFOx\0", 6); /* 5 bytes and a pad byte */
    fmt_chunk(&f, 1, 2, 44100, 16);
    data_chunk(&f, 40);
    riff_close(&f);
    const char *why;
    assert_int_equal(check(&f, &why), MOH_AUDIO_WAVE);
}

static void chunks_past_the_end_are_refused(void **state)
{
    (void)state;
    blob f = {.n = 0};
    riff_header(&f);
    put(&f, "LIST", 4);
    put32(&f, 0xfffffff0u);
    put(&f, "xxxx", 4);
    riff_close(&f);
    const char *why;
    assert_int_equal(check(&f, &why), MOH_AUDIO_UNKNOWN);
    assert_non_null(strstr(why, "past the end"));
    f = pcm_wave();
    f.n = 30; /* cut inside the fmt chunk */
    assert_int_equal(check(&f, &why), MOH_AUDIO_UNKNOWN);
}

static void a_data_chunk_cut_short_still_plays(void **state)
{
    (void)state;
    /* Writers that stream leave the sizes of the whole recording. */
    blob f = pcm_wave();
    f.n -= 10;
    const char *why;
    assert_int_equal(check(&f, &why), MOH_AUDIO_WAVE);
}

static void an_extensible_pcm_wave_is_accepted(void **state)
{
    (void)state;
    blob f = {.n = 0};
    riff_header(&f);
    put(&f, "fmt ", 4);
    put32(&f, 40);
    put16(&f, 0xfffe);
    put16(&f, 2);
    put32(&f, 48000);
    put32(&f, 48000 * 4);
    put16(&f, 4);
    put16(&f, 16);
    put16(&f, 22);     /* cbSize */
    put16(&f, 16);     /* valid bits */
    put32(&f, 3);      /* channel mask */
    put16(&f, 0x0001); /* KSDATAFORMAT_SUBTYPE_PCM */
    put(&f, "\x00\x00\x00\x00\x10\x00\x80\x00\x00\xaa\x00\x38\x9b\x71", 14);
    data_chunk(&f, 32);
    riff_close(&f);
    const char *why;
    assert_int_equal(check(&f, &why), MOH_AUDIO_WAVE);
    f.b[12 + 8 + 26] ^= 0xff; /* a foreign subtype GUID */
    assert_int_equal(check(&f, &why), MOH_AUDIO_UNKNOWN);
}

static const unsigned char ASF_HEADER[16] = {0x30, 0x26, 0xB2, 0x75, 0x8E, 0x66, 0xCF, 0x11,
                                             0xA6, 0xD9, 0x00, 0xAA, 0x00, 0x62, 0xCE, 0x6C};
static const unsigned char ASF_FILE_PROPS[16] = {0xA1, 0xDC, 0xAB, 0x8C, 0x47, 0xA9, 0xCF, 0x11,
                                                 0x8E, 0xE4, 0x00, 0xC0, 0x0C, 0x20, 0x53, 0x65};
static const unsigned char ASF_STREAM_PROPS[16] = {0x91, 0x07, 0xDC, 0xB7, 0xB7, 0xA9, 0xCF, 0x11,
                                                   0x8E, 0xE6, 0x00, 0xC0, 0x0C, 0x20, 0x53, 0x65};

/* A header object holding a File Properties and a Stream Properties
 * object of the given body sizes, then some packet bytes. */
static blob asf_file(uint32_t count)
{
    blob f = {.n = 0};
    put(&f, ASF_HEADER, 16);
    put64(&f, 30 + 24 + 80 + 24 + 40);
    put32(&f, count);
    put(&f, "\x01\x02", 2);
    put(&f, ASF_FILE_PROPS, 16);
    put64(&f, 24 + 80);
    for (int i = 0; i < 80; i++)
        put(&f, "\0", 1);
    put(&f, ASF_STREAM_PROPS, 16);
    put64(&f, 24 + 40);
    for (int i = 0; i < 40; i++)
        put(&f, "\0", 1);
    for (int i = 0; i < 50; i++)
        put(&f, "\x5a", 1);
    return f;
}

static void an_asf_with_its_header_object_is_accepted(void **state)
{
    (void)state;
    blob f = asf_file(2);
    const char *why;
    assert_int_equal(check(&f, &why), MOH_AUDIO_ASF);
}

static void an_asf_guid_alone_is_refused(void **state)
{
    (void)state;
    blob f = {.n = 0};
    put(&f, ASF_HEADER, 16);
    for (int i = 0; i < 200; i++)
        put(&f, &(unsigned char){(unsigned char)i}, 1);
    const char *why;
    assert_int_equal(check(&f, &why), MOH_AUDIO_UNKNOWN);
}

static void an_asf_header_that_does_not_add_up_is_refused(void **state)
{
    (void)state;
    const char *why;
    blob f = asf_file(3); /* claims three objects */
    assert_int_equal(check(&f, &why), MOH_AUDIO_UNKNOWN);
    assert_non_null(strstr(why, "count"));
    f = asf_file(2);
    f.b[16] = 0xff; /* header larger than the file */
    f.b[17] = 0xff;
    assert_int_equal(check(&f, &why), MOH_AUDIO_UNKNOWN);
    f = asf_file(2);
    f.b[30 + 16] = 200; /* File Properties runs past the header */
    assert_int_equal(check(&f, &why), MOH_AUDIO_UNKNOWN);
    f = asf_file(2);
    f.b[30 + 24 + 80] ^= 0xff; /* no Stream Properties */
    assert_int_equal(check(&f, &why), MOH_AUDIO_UNKNOWN);
    assert_non_null(strstr(why, "Properties"));
    f = asf_file(2);
    f.n = 29;
    assert_int_equal(check(&f, &why), MOH_AUDIO_UNKNOWN);
}

static void upload_headers_follow_the_name_rule(void **state)
{
    (void)state;
    char sha[65], expected[ORBIT_SHA256_HEX + 1];
    memset(sha, 'A', 64);
    sha[64] = '\0';
    orbit_status st;
    assert_int_equal(moh_upload_check_headers("Lobby Hold.wav", sha, expected, &st), ORBIT_OK);
    assert_int_equal(expected[0], 'a');
    assert_int_equal(expected[64], '\0');
    static const char *const bad_names[] = {
        "", "a/b.wav", "x\xe9.wav", "x\xc2\x85.wav", "x\xe2\x80\xae.wav", "x\x1b.wav"};
    for (size_t i = 0; i < sizeof bad_names / sizeof bad_names[0]; i++) {
        assert_int_equal(moh_upload_check_headers(bad_names[i], sha, expected, &st),
                         ORBIT_ERR_BAD_REQUEST);
        assert_string_equal(st.field, "X-Orbit-Filename");
    }
    sha[10] = 'g';
    assert_int_equal(moh_upload_check_headers("a.wav", sha, expected, &st), ORBIT_ERR_BAD_REQUEST);
    assert_string_equal(st.field, "X-Orbit-Sha256");
    assert_int_equal(moh_upload_check_headers("a.wav", "abc", expected, &st),
                     ORBIT_ERR_BAD_REQUEST);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(the_default_moh_is_a_valid_wave),
    cmocka_unit_test(a_pcm_wave_with_fmt_and_data_is_accepted),
    cmocka_unit_test(a_12_byte_riff_wave_header_is_refused),
    cmocka_unit_test(a_wave_without_data_is_refused),
    cmocka_unit_test(a_wave_with_an_empty_data_chunk_is_refused),
    cmocka_unit_test(data_before_fmt_is_refused),
    cmocka_unit_test(an_unknown_codec_is_refused),
    cmocka_unit_test(known_codecs_are_accepted),
    cmocka_unit_test(pcm_with_inconsistent_rates_is_refused),
    cmocka_unit_test(chunks_before_fmt_are_skipped_with_their_padding),
    cmocka_unit_test(chunks_past_the_end_are_refused),
    cmocka_unit_test(a_data_chunk_cut_short_still_plays),
    cmocka_unit_test(an_extensible_pcm_wave_is_accepted),
    cmocka_unit_test(an_asf_with_its_header_object_is_accepted),
    cmocka_unit_test(an_asf_guid_alone_is_refused),
    cmocka_unit_test(an_asf_header_that_does_not_add_up_is_refused),
    cmocka_unit_test(upload_headers_follow_the_name_rule),
};

ORBIT_TEST_MAIN(tests)
