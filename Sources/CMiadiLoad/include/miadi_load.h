#ifndef MIADI_LOAD_H
#define MIADI_LOAD_H

#include <stddef.h>
#include <stdint.h>

/// The load generator behind `miadi bench bridge`: N Sautikit platform streams from one thread
/// (epoll, non-blocking sockets), each as the platform plays it. Per stream: the voice webhook
/// (POST, the <Stream>'s url, bearer ticket and openMetadata read from its XML) or a fixed
/// token, the WebSocket handshake with the audio.drachtio.org subprotocol, the open metadata as
/// the first text frame, then 20 ms binary frames on the platform's clock: the caller's loop on
/// the left, on the right what the platform plays back (its playout buffer: prebuffers, plays
/// 20 ms a tick, reports marks, flushes on killAudio). It is written in C so that the generator
/// costs little of the two cores it shares with the server it measures.

#define MLOAD_LATENCY_BUCKETS 10001

typedef struct {
    const char *host;            /* numeric IPv4, e.g. "127.0.0.1" */
    int port;
    const char *webhook_path;    /* "/voice": POST the webhook first; NULL: connect straight to stream_path */
    const char *stream_path;     /* used without a webhook */
    const char *token;           /* the bearer token without a webhook (NULL: none) */
    int streams;
    double seconds;              /* how long each stream lasts */
    double ramp_seconds;         /* stream starts spread over this */
    int sample_rate;             /* the stream's rate (both directions) */
    int stereo;                  /* 1: both_tracks (caller left, playout right); 0: inbound_track */
    const int16_t *caller;       /* the caller's line, mono, one loop */
    size_t caller_count;
    const uint32_t *utterance_ends; /* sample offsets in the loop where the caller stops speaking */
    size_t utterance_end_count;
    int prebuffer_ms;            /* the platform's prebuffer before it plays (80) */
    int connect_timeout_ms;      /* webhook, connect and handshake (10000, as lws) */
    volatile int *live;          /* progress: streams streaming now (may be NULL) */
    volatile int *stop;          /* set to 1 to end every stream now (may be NULL) */
    uint32_t *latency_ms;        /* MLOAD_LATENCY_BUCKETS counts of reply start, ms (the last: 10 s or more), to
                                    when the generator read the reply (its own waits for the cores included) */
    uint32_t *arrival_latency_ms; /* the same to the reply's arrival on the socket (the kernel's receive time;
                                    may be NULL) */
    uint32_t *server_latency_ms; /* the server's own share: to the reply's arrival, less how late the generator
                                    was sending its frames then (may be NULL) */
} mload_config;

typedef struct {
    int started;
    int clean;                   /* streamed their whole length and closed 1000 */
    int failed_webhook;
    int failed_handshake;
    int dropped;                 /* closed by the server or the socket before their end */
    int64_t frames_sent;
    int64_t frames_received;
    int64_t bytes_received;
    int64_t marks_received;
    int64_t kill_audio_received;
    int64_t underruns;           /* the playout buffer ran dry inside an utterance */
    int64_t replies;             /* reply starts measured (steady state) */
    int64_t missed_replies;      /* an utterance ended and no audio came before the next ended */
    int64_t late_frames;         /* frames the generator sent more than 10 ms late */
    double max_send_lag_ms;
    double generator_cpu_seconds;
    double steady_from_s;        /* when the last stream started (seconds from the run's start) */
    double ended_at_s;
    char first_error[256];
} mload_result;

/// Runs the streams to their end; returns 0, or -1 when the run could not start (first_error).
int mload_run(const mload_config *config, mload_result *result);

/// GET `path` on host:port (blocking, for a health check): the HTTP status, or -1 when nothing answers.
int mload_http_status(const char *host, int port, const char *path, int timeout_ms);

/// Malformed input for a live server (the hostile-client fuzz test): `count` connections, each
/// one input of `category`, made from `seed` (the same bytes every run), `concurrency` at once.
/// Each is sent whole; then what the server says is read until it closes the connection or
/// `timeout_ms` pass. With MFUZZ_DEBUG set in the environment, each input that timed out is
/// written to stderr (its index and bytes in hex), to replay what the server left hanging.
enum { MFUZZ_HANDSHAKES = 0, MFUZZ_FRAMES = 1, MFUZZ_WEBHOOKS = 2 };

typedef struct {
    const char *host;            /* numeric IPv4 */
    int port;
    const char *webhook_path;    /* "/voice" (or "/voice/<secret>") */
    const char *stream_path;     /* "/stream" */
    int category;
    int count;
    uint64_t seed;
    int concurrency;
    int timeout_ms;
} mfuzz_config;

typedef struct {
    int sent;
    int connect_failed;
    int answered;                /* the server said something before it closed */
    int closed_silently;         /* it closed without a byte */
    int timed_out;               /* it neither answered nor closed in time */
    int upgraded;                /* 101 */
    int status_2xx, status_4xx, status_5xx, status_other;
    int close_codes[16];         /* after a 101: the server's close code, code - 1000 (15: any other) */
    int no_close_frame;          /* after a 101: no close frame seen */
    char first_error[256];
} mfuzz_result;

/// Runs every input; returns 0, or -1 when the run could not start (first_error).
int mfuzz_run(const mfuzz_config *config, mfuzz_result *result);

#endif
