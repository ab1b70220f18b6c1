// The platform's side of N streams, one thread, epoll. See include/miadi_load.h.
#define _GNU_SOURCE
#include "miadi_load.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum phase { IDLE, WEBHOOK, WS_HANDSHAKE, STREAMING, CLOSING, DONE };

#define MAX_MARKS 30
#define PLAYOUT_SECONDS 4

typedef struct {
    char name[96];
    int64_t position; /* absolute sample index in the playout stream */
} mark;

typedef struct {
    int index;
    int fd;
    enum phase phase;
    int failed;           /* an outcome already counted */
    double start_at, deadline, end_at;
    /* bytes in */
    uint8_t *in;
    size_t in_len, in_cap;
    /* bytes out, when the socket would block */
    uint8_t *out;
    size_t out_len, out_cap;
    int want_write;
    int connected;
    /* the stream */
    char path[256];
    char token[512];
    char metadata[1024];
    double next_frame_at;
    int64_t frames;
    int64_t caller_pos;   /* samples of the caller's loop sent */
    /* playout */
    int16_t *playout;     /* ring */
    int64_t written, played;
    int playing;
    mark marks[MAX_MARKS];
    int mark_count;
    int64_t last_mark_played; /* where the last mark reached sat */
    /* replies */
    double utterance_end_at;
    double send_lag;             /* how late the last frame went, s (the generator shares the cores) */
    int awaiting_reply;
    int fragment_opcode;
} stream;

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The kernel stamps received bytes on the real-time clock; the run keeps monotonic time. */
static double realtime_minus_monotonic(void) {
    struct timespec m0, r, m1;
    clock_gettime(CLOCK_MONOTONIC, &m0);
    clock_gettime(CLOCK_REALTIME, &r);
    clock_gettime(CLOCK_MONOTONIC, &m1);
    return (r.tv_sec + r.tv_nsec / 1e9) - ((m0.tv_sec + m1.tv_sec) + (m0.tv_nsec + m1.tv_nsec) / 1e9) / 2;
}

/* recv, and when the kernel stamped the bytes (monotonic seconds; 0 when it did not say). */
static ssize_t recv_stamped(int fd, uint8_t *buf, size_t n, double clock_offset, double *stamped) {
    struct iovec iov = {.iov_base = buf, .iov_len = n};
    union { char bytes[CMSG_SPACE(sizeof(struct timespec))]; struct cmsghdr align; } control;
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.bytes, .msg_controllen = sizeof control.bytes};
    ssize_t got = recvmsg(fd, &msg, 0);
    *stamped = 0;
    if (got > 0) {
        for (struct cmsghdr *cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm)) {
            if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_TIMESTAMPNS) {
                struct timespec ts;
                memcpy(&ts, CMSG_DATA(cm), sizeof ts);
                *stamped = ts.tv_sec + ts.tv_nsec / 1e9 - clock_offset;
            }
        }
    }
    return got;
}

static void set_error(mload_result *r, const char *what, int index) {
    if (r->first_error[0]) return;
    snprintf(r->first_error, sizeof r->first_error, "stream %d: %s", index, what);
}

static void append(uint8_t **buf, size_t *len, size_t *cap, const void *data, size_t n) {
    if (*len + n > *cap) {
        size_t c = *cap ? *cap : 4096;
        while (c < *len + n) c *= 2;
        *buf = realloc(*buf, c);
        *cap = c;
    }
    memcpy(*buf + *len, data, n);
    *len += n;
}

static void watch(int ep, stream *s, int write) {
    struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP | (write ? EPOLLOUT : 0), .data.ptr = s};
    if (s->want_write != write) {
        epoll_ctl(ep, EPOLL_CTL_MOD, s->fd, &ev);
        s->want_write = write;
    }
}

/* Sends bytes now, keeping what the socket does not take (in order). */
static int send_bytes(int ep, stream *s, const void *data, size_t n) {
    if (s->out_len == 0) {
        ssize_t w = send(s->fd, data, n, MSG_NOSIGNAL);
        if (w < 0) {
            /* Still connecting: queued until the socket is writable. */
            if (errno != EAGAIN && errno != EWOULDBLOCK && errno != ENOTCONN) return -1;
            w = 0;
        }
        if ((size_t)w == n) return 0;
        data = (const uint8_t *)data + w;
        n -= (size_t)w;
    }
    append(&s->out, &s->out_len, &s->out_cap, data, n);
    watch(ep, s, 1);
    return 0;
}

