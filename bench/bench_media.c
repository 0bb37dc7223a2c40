/* bench_media: cost of the SIP edge's media paths: G.711 per sample, the
 * MOH conversion of a minute of 16 kHz audio, MOH frames sent per parked
 * caller, and a relayed packet between two bridged legs (receive, check,
 * transcode, send). Prints one line per case (median of 5 runs). */
#include "media_moh.h"
#include "media_session.h"
#include "orbit_time.h"

#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RUNS     5
#define SESSIONS 200

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *runs)
{
    qsort(runs, RUNS, sizeof *runs, cmp_double);
    return runs[RUNS / 2];
}

static void bench_g711(void)
{
    enum { N = 1 << 20 };
    int16_t *pcm = malloc(N * sizeof *pcm);
    uint8_t *codes = malloc(N);
    if (!pcm || !codes)
        exit(1);
    for (int i = 0; i < N; i++)
        pcm[i] = (int16_t)(i * 7919);
    for (int law = 0; law < 2; law++) {
        media_codec codec = law ? MEDIA_CODEC_PCMA : MEDIA_CODEC_PCMU;
        double enc[RUNS], dec[RUNS];
        for (int r = 0; r < RUNS; r++) {
            double t0 = now_ns();
            media_g711_encode(codec, pcm, N, codes);
            double t1 = now_ns();
            media_g711_decode(codec, codes, N, pcm);
            double t2 = now_ns();
            enc[r] = (t1 - t0) / N;
            dec[r] = (t2 - t1) / N;
        }
        printf("%s encode: %.2f ns/sample, decode: %.2f ns/sample\n", media_codec_name(codec),
               median(enc), median(dec));
    }
    free(pcm);
    free(codes);
}

static void bench_moh_conversion(void)
{
    enum { SECONDS = 60, RATE = 16000, N = SECONDS * RATE };
    size_t len = 44 + 2 * (size_t)N;
    uint8_t *wav = calloc(1, len);
    if (!wav)
        exit(1);
    memcpy(wav, "RIFF", 4);
    uint32_t v32 = (uint32_t)(len - 8);
    memcpy(wav + 4, &v32, 4);
    memcpy(wav + 8, "WAVEfmt ", 8);
    uint32_t fmt_len = 16, rate = RATE, byte_rate = RATE * 2, data_len = 2 * N;
    uint16_t pcm = 1, mono = 1, align = 2, bits = 16;
    memcpy(wav + 16, &fmt_len, 4);
    memcpy(wav + 20, &pcm, 2);
    memcpy(wav + 22, &mono, 2);
    memcpy(wav + 24, &rate, 4);
    memcpy(wav + 28, &byte_rate, 4);
    memcpy(wav + 32, &align, 2);
    memcpy(wav + 34, &bits, 2);
    memcpy(wav + 36, "data", 4);
    memcpy(wav + 40, &data_len, 4);
    for (int i = 0; i < N; i++) {
        int16_t s = (int16_t)(8000 * sin(2 * M_PI * 440 * i / (double)RATE));
        memcpy(wav + 44 + 2 * i, &s, 2);
    }
    double runs[RUNS];
    for (int r = 0; r < RUNS; r++) {
        media_moh *moh = NULL;
        double t0 = now_ns();
        if (media_moh_from_wav(wav, len, &moh, NULL) != ORBIT_OK)
            exit(1);
        runs[r] = (now_ns() - t0) / 1e6;
        media_moh_unref(moh);
    }
    printf("MOH conversion, 60 s of 16 kHz WAV to both laws: %.1f ms\n", median(runs));
    free(wav);
}

/* SESSIONS parked callers, each sent one MOH frame per tick: the cost of
 * a frame, and the callers one core could feed at 50 frames a second. */
