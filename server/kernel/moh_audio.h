/* moh_audio: recognising the audio formats a pool accepts for music on
 * hold (WMA/ASF and RIFF WAVE, by their header bytes), and the default
 * music-on-hold file every pool starts with. */
#ifndef MOH_AUDIO_H
#define MOH_AUDIO_H

#include <stddef.h>
#include <stdint.h>

/* Bytes needed to recognise a format. */
#define MOH_AUDIO_SNIFF_BYTES 16

typedef enum { MOH_AUDIO_UNKNOWN = 0, MOH_AUDIO_WAVE, MOH_AUDIO_ASF } moh_audio_kind;

/* Recognises the format from the first bytes (at least 12 for WAVE,
 * 16 for ASF). */
moh_audio_kind moh_audio_detect(const unsigned char *head, size_t len);

/* File extension for a kind: "wav", "wma". */
const char *moh_audio_extension(moh_audio_kind kind);

/* Builds the default MOH: a quiet two-tone chime, 8 kHz 16-bit mono WAVE.
 * Returns a malloc'd buffer and its size, or NULL on OOM. */
unsigned char *moh_audio_default(size_t *len);

#endif
