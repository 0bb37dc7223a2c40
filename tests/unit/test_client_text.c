/* client_text: a hostile server's strings reach no terminal raw. Each
 * attack a pool could mount through a name or a message (OSC 52, OSC 0,
 * OSC 8, CSI 2J, CSI 6n, C1 CSI, bidi overrides, CR/LF/BS/TAB) comes out
 * as visible text with no control character left in it; ordinary names,
 * accented ones included, come out unchanged; the output is cut on a
 * character boundary. */
#include "test_main.h"

#include "client_text.h"

#include <stdlib.h>

static char *vis(const char *s)
{
    static char buf[512];
    client_text_visible(s, buf, sizeof buf, 0);
    return buf;
}

/* No code point a terminal acts on (C0, DEL, C1, bidi controls), and
 * nothing that is not UTF-8 (a raw 0x9b is C1 CSI to an 8-bit terminal).
 * Decoded here independently of client_text. */
static void assert_inert(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        unsigned cp;
        int n = *p < 0x80 ? 1 : (*p & 0xe0) == 0xc0 ? 2 : (*p & 0xf0) == 0xe0 ? 3 : 4;
        assert_false(*p >= 0x80 && *p < 0xc2); /* a stray continuation or C1 byte */
        cp = n == 1 ? *p : (unsigned)(*p & (0xff >> (n + 1)));
        for (int i = 1; i < n; i++) {
            assert_int_equal(p[i] & 0xc0, 0x80);
            cp = cp << 6 | (p[i] & 0x3f);
        }
        assert_false(cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f));
        assert_false((cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069));
        p += n;
    }
}

static void plain_names_are_unchanged(void **state)
{
    (void)state;
    assert_string_equal(vis("pool1.north.example.net"), "pool1.north.example.net");
    assert_string_equal(vis("sip:user1-001@example.net"), "sip:user1-001@example.net");
    assert_string_equal(vis("Zürich Empfang ♫"), "Zürich Empfang ♫");
    assert_string_equal(vis(""), "");
    assert_string_equal(vis(NULL), "");
    assert_true(client_text_is_plain("Zürich", 0));
    assert_false(client_text_is_plain("Zürich", CLIENT_TEXT_ASCII));
}

static void osc_and_csi_sequences_lose_their_escape(void **state)
{
    (void)state;
    static const char *const attacks[] = {
        "\x1b]52;c;cm0gLXJmIH4K\x07",                    /* OSC 52: write the clipboard */
        "\x1b]0;owned\x07",                              /* OSC 0: window title */
        "\x1b]8;;http://evil/\x1b\\click\x1b]8;;\x1b\\", /* OSC 8 link */
        "\x1b[2J",                                       /* clear the screen */
        "\x1b[6n",                                       /* report the cursor into stdin */
        "\x9b"
        "6n", /* C1 CSI as a raw byte */
        "\xc2\x9b"
        "6n", /* C1 CSI as UTF-8 */
        "\xc2\x9d"
        "0;t\xc2\x9c", /* C1 OSC ... ST */
    };
    for (size_t i = 0; i < sizeof attacks / sizeof attacks[0]; i++)
        assert_inert(vis(attacks[i]));
    assert_string_equal(vis("\x1b]0;owned\x07"), "^[]0;owned^G");
    assert_string_equal(vis("\x1b[2J"), "^[[2J");
    assert_string_equal(vis("\x9b"
                            "6n"),
                        "\\x9B6n");
    assert_string_equal(vis("\xc2\x9b"
                            "6n"),
                        "<U+009B>6n");
}

static void row_moving_controls_are_visible(void **state)
{
    (void)state;
    assert_string_equal(vis("a\rb\nc\bd\te\x7f"), "a^Mb^Jc^Hd^Ie^?");
    assert_inert(vis("a\rb\nc\bd\te\x7f"));
}

static void bidi_overrides_are_visible(void **state)
{
    (void)state;
    assert_string_equal(vis("abc\xe2\x80\xaegnp.exe"), "abc<U+202E>gnp.exe");
    assert_string_equal(vis("\xe2\x81\xa6x\xe2\x81\xa9"), "<U+2066>x<U+2069>");
    assert_string_equal(vis("a\xe2\x80\xa8"
                            "b"),
                        "a<U+2028>b");
    assert_inert(vis("\xe2\x80\xaa\xe2\x80\xab\xe2\x80\xac\xe2\x80\xad\xe2\x81\xa7\xe2\x81\xa8"));
}

static void broken_utf8_is_shown_as_bytes(void **state)
{
    (void)state;
    assert_string_equal(vis("\xc0\xaf"), "\\xC0\\xAF");          /* overlong '/' */
    assert_string_equal(vis("\xed\xa0\x80"), "\\xED\\xA0\\x80"); /* a surrogate */
    assert_string_equal(vis("ab\xe2\x82"), "ab\\xE2\\x82");      /* cut short */
    assert_string_equal(vis("\xff"), "\\xFF");
}

static void ascii_mode_escapes_every_non_ascii_character(void **state)
{
    (void)state;
    char buf[64];
    client_text_visible("Zürich", buf, sizeof buf, CLIENT_TEXT_ASCII);
    assert_string_equal(buf, "Z<U+00FC>rich");
}

static void output_is_cut_on_a_character_boundary(void **state)
{
    (void)state;
    char buf[8];
    size_t need = client_text_visible("ab\x1b[2J", buf, sizeof buf, 0);
    assert_int_equal(need, 7);
    assert_string_equal(buf, "ab^[[2J");
    need = client_text_visible("abcde\x1b", buf, 7, 0);
    assert_int_equal(need, 7);
    assert_string_equal(buf, "abcde"); /* "^[" does not fit whole */
    need = client_text_visible("ab\xc2\x9b", buf, 6, 0);
    assert_string_equal(buf, "ab"); /* nor does "<U+009B>" */
    assert_int_equal(need, 10);
    char *dup = client_text_visible_dup("x\x1b]52;c;AA\x07y", 0);
    assert_non_null(dup);
    assert_string_equal(dup, "x^[]52;c;AA^Gy");
    free(dup);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(plain_names_are_unchanged),
    cmocka_unit_test(osc_and_csi_sequences_lose_their_escape),
    cmocka_unit_test(row_moving_controls_are_visible),
    cmocka_unit_test(bidi_overrides_are_visible),
    cmocka_unit_test(broken_utf8_is_shown_as_bytes),
    cmocka_unit_test(ascii_mode_escapes_every_non_ascii_character),
    cmocka_unit_test(output_is_cut_on_a_character_boundary),
};

ORBIT_TEST_MAIN(tests)
