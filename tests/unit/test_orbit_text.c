/* The rule for operator-chosen names (orbit_text_hazard_of), one row per
 * code point or byte pattern at each edge of every refused block, and
 * its use by the identity and file-name checks. */
#include "test_main.h"

#include "orbit_text.h"

typedef struct {
    const char *what;
    const char *text;
    orbit_text_hazard want;
} hazard_row;

static void check_rows(const hazard_row *rows, size_t n)
{
    int failed = 0;
    for (size_t i = 0; i < n; i++) {
        orbit_text_hazard got = orbit_text_hazard_of(rows[i].text);
        if (got != rows[i].want) {
            print_error("row '%s': got hazard %d, want %d\n", rows[i].what, (int)got,
                        (int)rows[i].want);
            failed++;
        }
    }
    assert_int_equal(failed, 0);
}

#define CHECK_ROWS(rows) check_rows(rows, sizeof(rows) / sizeof((rows)[0]))

static void plain_text_is_safe(void **state)
{
    (void)state;
    static const hazard_row rows[] = {
        {"empty", "", ORBIT_TEXT_SAFE},
        {"ASCII words", "North CPO 1", ORBIT_TEXT_SAFE},
        {"space U+0020", " ", ORBIT_TEXT_SAFE},
        {"tilde U+007E", "~", ORBIT_TEXT_SAFE},
        {"no-break space U+00A0", "a\xc2\xa0z", ORBIT_TEXT_SAFE},
        {"e acute U+00E9", "caf\xc3\xa9", ORBIT_TEXT_SAFE},
        {"Hebrew U+05D0", "\xd7\x90", ORBIT_TEXT_SAFE},
        {"U+2029 before the overrides", "\xe2\x80\xa9", ORBIT_TEXT_SAFE},
        {"U+202F after the overrides", "\xe2\x80\xaf", ORBIT_TEXT_SAFE},
        {"U+2065 before the isolates", "\xe2\x81\xa5", ORBIT_TEXT_SAFE},
        {"U+206A after the isolates", "\xe2\x81\xaa", ORBIT_TEXT_SAFE},
        {"CJK U+4E2D", "\xe4\xb8\xad", ORBIT_TEXT_SAFE},
        {"U+FFFD", "\xef\xbf\xbd", ORBIT_TEXT_SAFE},
        {"emoji U+1F4DE", "\xf0\x9f\x93\x9e", ORBIT_TEXT_SAFE},
        {"last code point U+10FFFF", "\xf4\x8f\xbf\xbf", ORBIT_TEXT_SAFE},
    };
    CHECK_ROWS(rows);
}

static void c0_controls_and_del_are_refused(void **state)
{
    (void)state;
    static const hazard_row rows[] = {
        {"U+0001", "a\x01", ORBIT_TEXT_CONTROL},       {"tab U+0009", "a\tb", ORBIT_TEXT_CONTROL},
        {"LF U+000A", "a\nb", ORBIT_TEXT_CONTROL},     {"CR U+000D", "a\rb", ORBIT_TEXT_CONTROL},
        {"ESC U+001B", "\x1b[2J", ORBIT_TEXT_CONTROL}, {"U+001F", "\x1f", ORBIT_TEXT_CONTROL},
        {"DEL U+007F", "a\x7f", ORBIT_TEXT_CONTROL},
    };
    CHECK_ROWS(rows);
}

static void c1_controls_are_refused(void **state)
{
    (void)state;
    static const hazard_row rows[] = {
        {"U+0080 first C1", "a\xc2\x80", ORBIT_TEXT_CONTROL},
        {"NEL U+0085", "a\xc2\x85z", ORBIT_TEXT_CONTROL},
        {"CSI U+009B",
         "\xc2\x9b"
         "2J",
         ORBIT_TEXT_CONTROL},
        {"OSC U+009D",
         "\xc2\x9d"
         "0;title",
         ORBIT_TEXT_CONTROL},
        {"U+009F last C1", "\xc2\x9f", ORBIT_TEXT_CONTROL},
    };
    CHECK_ROWS(rows);
}

