/* ui_filepick: choosing a file to upload in a few keys: a directory
 * listing with folders first and, by default, only the audio files a
 * pool accepts (.wav, .wma), and a path line: typing narrows the listing
 * to the names starting with what was typed (type-ahead), Tab completes,
 * a path with a / (absolute, ~/ or relative) goes where it names, Enter
 * opens a folder or picks a file, Backspace on an empty line goes up,
 * Ctrl-A shows every file, Esc gives up. */
#ifndef UI_FILEPICK_H
#define UI_FILEPICK_H

#include "ui_draw.h"
#include "ui_theme.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct ui_filepick ui_filepick;

typedef enum { UI_PICK_OPEN = 0, UI_PICK_CANCELLED, UI_PICK_CHOSEN } ui_pick_result;

/* Starts in dir (NULL or unusable: the current directory). NULL on OOM. */
ui_filepick *ui_filepick_new(const char *dir, const char *title);
void ui_filepick_free(ui_filepick *p);

ui_pick_result ui_filepick_key(ui_filepick *p, int key);
/* The chosen file's absolute path, after UI_PICK_CHOSEN. */
const char *ui_filepick_path(const ui_filepick *p);
/* The directory shown now (to open the next picker there). */
const char *ui_filepick_dir(const ui_filepick *p);

void ui_filepick_draw(ui_filepick *p, WINDOW *w, const ui_theme *th, const ui_glyphs *g);

#endif
