/* moh_audio: recognising the audio formats a pool accepts for music on
 * hold (WMA/ASF and RIFF WAVE): a quick look at the first bytes while an
 * upload streams in, the structure of the whole file once it is complete,
 * and the default music-on-hold file every pool starts with. */
#ifndef MOH_AUDIO_H
#define MOH_AUDIO_H

#include <stddef.h>
#include <stdint.h>

/* Bytes needed to recognise a format. */
#define MOH_AUDIO_SNIFF_BYTES 16

typedef enum { MOH_AUDIO_UNKNOWN = 0, MOH_AUDIO_WAVE, MOH_AUDIO_ASF } moh_audio_kind;

/* Recognises the format from the first bytes (at least 12 for WAVE,
 * 16 for ASF): enough to refuse a body early, not to accept it. */
moh_audio_kind moh_audio_detect(const unsigned char *head, size_t len);

/* Checks a whole file (borrowed, len bytes). A RIFF WAVE needs a fmt
 * chunk describing PCM or a codec we know (IEEE float, A-law, mu-law,
 * MS or IMA ADPCM, GSM 6.10, MPEG layer 3, WMA) with coherent rates,
 * followed by a non-empty data chunk, every chunk inside the file. An
 * ASF needs a header object inside the file whose objects tile it
 * exactly and include the File and Stream Properties objects. Returns
 * the kind, or MOH_AUDIO_UNKNOWN with *why (may be NULL) set to a static
 * sentence. */
moh_audio_kind moh_audio_check(const unsigned char *file, size_t len, const char **why);

/* File extension for a kind: "wav", "wma". */
const char *moh_audio_extension(moh_audio_kind kind);

/* Builds the default MOH: a quiet two-tone chime, 8 kHz 16-bit mono WAVE.
 * Returns a malloc'd buffer and its size, or NULL on OOM. */
unsigned char *moh_audio_default(size_t *len);

#endif