static void bench_moh_fanout(void)
{
    media_counters ctr = {0};
    media_port_range ports = {45000, 45999};
    media_session *pool[SESSIONS], *sink = NULL;
    int16_t tone[1600];
    for (int i = 0; i < 1600; i++)
        tone[i] = (int16_t)(i * 20);
    media_moh *moh = NULL;
    if (media_moh_from_pcm(tone, 1600, &moh, NULL) != ORBIT_OK ||
        media_session_open("127.0.0.1", ports, 1, &ctr, &sink, NULL) != ORBIT_OK)
        exit(1);
    for (int i = 0; i < SESSIONS; i++) {
        if (media_session_open("127.0.0.1", ports, (uint64_t)i * 31 + 7, &ctr, &pool[i], NULL) !=
                ORBIT_OK ||
            media_session_set_peer(pool[i], "127.0.0.1", media_session_port(sink), NULL) !=
                ORBIT_OK)
            exit(1);
        media_session_play(pool[i], moh, 0);
    }
    double runs[RUNS];
    int64_t t = 0;
    for (int r = 0; r < RUNS; r++) {
        enum { TICKS = 50 };
        double t0 = now_ns();
        for (int k = 0; k < TICKS; k++) {
            t += MEDIA_RTP_FRAME_MS;
            for (int i = 0; i < SESSIONS; i++)
                media_session_tick(pool[i], t);
            /* Drain the sink so the socket buffer never drops (not timed
             * apart: the receiving side is part of a real exchange). */
            media_session_on_readable(sink, t);
        }
        runs[r] = (now_ns() - t0) / ((double)TICKS * SESSIONS);
    }
    double ns = median(runs);
    printf("MOH frame to a parked caller (%d callers): %.2f us/frame, ~%.0f callers per core\n",
           SESSIONS, ns / 1000, 1e9 / (ns * 50));
    for (int i = 0; i < SESSIONS; i++)
        media_session_close(pool[i]);
    media_session_close(sink);
    media_moh_unref(moh);
}

/* A caller and a retriever bridged through two pool legs; the caller's
 * packets are relayed to the retriever with transcoding. */
static void bench_relay(void)
{
    media_counters ctr = {0};
    media_port_range ports = {46000, 46999};
    media_session *caller, *leg_a, *leg_b, *retriever;
    if (media_session_open("127.0.0.1", ports, 11, &ctr, &caller, NULL) ||
        media_session_open("127.0.0.1", ports, 12, &ctr, &leg_a, NULL) ||
        media_session_open("127.0.0.1", ports, 13, &ctr, &leg_b, NULL) ||
        media_session_open("127.0.0.1", ports, 14, &ctr, &retriever, NULL))
        exit(1);
    media_session_set_peer(caller, "127.0.0.1", media_session_port(leg_a), NULL);
    media_session_set_peer(leg_a, "127.0.0.1", media_session_port(caller), NULL);
    media_session_set_peer(leg_b, "127.0.0.1", media_session_port(retriever), NULL);
    media_session_set_peer(retriever, "127.0.0.1", media_session_port(leg_b), NULL);
    media_session_set_codec(leg_b, MEDIA_CODEC_PCMA);
    media_session_set_codec(retriever, MEDIA_CODEC_PCMA);
    media_session_bridge(leg_a, leg_b);
    uint8_t frame[160];
    memset(frame, 0x55, sizeof frame);
    double runs[RUNS];
    for (int r = 0; r < RUNS; r++) {
        enum { PACKETS = 2000, BATCH = 20 };
        double relay_ns = 0;
        for (int p = 0; p < PACKETS; p += BATCH) {
            for (int k = 0; k < BATCH; k++)
                media_session_send(caller, frame, sizeof frame, (int64_t)(p + k) * 20);
            struct pollfd pfd = {.fd = media_session_fd(leg_a), .events = POLLIN};
            poll(&pfd, 1, 100);
            double t0 = now_ns();
            media_session_on_readable(leg_a, (int64_t)p * 20);
            relay_ns += now_ns() - t0;
            media_session_on_readable(retriever, (int64_t)p * 20);
        }
        runs[r] = relay_ns / PACKETS;
    }
    printf("relayed packet, PCMU to PCMA: %.2f us/packet\n", median(runs) / 1000);
    media_session_close(caller);
    media_session_close(leg_a);
    media_session_close(leg_b);
    media_session_close(retriever);
}

int main(void)
{
    bench_g711();
    bench_moh_conversion();
    bench_moh_fanout();
    bench_relay();
    return 0;
}
