/* client_text: strings that came from the network, made safe to show on
 * an operator's terminal. A pool, or anything posing as one, can put
 * terminal controls into the names, URIs and messages a client prints:
 * OSC 52 writes the operator's clipboard, OSC 0 the window title, OSC 8
 * plants links, CSI 2J clears the screen, CSI 6n makes the terminal type
 * a reply into the program's input, C1 CSI (0x9b) does the same on 8-bit
 * terminals, bidi overrides reorder what is read, and CR, LF, BS and TAB
 * move text onto other rows. orbitctl and orbitop show every such string
 * in the visible form made here, never raw. */
#ifndef CLIENT_TEXT_H
#define CLIENT_TEXT_H

#include <stdbool.h>
#include <stddef.h>

enum {
    /* Also show every non-ASCII character as <U+XXXX>: for terminals and
     * locales that are not UTF-8. */
    CLIENT_TEXT_ASCII = 1u << 0,
};

/* Writes the visible form of s into out (len bytes; always terminated
 * when len > 0, cut on a character boundary):
 *  - C0 controls and DEL as ^@ .. ^_ and ^? (ESC becomes ^[, so an OSC or
 *    CSI sequence loses its introducer and prints as text);
 *  - C1 controls U+0080..U+009F, bidi embeddings, overrides and isolates
 *    U+202A..U+202E and U+2066..U+2069, and the line and paragraph
 *    separators U+2028 and U+2029 as <U+XXXX>;
 *  - bytes that are not UTF-8 (a lone 0x9b among them) as \xNN.
 * s NULL is "". Returns the length the whole visible form needs, as
 * snprintf does. */
size_t client_text_visible(const char *s, char *out, size_t len, unsigned flags);

/* The visible form as a new string (the caller frees it); NULL when out
 * of memory. */
char *client_text_visible_dup(const char *s, unsigned flags);

/* True when s is shown as it is (its visible form is itself). */
bool client_text_is_plain(const char *s, unsigned flags);

#endif