static int flush_out(int ep, stream *s) {
    while (s->out_len > 0) {
        ssize_t w = send(s->fd, s->out, s->out_len, MSG_NOSIGNAL);
        if (w < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK) return 0;
            return -1;
        }
        memmove(s->out, s->out + w, s->out_len - (size_t)w);
        s->out_len -= (size_t)w;
    }
    watch(ep, s, 0);
    return 0;
}

/* A client frame: FIN, masked (a fixed mask: the server must unmask whatever it is). */
static int send_frame(int ep, stream *s, int opcode, const uint8_t *payload, size_t n) {
    uint8_t header[14];
    size_t h = 0;
    header[h++] = (uint8_t)(0x80 | opcode);
    if (n < 126) header[h++] = (uint8_t)(0x80 | n);
    else if (n < 65536) { header[h++] = 0x80 | 126; header[h++] = (uint8_t)(n >> 8); header[h++] = (uint8_t)n; }
    else {
        header[h++] = 0x80 | 127;
        for (int i = 7; i >= 0; i--) header[h++] = (uint8_t)((uint64_t)n >> (8 * i));
    }
    static const uint8_t mask[4] = {0x37, 0xfa, 0x21, 0x3d};
    memcpy(header + h, mask, 4);
    h += 4;
    uint8_t stack[4096];
    uint8_t *frame = h + n <= sizeof stack ? stack : malloc(h + n);
    memcpy(frame, header, h);
    uint64_t word;
    uint8_t pattern[8] = {mask[0], mask[1], mask[2], mask[3], mask[0], mask[1], mask[2], mask[3]};
    memcpy(&word, pattern, 8);
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t v;
        memcpy(&v, payload + i, 8);
        v ^= word;
        memcpy(frame + h + i, &v, 8);
    }
    for (; i < n; i++) frame[h + i] = payload[i] ^ mask[i & 3];
    int rc = send_bytes(ep, s, frame, h + n);
    if (frame != stack) free(frame);
    return rc;
}

static int open_socket(const mload_config *c, int ep, stream *s) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    /* Each read says when its bytes reached the socket: a reply is also timed to then, apart
       from when this thread, sharing the cores with the server, got round to reading it. */
    setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof one);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)c->port)};
    inet_pton(AF_INET, c->host, &addr.sin_addr);
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0 && errno != EINPROGRESS) {
        close(fd);
        return -1;
    }
    s->fd = fd;
    s->connected = 0;
    s->in_len = 0;
    s->out_len = 0;
    s->want_write = 1;
    struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP, .data.ptr = s};
    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
    return 0;
}

static void close_socket(int ep, stream *s) {
    if (s->fd >= 0) {
        epoll_ctl(ep, EPOLL_CTL_DEL, s->fd, NULL);
        close(s->fd);
        s->fd = -1;
    }
}

static void fail(int ep, stream *s, mload_result *r, int *counter, const char *why, volatile int *live) {
    if (s->phase == STREAMING && live) (*live)--;
    close_socket(ep, s);
    s->phase = DONE;
    if (!s->failed) {
        (*counter)++;
        s->failed = 1;
        set_error(r, why, s->index);
    }
}