static void bidi_overrides_and_isolates_are_refused(void **state)
{
    (void)state;
    static const hazard_row rows[] = {
        {"LRE U+202A", "a\xe2\x80\xaa", ORBIT_TEXT_BIDI},
        {"RLE U+202B", "a\xe2\x80\xab", ORBIT_TEXT_BIDI},
        {"PDF U+202C", "a\xe2\x80\xac", ORBIT_TEXT_BIDI},
        {"LRO U+202D", "a\xe2\x80\xad", ORBIT_TEXT_BIDI},
        {"RLO U+202E",
         "evil\xe2\x80\xae"
         "vaw.exe",
         ORBIT_TEXT_BIDI},
        {"LRI U+2066", "\xe2\x81\xa6x", ORBIT_TEXT_BIDI},
        {"RLI U+2067", "\xe2\x81\xa7x", ORBIT_TEXT_BIDI},
        {"FSI U+2068", "\xe2\x81\xa8x", ORBIT_TEXT_BIDI},
        {"PDI U+2069", "\xe2\x81\xa9x", ORBIT_TEXT_BIDI},
    };
    CHECK_ROWS(rows);
}

static void malformed_utf8_is_refused(void **state)
{
    (void)state;
    static const hazard_row rows[] = {
        {"lone continuation byte", "a\x80", ORBIT_TEXT_BAD_UTF8},
        {"truncated two-byte", "a\xc3", ORBIT_TEXT_BAD_UTF8},
        {"truncated three-byte", "\xe2\x80", ORBIT_TEXT_BAD_UTF8},
        {"overlong NUL C0 80", "\xc0\x80", ORBIT_TEXT_BAD_UTF8},
        {"overlong slash C0 AF", "\xc0\xaf", ORBIT_TEXT_BAD_UTF8},
        {"overlong three-byte E0 80 AF", "\xe0\x80\xaf", ORBIT_TEXT_BAD_UTF8},
        {"surrogate U+D800", "\xed\xa0\x80", ORBIT_TEXT_BAD_UTF8},
        {"past U+10FFFF", "\xf4\x90\x80\x80", ORBIT_TEXT_BAD_UTF8},
        {"byte FF", "\xff", ORBIT_TEXT_BAD_UTF8},
        {"Latin-1 e acute", "caf\xe9", ORBIT_TEXT_BAD_UTF8},
        {"C1 as a raw Latin-1 byte", "a\x85z", ORBIT_TEXT_BAD_UTF8},
    };
    CHECK_ROWS(rows);
}

static void hazard_messages_name_the_rule(void **state)
{
    (void)state;
    assert_null(orbit_text_hazard_message(ORBIT_TEXT_SAFE));
    assert_non_null(strstr(orbit_text_hazard_message(ORBIT_TEXT_BAD_UTF8), "UTF-8"));
    assert_non_null(strstr(orbit_text_hazard_message(ORBIT_TEXT_CONTROL), "control"));
    assert_non_null(strstr(orbit_text_hazard_message(ORBIT_TEXT_BIDI), "bidirectional"));
}

static void identities_follow_the_rule(void **state)
{
    (void)state;
    assert_null(orbit_identity_check("North CPO 1"));
    assert_null(orbit_identity_check("Z\xc3\xbcrich park"));
    assert_non_null(orbit_identity_check("a\xc2\x85z"));
    assert_non_null(orbit_identity_check("a\xe2\x80\xaez"));
    assert_non_null(orbit_identity_check("a\xe2\x81\xa6z"));
    assert_non_null(orbit_identity_check("a\xffz"));
    assert_non_null(orbit_identity_check("a\tz"));
    assert_non_null(orbit_identity_check(" lead"));
    assert_non_null(orbit_identity_check(""));
}

static void file_names_follow_the_rule(void **state)
{
    (void)state;
    assert_null(orbit_file_name_check("hold music.wav", 128));
    assert_null(orbit_file_name_check("m\xc3\xbcsik.wma", 128));
    assert_non_null(orbit_file_name_check("", 128));
    assert_non_null(orbit_file_name_check("abcd", 3));
    assert_non_null(orbit_file_name_check("../x.wav", 128));
    assert_non_null(orbit_file_name_check("a\\x.wav", 128));
    assert_non_null(orbit_file_name_check("x\xe2\x80\xaevaw.wma", 128));
    assert_non_null(orbit_file_name_check("x\xc2\x9b.wav", 128));
    assert_non_null(orbit_file_name_check("x\xe9.wav", 128));
    assert_non_null(orbit_file_name_check("x\n.wav", 128));
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(plain_text_is_safe),
    cmocka_unit_test(c0_controls_and_del_are_refused),
    cmocka_unit_test(c1_controls_are_refused),
    cmocka_unit_test(bidi_overrides_and_isolates_are_refused),
    cmocka_unit_test(malformed_utf8_is_refused),
    cmocka_unit_test(hazard_messages_name_the_rule),
    cmocka_unit_test(identities_follow_the_rule),
    cmocka_unit_test(file_names_follow_the_rule),
};

ORBIT_TEST_MAIN(tests)
