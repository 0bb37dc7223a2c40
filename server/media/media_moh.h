/* media_moh: a pool's music on hold, converted once from its WAV file to
 * what RTP carries (8 kHz G.711, both laws) so that playing it to any
 * number of parked callers costs a memcpy per 20 ms frame.
 * The converted object is immutable and reference-counted (atomically):
 * the pool thread builds it, the SIP thread's sessions read it. */
#ifndef MEDIA_MOH_H
#define MEDIA_MOH_H

#include "media_g711.h"
#include "orbit_error.h"

#include <stddef.h>
#include <stdint.h>

#define MEDIA_SAMPLE_RATE 8000
/* Files longer than this are cut: ten minutes is music on hold enough. */
#define MEDIA_MOH_MAX_SAMPLES (MEDIA_SAMPLE_RATE * 600)

typedef struct media_moh media_moh;

/* Converts a RIFF WAVE file held in memory (PCM 16-bit, mono, 8000 or
 * 16000 Hz; 16 kHz is low-pass filtered and decimated to 8 kHz) into a new
 * media_moh with one reference. data is borrowed. Refuses other formats
 * with ORBIT_ERR_UNSUPPORTED_MEDIA naming what is wrong. */
orbit_err media_moh_from_wav(const uint8_t *data, size_t len, media_moh **out, orbit_status *st);

/* Builds one from 8 kHz linear samples (borrowed); for tests and silence. */
orbit_err media_moh_from_pcm(const int16_t *pcm, size_t n, media_moh **out, orbit_status *st);

/* Reference counting; both accept NULL. ref returns its argument. */
media_moh *media_moh_ref(media_moh *moh);
void media_moh_unref(media_moh *moh);

/* Number of 8 kHz samples. */
size_t media_moh_samples(const media_moh *moh);
/* The samples as linear PCM and as codes of one law; borrowed, valid while
 * a reference is held. */
const int16_t *media_moh_pcm(const media_moh *moh);
const uint8_t *media_moh_codes(const media_moh *moh, media_codec codec);

/* Halves a 16 kHz signal to 8 kHz through a linear-phase low-pass FIR
 * (cut-off 3.6 kHz, more than 50 dB down above 4.4 kHz), so tones above
 * the new Nyquist frequency are removed instead of folded back. in is
 * borrowed; out holds n_in / 2 samples. */
void media_moh_decimate(const int16_t *in, size_t n_in, int16_t *out);

#endif