/* Reads an XML attribute's value after `name="`, unescaping the five entities. */
static int xml_attribute(const char *xml, const char *name, char *out, size_t cap) {
    char key[64];
    snprintf(key, sizeof key, " %s=\"", name);
    const char *p = strstr(xml, key);
    if (!p) return -1;
    p += strlen(key);
    size_t n = 0;
    while (*p && *p != '"' && n + 1 < cap) {
        if (*p == '&') {
            static const struct { const char *e; char c; } entities[] = {
                {"&quot;", '"'}, {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&apos;", '\''}};
            int matched = 0;
            for (size_t i = 0; i < 5; i++) {
                size_t l = strlen(entities[i].e);
                if (strncmp(p, entities[i].e, l) == 0) { out[n++] = entities[i].c; p += l; matched = 1; break; }
            }
            if (!matched) out[n++] = *p++;
        } else out[n++] = *p++;
    }
    out[n] = 0;
    return 0;
}

/* Whether an HTTP answer is whole by its Content-Length (else it ends at EOF). */
static int http_complete(const char *response, size_t len) {
    const char *end = strstr(response, "\r\n\r\n");
    if (!end) return 0;
    const char *cl = strcasestr(response, "\r\ncontent-length:");
    if (!cl || cl > end) return 0;
    long want = strtol(cl + 17, NULL, 10);
    return (long)(len - (size_t)(end + 4 - response)) >= want;
}

/* The webhook's answer: the stream's path, its bearer token and its open metadata. */
static int read_webhook(stream *s, const char *response) {
    if (strncmp(response, "HTTP/1.1 200", 12) != 0 && strncmp(response, "HTTP/1.0 200", 12) != 0) return -1;
    const char *body = strstr(response, "\r\n\r\n");
    if (!body) return -1;
    char url[512], header[1024];
    if (xml_attribute(body, "url", url, sizeof url) < 0) return -1;
    const char *scheme = strstr(url, "://");
    const char *path = scheme ? strchr(scheme + 3, '/') : NULL;
    snprintf(s->path, sizeof s->path, "%s", path ? path : "/");
    s->token[0] = 0;
    if (xml_attribute(body, "headerMetadata", header, sizeof header) == 0) {
        const char *bearer = strstr(header, "Bearer ");
        if (bearer) {
            bearer += 7;
            size_t n = 0;
            while (bearer[n] && bearer[n] != '"' && n + 1 < sizeof s->token) { s->token[n] = bearer[n]; n++; }
            s->token[n] = 0;
        }
    }
    s->metadata[0] = 0;
    xml_attribute(body, "openMetadata", s->metadata, sizeof s->metadata);
    return 0;
}

static void send_webhook(const mload_config *c, int ep, stream *s) {
    char body[256], request[1024];
    int b = snprintf(body, sizeof body, "call_sid=CAload%06d&from=%%2B2547%08d&to=%%2B254709000000", s->index, s->index);
    int n = snprintf(request, sizeof request,
                     "POST %s HTTP/1.1\r\nHost: %s:%d\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s",
                     c->webhook_path, c->host, c->port, b, body);
    send_bytes(ep, s, request, (size_t)n);
}

static void send_upgrade(const mload_config *c, int ep, stream *s) {
    char request[1536];
    int n = snprintf(request, sizeof request,
                     "GET %s HTTP/1.1\r\nHost: %s:%d\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                     "Sec-WebSocket-Key: bWlhZGktbG9hZC0xMjM0NQ==\r\nSec-WebSocket-Version: 13\r\n"
                     "Sec-WebSocket-Protocol: audio.drachtio.org\r\n%s%s%s\r\n",
                     s->path, c->host, c->port, s->token[0] ? "Authorization: Bearer " : "", s->token, s->token[0] ? "\r\n" : "");
    send_bytes(ep, s, request, (size_t)n);
}

static int frame_samples(const mload_config *c) { return c->sample_rate / 50; }

/* Little-endian 16-bit samples to and from the wire. */
static void decode_pcm16(int16_t *to, const uint8_t *from, int64_t count) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    memcpy(to, from, (size_t)count * 2);
#else
    for (int64_t i = 0; i < count; i++) to[i] = (int16_t)(from[2 * i] | (from[2 * i + 1] << 8));
#endif
}

/* The platform plays 20 ms: marks reached are reported; a dry buffer inside an utterance is an underrun. */
static void play_tick(const mload_config *c, int ep, stream *s, mload_result *r, int16_t *right) {
    int n = frame_samples(c);
    int64_t available = s->written - s->played;
    /* It starts once it holds its prebuffer, or the rest of an utterance (its end is marked). */
    int complete = 0;
    for (int m = 0; m < s->mark_count; m++) if (s->marks[m].position == s->written) complete = 1;
    if (!s->playing && available > 0 && (available >= (int64_t)c->sample_rate * c->prebuffer_ms / 1000 || complete)) s->playing = 1;
    /* The end of an utterance is marked: a buffer that runs dry there has finished, not starved. */
    int64_t take = 0;
    if (s->playing) {
        take = available < n ? available : n;
        int64_t ring = (int64_t)c->sample_rate * PLAYOUT_SECONDS;
        if (right) {
            int64_t at = s->played % ring;
            int64_t first = take < ring - at ? take : ring - at;
            memcpy(right, s->playout + at, (size_t)first * 2);
            memcpy(right + first, s->playout, (size_t)(take - first) * 2);
        }
        s->played += take;
        if (take < n) {
            int at_mark = s->last_mark_played == s->played;
            for (int m = 0; m < s->mark_count; m++) if (s->marks[m].position == s->played) at_mark = 1;
            if (!at_mark) {
                r->underruns++;
                if (getenv("MLOAD_DEBUG")) fprintf(stderr, "underrun: stream %d played %lld written %lld marks %d (first at %lld)\n", s->index, (long long)s->played, (long long)s->written, s->mark_count, s->mark_count ? (long long)s->marks[0].position : -1LL);
            }
            s->playing = 0;
        }
    }
    if (right) for (int64_t i = take; i < n; i++) right[i] = 0;
    /* Marks reached. */
    int kept = 0;
    for (int m = 0; m < s->mark_count; m++) {
        if (s->marks[m].position <= s->played) {
            s->last_mark_played = s->marks[m].position;
            char text[192];
            int l = snprintf(text, sizeof text, "{\"type\":\"mark\",\"data\":{\"name\":\"%s\",\"event\":\"playout\"}}", s->marks[m].name);
            send_frame(ep, s, 0x1, (const uint8_t *)text, (size_t)l);
        } else s->marks[kept++] = s->marks[m];
    }
    s->mark_count = kept;
}

static void send_audio_frame(const mload_config *c, int ep, stream *s, mload_result *r) {
    int n = frame_samples(c);
    int16_t right[960];
    play_tick(c, ep, s, r, c->stereo ? right : NULL);
    int16_t left[960];
    size_t at = (size_t)(s->caller_pos % (int64_t)c->caller_count);
    for (int i = 0; i < n;) {
        int run = (size_t)(n - i) < c->caller_count - at ? n - i : (int)(c->caller_count - at);
        memcpy(left + i, c->caller + at, (size_t)run * 2);
        i += run;
        at = 0;
    }
    uint8_t payload[960 * 4];
    size_t bytes = 0;
    for (int i = 0; i < n; i++) {
        payload[bytes++] = (uint8_t)left[i];
        payload[bytes++] = (uint8_t)((uint16_t)left[i] >> 8);
        if (c->stereo) {
            payload[bytes++] = (uint8_t)right[i];
            payload[bytes++] = (uint8_t)((uint16_t)right[i] >> 8);
        }
    }
    /* The caller stops speaking inside this frame: the reply is timed from that sample. */
    int64_t loop = (int64_t)c->caller_count;
    for (size_t u = 0; u < c->utterance_end_count; u++) {
        int64_t base = s->caller_pos - s->caller_pos % loop;
        for (int k = 0; k < 2; k++) {
            int64_t end = base + k * loop + c->utterance_ends[u];
            if (end > s->caller_pos && end <= s->caller_pos + n) {
                if (s->awaiting_reply) r->missed_replies++;
                s->utterance_end_at = s->next_frame_at + (double)(end - s->caller_pos) / c->sample_rate;
                s->awaiting_reply = 1;
            }
        }
    }
    s->caller_pos += n;
    s->frames++;
    r->frames_sent++;
    send_frame(ep, s, 0x2, payload, bytes);
}

static void on_text(const mload_config *c, int ep, stream *s, mload_result *r, const char *text, size_t n) {
    (void)c;
    char buf[512];
    size_t l = n < sizeof buf - 1 ? n : sizeof buf - 1;
    memcpy(buf, text, l);
    buf[l] = 0;
    if (strstr(buf, "killAudio")) {
        r->kill_audio_received++;
        for (int m = 0; m < s->mark_count; m++) {
            char out[192];
            int k = snprintf(out, sizeof out, "{\"type\":\"mark\",\"data\":{\"name\":\"%s\",\"event\":\"cleared\"}}", s->marks[m].name);
            send_frame(ep, s, 0x1, (const uint8_t *)out, (size_t)k);
        }
        s->mark_count = 0;
        s->played = s->written;
        s->playing = 0;
    } else if (strstr(buf, "\"mark\"")) {
        r->marks_received++;
        const char *name = strstr(buf, "\"name\"");
        if (!name || s->mark_count >= MAX_MARKS) return;
        name = strchr(name + 6, '"');
        if (!name) return;
        name++;
        mark *m = &s->marks[s->mark_count++];
        size_t k = 0;
        while (name[k] && name[k] != '"' && k + 1 < sizeof m->name) { m->name[k] = name[k]; k++; }
        m->name[k] = 0;
        m->position = s->written;
        if (getenv("MLOAD_DEBUG")) fprintf(stderr, "mark %s at %lld (played %lld)\n", m->name, (long long)m->position, (long long)s->played);
    }
}

static int latency_bucket(double ms) {
    return ms < 0 ? 0 : ms >= MLOAD_LATENCY_BUCKETS - 1 ? MLOAD_LATENCY_BUCKETS - 1 : (int)ms;
}

static void on_binary(const mload_config *c, stream *s, mload_result *r, const uint8_t *data, size_t n, double now, double arrived, double steady_from) {
    r->frames_received++;
    r->bytes_received += (int64_t)n;
    if (n >= 2 && s->awaiting_reply) {
        s->awaiting_reply = 0;
        if (s->utterance_end_at >= steady_from) {
            c->latency_ms[latency_bucket((now - s->utterance_end_at) * 1000)]++;
            if (c->arrival_latency_ms) c->arrival_latency_ms[latency_bucket((arrived - s->utterance_end_at) * 1000)]++;
            /* The server hears the line on the generator's clock: when the generator runs late,
               the frames that tell the server the caller stopped (the end and the silence after
               it) go late by as much, and the reply with them. Taken out: its lag when the
               reply arrived (that of the last frame it had sent). */
            if (c->server_latency_ms) c->server_latency_ms[latency_bucket((arrived - s->utterance_end_at - s->send_lag) * 1000)]++;
            r->replies++;
        }
    }
    int64_t ring = (int64_t)c->sample_rate * PLAYOUT_SECONDS;
    int64_t count = (int64_t)(n / 2);
    /* The ring in at most two runs, not a sample at a time with a wrap test on each. */
    for (int64_t done = 0; done < count;) {
        int64_t at = s->written % ring;
        int64_t run = count - done < ring - at ? count - done : ring - at;
        decode_pcm16(s->playout + at, data + 2 * done, run);
        s->written += run;
        done += run;
    }
    /* A server far ahead: the oldest samples go. */
    if (s->written - s->played > ring) s->played = s->written - ring;
}

/* Parses whole server frames out of s->in. Returns 1 when the server closed. */
static int read_frames(const mload_config *c, int ep, stream *s, mload_result *r, double now, double arrived, double steady_from) {
    size_t at = 0;
    int closed = 0;
    while (s->in_len - at >= 2) {
        uint8_t *p = s->in + at;
        int fin = p[0] & 0x80, opcode = p[0] & 0x0f;
        uint64_t len = p[1] & 0x7f;
        size_t h = 2;
        if (len == 126) { if (s->in_len - at < 4) break; len = ((uint64_t)p[2] << 8) | p[3]; h = 4; }
        else if (len == 127) {
            if (s->in_len - at < 10) break;
            len = 0;
            for (int i = 0; i < 8; i++) len = (len << 8) | p[2 + i];
            h = 10;
        }
        if (p[1] & 0x80) h += 4; /* servers do not mask; tolerate it anyway */
        if (s->in_len - at < h + len) break;
        const uint8_t *payload = p + h;
        (void)fin;
        if (opcode == 0) opcode = s->fragment_opcode;
        else if (!fin) s->fragment_opcode = opcode;
        switch (opcode) {
        case 0x1: on_text(c, ep, s, r, (const char *)payload, (size_t)len); break;
        case 0x2: on_binary(c, s, r, payload, (size_t)len, now, arrived, steady_from); break;
        case 0x8: closed = 1; break;
        case 0x9: send_frame(ep, s, 0xA, payload, (size_t)len); break;
        default: break;
        }
        at += h + (size_t)len;
        if (closed) break;
    }
    memmove(s->in, s->in + at, s->in_len - at);
    s->in_len -= at;
    return closed;
}

/* When streams next need the loop, earliest first: a binary heap of (time, stream), an entry
   stale once its stream is scheduled again (its generation moved on). Each pass of the loop
   scanned every stream before (`perf` put a third of the generator's own code there, though its
   CPU as a whole, most of it the kernel's TCP path, did not measurably fall). */
typedef struct {
    double at;
    int index;
    uint32_t generation;
} due_entry;

typedef struct {
    due_entry *items;
    size_t count, cap;
    uint32_t *generation; /* per stream */
} due_heap;

static void heap_schedule(due_heap *h, int index, double at) {
    if (h->count == h->cap) {
        h->cap = h->cap ? h->cap * 2 : 1024;
        h->items = realloc(h->items, h->cap * sizeof(due_entry));
    }
    due_entry e = {.at = at, .index = index, .generation = ++h->generation[index]};
    size_t k = h->count++;
    while (k > 0) {
        size_t parent = (k - 1) / 2;
        if (h->items[parent].at <= e.at) break;
        h->items[k] = h->items[parent];
        k = parent;
    }
    h->items[k] = e;
}

static due_entry heap_pop(due_heap *h) {
    due_entry top = h->items[0];
    due_entry last = h->items[--h->count];
    size_t k = 0;
    for (;;) {
        size_t child = 2 * k + 1;
        if (child >= h->count) break;
        if (child + 1 < h->count && h->items[child + 1].at < h->items[child].at) child++;
        if (last.at <= h->items[child].at) break;
        h->items[k] = h->items[child];
        k = child;
    }
    if (h->count > 0) h->items[k] = last;
    return top;
}

/* When the loop must next look at a stream. */
static double attention(const stream *s) {
    switch (s->phase) {
    case IDLE: return s->start_at;
    case WEBHOOK: case WS_HANDSHAKE: case CLOSING: return s->deadline;
    case STREAMING: return s->next_frame_at < s->end_at ? s->next_frame_at : s->end_at;
    default: return 1e300;
    }
}

int mload_run(const mload_config *c, mload_result *r) {
    memset(r, 0, sizeof *r);
    if (c->streams <= 0 || !c->latency_ms || c->caller_count == 0 || c->sample_rate % 50 != 0 || c->sample_rate > 48000) {
        snprintf(r->first_error, sizeof r->first_error, "bad configuration");
        return -1;
    }
    struct rlimit lim;
    if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) { lim.rlim_cur = lim.rlim_max; setrlimit(RLIMIT_NOFILE, &lim); }
    int ep = epoll_create1(EPOLL_CLOEXEC);
    stream *streams = calloc((size_t)c->streams, sizeof(stream));
    int64_t ring = (int64_t)c->sample_rate * PLAYOUT_SECONDS;
    double t0 = now_s();
    double clock_offset = realtime_minus_monotonic();
    for (int i = 0; i < c->streams; i++) {
        stream *s = &streams[i];
        s->index = i;
        s->fd = -1;
        s->phase = IDLE;
        s->start_at = t0 + (c->streams > 1 ? c->ramp_seconds * i / (c->streams - 1) : 0);
        s->playout = calloc((size_t)ring, sizeof(int16_t));
    }
    due_heap heap = {.generation = calloc((size_t)c->streams, sizeof(uint32_t))};
    for (int i = 0; i < c->streams; i++) heap_schedule(&heap, i, streams[i].start_at);
    int *visits = malloc(sizeof(int) * (size_t)c->streams);
    int stop_seen = 0;
    double steady_from = t0 + c->ramp_seconds;
    r->steady_from_s = c->ramp_seconds;
    struct rusage before;
    getrusage(RUSAGE_THREAD, &before);
    int remaining = c->streams;
    struct epoll_event events[256];
    uint8_t chunk[65536];
    while (remaining > 0) {
        double now = now_s();
        int stopping = c->stop && *c->stop;
        if (stopping && !stop_seen) {
            /* Every stream is looked at now: each ends as its phase allows. */
            stop_seen = 1;
            for (int i = 0; i < c->streams; i++) if (streams[i].phase != DONE) heap_schedule(&heap, i, now);
        }
        /* The streams due (within the millisecond: epoll waits whole milliseconds). */
        int visit_count = 0;
        while (heap.count > 0 && heap.items[0].at <= now + 0.001) {
            due_entry e = heap_pop(&heap);
            if (e.generation == heap.generation[e.index]) visits[visit_count++] = e.index;
        }
        for (int v = 0; v < visit_count; v++) {
            int i = visits[v];
            stream *s = &streams[i];
            if (s->phase == DONE) continue;
            if (s->phase == IDLE) {
                if (stopping) { s->phase = DONE; remaining--; continue; }
                if (now < s->start_at) continue;
                r->started++;
                s->deadline = now + c->connect_timeout_ms / 1000.0;
                if (open_socket(c, ep, s) < 0) { fail(ep, s, r, c->webhook_path ? &r->failed_webhook : &r->failed_handshake, "cannot connect", c->live); remaining--; continue; }
                if (c->webhook_path) { s->phase = WEBHOOK; send_webhook(c, ep, s); }
                else {
                    s->phase = WS_HANDSHAKE;
                    snprintf(s->path, sizeof s->path, "%s", c->stream_path);
                    snprintf(s->token, sizeof s->token, "%s", c->token ? c->token : "");
                    snprintf(s->metadata, sizeof s->metadata, "{\"call_sid\":\"CAload%06d\",\"from\":\"+2547%08d\",\"to\":\"+254709000000\"}", i, i);
                    send_upgrade(c, ep, s);
                }
                continue;
            }
            if ((s->phase == WEBHOOK || s->phase == WS_HANDSHAKE) && now > s->deadline) {
                fail(ep, s, r, s->phase == WEBHOOK ? &r->failed_webhook : &r->failed_handshake, "timed out", c->live);
                remaining--;
                continue;
            }
            if (s->phase == STREAMING) {
                if (now >= s->end_at || stopping) {
                    uint8_t code[2] = {0x03, 0xe8};
                    send_frame(ep, s, 0x8, code, 2);
                    s->phase = CLOSING;
                    s->deadline = now + 3;
                    if (c->live) (*c->live)--;
                    continue;
                }
                /* A frame due within the millisecond goes now: epoll waits whole milliseconds. */
                while (s->next_frame_at <= now + 0.001) {
                    double lag = (now - s->next_frame_at) * 1000;
                    if (lag > r->max_send_lag_ms) r->max_send_lag_ms = lag;
                    s->send_lag = lag > 0 ? lag / 1000 : 0;
                    if (lag > 10) r->late_frames++;
                    send_audio_frame(c, ep, s, r);
                    s->next_frame_at += 0.020;
                }
            }
            if (s->phase == CLOSING && now > s->deadline) {
                /* The server never answered our close: the stream ran its length all the same. */
                close_socket(ep, s);
                s->phase = DONE;
                r->clean++;
                remaining--;
                continue;
            }
        }
        for (int v = 0; v < visit_count; v++) {
            int i = visits[v];
            if (streams[i].phase != DONE) heap_schedule(&heap, i, attention(&streams[i]));
        }
        double next = heap.count > 0 ? heap.items[0].at : now + 1;
        double wait = (next - now_s()) * 1000 - 1;
        int timeout = wait <= 0 ? 0 : (int)wait + 1;
        if (timeout > 20) timeout = 20;
        int n = epoll_wait(ep, events, 256, timeout);
        now = now_s();
        int touched[256], touched_count = 0;
        for (int e = 0; e < n; e++) {
            stream *s = events[e].data.ptr;
            if (s->phase == DONE) continue;
            touched[touched_count++] = s->index; /* its phase may change: scheduled after the events */
            int *phase_counter = s->phase == WEBHOOK ? &r->failed_webhook : s->phase == WS_HANDSHAKE ? &r->failed_handshake : &r->dropped;
            if (!s->connected && (events[e].events & (EPOLLOUT | EPOLLERR | EPOLLHUP))) {
                int err = 0;
                socklen_t l = sizeof err;
                getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &l);
                if (err) {
                    char why[96];
                    snprintf(why, sizeof why, "cannot connect: %s", strerror(err));
                    fail(ep, s, r, phase_counter, why, c->live);
                    remaining--;
                    continue;
                }
                s->connected = 1;
            }
            if ((events[e].events & EPOLLOUT) && flush_out(ep, s) < 0) {
                fail(ep, s, r, phase_counter, "write failed", c->live);
                remaining--;
                continue;
            }
            if (!(events[e].events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))) continue;
            int eof = 0;
            double arrived = 0; /* when the first of these bytes reached the socket */
            for (;;) {
                double stamped;
                ssize_t got = recv_stamped(s->fd, chunk, sizeof chunk, clock_offset, &stamped);
                if (got > 0) {
                    if (arrived == 0) arrived = stamped > 0 && stamped <= now ? stamped : now;
                    append(&s->in, &s->in_len, &s->in_cap, chunk, (size_t)got);
                    /* A short read took all there was; epoll is level-triggered and says again
                       if more comes (a second read to hear EAGAIN doubled the reads). */
                    if ((size_t)got < sizeof chunk) break;
                    continue;
                }
                if (got == 0) eof = 1;
                else if (errno != EAGAIN && errno != EWOULDBLOCK) eof = 1;
                break;
            }
            if (s->phase == WEBHOOK) {
                append(&s->in, &s->in_len, &s->in_cap, "", 1);
                s->in_len--;
                if (!eof && !http_complete((const char *)s->in, s->in_len)) continue;
                int ok = read_webhook(s, (const char *)s->in) == 0;
                close_socket(ep, s);
                if (!ok) { s->phase = DONE; if (!s->failed) { r->failed_webhook++; s->failed = 1; set_error(r, "the webhook did not answer 200 with a <Stream url>", s->index); } remaining--; continue; }
                if (open_socket(c, ep, s) < 0) { fail(ep, s, r, &r->failed_handshake, "cannot connect", c->live); remaining--; continue; }
                s->phase = WS_HANDSHAKE;
                send_upgrade(c, ep, s);
                continue;
            }
            if (s->phase == WS_HANDSHAKE) {
                append(&s->in, &s->in_len, &s->in_cap, "", 1);
                s->in_len--;
                char *end = strstr((char *)s->in, "\r\n\r\n");
                if (!end) {
                    if (eof) { fail(ep, s, r, &r->failed_handshake, "closed during the handshake", c->live); remaining--; }
                    continue;
                }
                *end = 0;
                int ok = strncmp((char *)s->in, "HTTP/1.1 101", 12) == 0 && strcasestr((char *)s->in, "sec-websocket-protocol: audio.drachtio.org");
                if (!ok) {
                    char why[160];
                    snprintf(why, sizeof why, "handshake refused: %.100s", (char *)s->in);
                    for (char *q = why; *q; q++) if (*q == '\r' || *q == '\n') *q = ' ';
                    fail(ep, s, r, &r->failed_handshake, why, c->live);
                    remaining--;
                    continue;
                }
                size_t head = (size_t)(end + 4 - (char *)s->in);
                memmove(s->in, s->in + head, s->in_len - head);
                s->in_len -= head;
                s->phase = STREAMING;
                if (c->live) (*c->live)++;
                s->next_frame_at = now;
                s->end_at = now + c->seconds;
                if (s->metadata[0]) send_frame(ep, s, 0x1, (const uint8_t *)s->metadata, strlen(s->metadata));
            }
            if (s->phase == STREAMING || s->phase == CLOSING) {
                int closed = read_frames(c, ep, s, r, now, arrived > 0 ? arrived : now, steady_from);
                if (s->phase == CLOSING && (closed || eof)) {
                    close_socket(ep, s);
                    s->phase = DONE;
                    r->clean++;
                    remaining--;
                } else if (closed || eof) {
                    fail(ep, s, r, &r->dropped, closed ? "the server closed the stream before its end" : "the socket closed before the stream's end", c->live);
                    remaining--;
                }
            }
        }
        for (int t = 0; t < touched_count; t++) {
            int i = touched[t];
            if (streams[i].phase != DONE) heap_schedule(&heap, i, attention(&streams[i]));
        }
    }
    free(visits);
    free(heap.items);
    free(heap.generation);
    struct rusage after;
    getrusage(RUSAGE_THREAD, &after);
    r->generator_cpu_seconds = (after.ru_utime.tv_sec - before.ru_utime.tv_sec) + (after.ru_utime.tv_usec - before.ru_utime.tv_usec) / 1e6 +
                               (after.ru_stime.tv_sec - before.ru_stime.tv_sec) + (after.ru_stime.tv_usec - before.ru_stime.tv_usec) / 1e6;
    r->ended_at_s = now_s() - t0;
    for (int i = 0; i < c->streams; i++) {
        close_socket(ep, &streams[i]);
        free(streams[i].in);
        free(streams[i].out);
        free(streams[i].playout);
    }
    free(streams);
    close(ep);
    return 0;
}

int mload_http_status(const char *host, int port, const char *path, int timeout_ms) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    struct timeval tv = {.tv_sec = timeout_ms / 1000, .tv_usec = (timeout_ms % 1000) * 1000};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    inet_pton(AF_INET, host, &addr.sin_addr);
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0) { close(fd); return -1; }
    char request[512];
    int n = snprintf(request, sizeof request, "GET %s HTTP/1.1\r\nHost: %s:%d\r\nConnection: close\r\n\r\n", path, host, port);
    if (send(fd, request, (size_t)n, MSG_NOSIGNAL) != n) { close(fd); return -1; }
    char answer[64] = {0};
    ssize_t got = recv(fd, answer, sizeof answer - 1, 0);
    close(fd);
    int status = -1;
    if (got >= 12 && sscanf(answer, "HTTP/1.%*d %d", &status) == 1) return status;
    return -1;
}
