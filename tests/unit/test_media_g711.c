/* G.711: every sample survives encode then decode within half a
 * quantisation step of its segment, every code survives decode then
 * encode, and the transcoder agrees with going through linear PCM. */
#include "test_main.h"

#include "media_g711.h"

#include <stdlib.h>

/* mu-law's step in a segment is 8 << exponent, the segment holding
 * |x| + 132 in [128 << e, 256 << e): half a step is at most (|x|+132)/32. */
static void ulaw_round_trip_within_half_a_step(void **state)
{
    (void)state;
    for (int x = INT16_MIN; x <= INT16_MAX; x++) {
        int y = media_g711_ulaw_decode(media_g711_ulaw_encode((int16_t)x));
        int magnitude = abs(x) > 32635 ? 32635 : abs(x);
        int allowed = (magnitude + 132) / 32 + 1 + (abs(x) - magnitude);
        if (abs(y - x) > allowed)
            fail_msg("ulaw %d -> %d (allowed %d)", x, y, allowed);
    }
}

/* A-law: step 16 in the first two segments, then doubling: at most
 * |x|/32 + 8, plus the 13-bit truncation of the input. */
static void alaw_round_trip_within_half_a_step(void **state)
{
    (void)state;
    for (int x = INT16_MIN; x <= INT16_MAX; x++) {
        int y = media_g711_alaw_decode(media_g711_alaw_encode((int16_t)x));
        int allowed = abs(x) / 32 + 16;
        if (abs(y - x) > allowed)
            fail_msg("alaw %d -> %d (allowed %d)", x, y, allowed);
    }
}

static void every_code_survives_decode_then_encode(void **state)
{
    (void)state;
    for (int c = 0; c < 256; c++) {
        /* 0x7F is mu-law's negative zero: it decodes to 0, which encodes
         * as positive zero 0xFF. */
        if (c != 0x7F)
            assert_int_equal(media_g711_ulaw_encode(media_g711_ulaw_decode((uint8_t)c)), c);
        assert_int_equal(media_g711_alaw_encode(media_g711_alaw_decode((uint8_t)c)), c);
    }
}

static void known_codes_match_the_standard(void **state)
{
    (void)state;
    /* Silence and full scale as every G.711 implementation writes them. */
    assert_int_equal(media_g711_ulaw_encode(0), 0xFF);
    assert_int_equal(media_g711_alaw_encode(0), 0xD5);
    assert_int_equal(media_g711_ulaw_encode(INT16_MAX), 0x80);
    assert_int_equal(media_g711_ulaw_encode(INT16_MIN), 0x00);
    assert_int_equal(media_g711_alaw_encode(INT16_MAX), 0xAA);
    assert_int_equal(media_g711_alaw_encode(INT16_MIN), 0x2A);
    assert_int_equal(media_g711_ulaw_decode(0x80), 32124);
    assert_int_equal(media_g711_alaw_decode(0xAA), 32256);
}

static void encoding_is_monotonic(void **state)
{
    (void)state;
    int prev_u = INT16_MIN, prev_a = INT16_MIN;
    for (int x = INT16_MIN; x <= INT16_MAX; x += 7) {
        int u = media_g711_ulaw_decode(media_g711_ulaw_encode((int16_t)x));
        int a = media_g711_alaw_decode(media_g711_alaw_encode((int16_t)x));
        assert_true(u >= prev_u);
        assert_true(a >= prev_a);
        prev_u = u;
        prev_a = a;
    }
}

static void transcode_goes_through_linear(void **state)
{
    (void)state;
    uint8_t in[256], out[256];
    for (int c = 0; c < 256; c++)
        in[c] = (uint8_t)c;
    media_g711_transcode(MEDIA_CODEC_PCMU, MEDIA_CODEC_PCMA, in, 256, out);
    for (int c = 0; c < 256; c++)
        assert_int_equal(out[c], media_g711_alaw_encode(media_g711_ulaw_decode((uint8_t)c)));
    media_g711_transcode(MEDIA_CODEC_PCMA, MEDIA_CODEC_PCMA, in, 256, out);
    assert_memory_equal(in, out, 256);
    assert_string_equal(media_codec_name(MEDIA_CODEC_PCMU), "PCMU");
    assert_string_equal(media_codec_name(MEDIA_CODEC_PCMA), "PCMA");
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(ulaw_round_trip_within_half_a_step),
    cmocka_unit_test(alaw_round_trip_within_half_a_step),
    cmocka_unit_test(every_code_survives_decode_then_encode),
    cmocka_unit_test(known_codes_match_the_standard),
    cmocka_unit_test(encoding_is_monotonic),
    cmocka_unit_test(transcode_goes_through_linear),
};

ORBIT_TEST_MAIN(tests)
