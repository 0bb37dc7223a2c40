/* Refusals can always be answered: a status's field and message are
 * valid UTF-8 whatever they quote. */
#include "test_main.h"

#include "orbit_error.h"
#include "orbit_frame.h"

#include <unistr.h>

static bool utf8(const char *s)
{
    return u8_check((const uint8_t *)s, strlen(s)) == NULL;
}

static void quoted_bytes_that_are_not_utf8_become_question_marks(void **state)
{
    (void)state;
    orbit_status st;
    orbit_status_set(&st, ORBIT_ERR_BAD_REQUEST, "caf\xe9", "near '%s'", "p\xc3\xa9\x87z");
    assert_true(utf8(st.message));
    assert_true(utf8(st.field));
    assert_string_equal(st.message, "near 'p\xc3\xa9?z'");
    assert_string_equal(st.field, "caf?");
}

static void a_character_cut_by_the_buffer_end_is_not_left_half(void **state)
{
    (void)state;
    char long_text[3 * ORBIT_STATUS_MESSAGE_MAX];
    for (size_t i = 0; i + 3 < sizeof long_text; i += 3)
        memcpy(long_text + i, "\xe4\xb8\xad", 3); /* U+4E2D */
    long_text[sizeof long_text - 3] = '\0';
    orbit_status st;
    orbit_status_set(&st, ORBIT_ERR_BAD_REQUEST, long_text, "x%s", long_text);
    assert_true(utf8(st.message));
    assert_true(utf8(st.field));
    assert_true(strlen(st.message) < sizeof st.message);
}

static void every_refusal_becomes_an_error_frame(void **state)
{
    (void)state;
    orbit_status st;
    orbit_status_set(&st, ORBIT_ERR_BAD_REQUEST, "", "invalid JSON: near '%s'", "\x87\xff\xc3");
    json_t *f = orbit_frame_make_error("id", &st);
    assert_non_null(f);
    json_decref(f);
    f = orbit_frame_make_result_error("id", &st);
    assert_non_null(f);
    json_decref(f);
}

static void valid_text_is_kept_as_it_is(void **state)
{
    (void)state;
    orbit_status st;
    orbit_status_set(&st, ORBIT_ERR_CONFLICT, "identity", "range '%s' exists", "Z\xc3\xbcrich");
    assert_string_equal(st.message, "range 'Z\xc3\xbcrich' exists");
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(quoted_bytes_that_are_not_utf8_become_question_marks),
    cmocka_unit_test(a_character_cut_by_the_buffer_end_is_not_left_half),
    cmocka_unit_test(every_refusal_becomes_an_error_frame),
    cmocka_unit_test(valid_text_is_kept_as_it_is),
};

ORBIT_TEST_MAIN(tests)
