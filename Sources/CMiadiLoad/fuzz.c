// Malformed input for a live server, one thread, epoll. See include/miadi_load.h (mfuzz_run).
//
// Each input is one connection: a mutated request or frame sequence is sent whole, then the
// server's answer is read until it closes the connection (or the time allowed passes). Inputs
// are made from a seeded xorshift generator, so a run is the same bytes every time and a
// failure can be replayed by its seed and index.
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
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

typedef struct {
    uint8_t *data;
    size_t len, cap;
} buffer;

static void put(buffer *b, const void *data, size_t n) {
    if (b->len + n > b->cap) {
        size_t c = b->cap ? b->cap : 1024;
        while (c < b->len + n) c *= 2;
        b->data = realloc(b->data, c);
        b->cap = c;
    }
    memcpy(b->data + b->len, data, n);
    b->len += n;
}

static void puts_(buffer *b, const char *s) { put(b, s, strlen(s)); }

static void putf(buffer *b, const char *format, ...) __attribute__((format(printf, 2, 3)));
#include <stdarg.h>
static void putf(buffer *b, const char *format, ...) {
    char text[4096];
    va_list args;
    va_start(args, format);
    int n = vsnprintf(text, sizeof text, format, args);
    va_end(args);
    if (n > 0) put(b, text, (size_t)(n < (int)sizeof text ? n : (int)sizeof text - 1));
}

/* xorshift64*: the run's only source of choices. */
typedef struct { uint64_t s; } rng;
static uint64_t next(rng *r) {
    r->s ^= r->s >> 12;
    r->s ^= r->s << 25;
    r->s ^= r->s >> 27;
    return r->s * 2685821657736338717ULL;
}
static uint32_t below(rng *r, uint32_t n) { return n ? (uint32_t)(next(r) % n) : 0; }
static int chance(rng *r, int percent) { return (int)below(r, 100) < percent; }

/* Bytes a hostile client likes: controls, CR and LF, NUL, bytes that are not UTF-8, the
   UTF-8 of U+FFFE, U+FFFF, U+200B, an overlong slash, a lone surrogate. */
static void hostile_bytes(rng *r, buffer *b, size_t n) {
    static const char *pieces[] = {"\r\n", "\n", "\r", "\0", "\xff", "\xfe", "\xef\xbf\xbe", "\xef\xbf\xbf", "\xe2\x80\x8b",
                                   "\xc0\xaf", "\xed\xa0\x80", "%", "%0a", "%00", "%ef%bf%bf", "\"", "<", "&", "'", "\\", "{", "}", ":", ","};
    for (size_t i = 0; i < n; i++) {
        if (chance(r, 30)) {
            const char *p = pieces[below(r, sizeof pieces / sizeof *pieces)];
            put(b, p, p[0] ? strlen(p) : 1);
        } else {
            uint8_t c = (uint8_t)below(r, 256);
            put(b, &c, 1);
        }
    }
}

/* Flips, inserts, deletes and repeats bytes of `b` from `from` on. */
static void mutate(rng *r, buffer *b, size_t from, int edits) {
    for (int e = 0; e < edits && b->len > from; e++) {
        size_t at = from + below(r, (uint32_t)(b->len - from));
        switch (below(r, 5)) {
        case 0: b->data[at] ^= (uint8_t)(1u << below(r, 8)); break;
        case 1: b->data[at] = (uint8_t)below(r, 256); break;
        case 2: { /* delete a run */
            size_t n = 1 + below(r, 16);
            if (at + n > b->len) n = b->len - at;
            memmove(b->data + at, b->data + at + n, b->len - at - n);
            b->len -= n;
            break;
        }
        case 3: { /* insert hostile bytes */
            buffer tail = {0};
            put(&tail, b->data + at, b->len - at);
            b->len = at;
            hostile_bytes(r, b, 1 + below(r, 8));
            put(b, tail.data, tail.len);
            free(tail.data);
            break;
        }
        default: { /* repeat a run */
            size_t n = 1 + below(r, 64);
            if (at + n > b->len) n = b->len - at;
            buffer copy = {0};
            put(&copy, b->data + at, n);
            buffer tail = {0};
            put(&tail, b->data + at, b->len - at);
            b->len = at;
            put(b, copy.data, copy.len);
            put(b, tail.data, tail.len);
            free(copy.data);
            free(tail.data);
        }
        }
    }
}

static const char *subprotocols[] = {"audio.drachtio.org", "audio.jambonz.org", "audio.drachtio.org\xe2\x80\x8b", "Audio.Drachtio.Org",
                                     "audio.drachtio.org, x", " audio.drachtio.org\t", "x", "", "audio.drachtio.org\r\nX-Injected: 1"};

/* A WebSocket upgrade request, well-formed unless mutated later. */
static void handshake(rng *r, buffer *b, const char *path, int well_formed) {
    putf(b, "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n", path);
    puts_(b, "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n");
    putf(b, "Sec-WebSocket-Protocol: %s\r\n", well_formed ? subprotocols[0] : subprotocols[below(r, sizeof subprotocols / sizeof *subprotocols)]);
    if (!well_formed) {
        switch (below(r, 6)) {
        case 0: puts_(b, "Authorization: Bearer "); hostile_bytes(r, b, below(r, 64)); puts_(b, "\r\n"); break;
        case 1: puts_(b, "Authorization: Basic Zm9vOmJhcg==\r\n"); break;
        case 2: { /* a header far over any limit */
            puts_(b, "X-Long: ");
            size_t n = 8192 + below(r, 120000);
            for (size_t i = 0; i < n; i++) put(b, "a", 1);
            puts_(b, "\r\n");
            break;
        }
        case 3: for (int i = 0; i < 200; i++) putf(b, "X-H%d: %d\r\n", i, i); break;
        default: break;
        }
    }
    puts_(b, "\r\n");
}

/* One client frame: masked unless told otherwise. */
static void frame(rng *r, buffer *b, int fin, int rsv, int opcode, const uint8_t *payload, size_t n, int masked, int lie_about_length) {
    uint8_t head[14];
    size_t h = 0;
    head[h++] = (uint8_t)((fin ? 0x80 : 0) | (rsv << 4) | (opcode & 0x0f));
    uint64_t declared = n;
    if (lie_about_length) declared = chance(r, 50) ? n + 1 + below(r, 1000) : (chance(r, 50) ? 0x7fffffffffffffffULL : (n ? n - 1 : 0));
    uint8_t mask_bit = masked ? 0x80 : 0;
    if (declared < 126) {
        head[h++] = mask_bit | (uint8_t)declared;
    } else if (declared < 65536) {
        head[h++] = mask_bit | 126;
        head[h++] = (uint8_t)(declared >> 8);
        head[h++] = (uint8_t)declared;
    } else {
        head[h++] = mask_bit | 127;
        for (int i = 7; i >= 0; i--) head[h++] = (uint8_t)(declared >> (8 * i));
    }
    uint8_t key[4] = {(uint8_t)below(r, 256), (uint8_t)below(r, 256), (uint8_t)below(r, 256), (uint8_t)below(r, 256)};
    if (masked) { memcpy(head + h, key, 4); h += 4; }
    put(b, head, h);
    size_t start = b->len;
    put(b, payload, n);
    if (masked) for (size_t i = 0; i < n; i++) b->data[start + i] ^= key[i & 3];
}

/* A frame sequence after a well-formed handshake: first (usually) metadata, then frames of
   every kind the protocol forbids or a careless client sends, then (usually) a close. */
static void frames(rng *r, buffer *b, int index) {
    buffer payload = {0};
    char metadata[256];
    snprintf(metadata, sizeof metadata, "{\"call_sid\":\"CA-fuzz-%d\",\"from\":\"+254711000002\",\"to\":\"+254709000100\"}", index % 64);
    if (chance(r, 80)) {
        put(&payload, metadata, strlen(metadata));
        if (chance(r, 40)) mutate(r, &payload, 0, 1 + (int)below(r, 4));
        frame(r, b, 1, 0, 1, payload.data, payload.len, 1, 0);
    }
    int count = 1 + (int)below(r, 6);
    for (int i = 0; i < count; i++) {
        payload.len = 0;
        int opcode, fin = 1, rsv = 0, masked = 1, lie = 0;
        switch (below(r, 12)) {
        case 0: opcode = 2; hostile_bytes(r, &payload, below(r, 1280)); break;                 /* audio of any size */
        case 1: opcode = 2; hostile_bytes(r, &payload, 640); masked = 0; break;                 /* unmasked: 1002 */
        case 2: opcode = 1; hostile_bytes(r, &payload, 1 + below(r, 64)); break;                /* text, likely not UTF-8: 1007 */
        case 3: opcode = 0; hostile_bytes(r, &payload, below(r, 64)); break;                    /* continuation with nothing to continue */
        case 4: opcode = 3 + (int)below(r, 5); hostile_bytes(r, &payload, below(r, 32)); break; /* reserved data opcode */
        case 5: opcode = 11 + (int)below(r, 5); break;                                          /* reserved control opcode */
        case 6: opcode = 2; rsv = 1 + (int)below(r, 7); hostile_bytes(r, &payload, 64); break; /* reserved bits */
        case 7: opcode = 9; fin = chance(r, 50); hostile_bytes(r, &payload, chance(r, 50) ? 200 : 8); break; /* ping: fragmented or too long */
        case 8: opcode = 2; fin = 0; hostile_bytes(r, &payload, 320); break;                   /* a fragment left open */
        case 9: opcode = 8; { uint8_t code[2] = {(uint8_t)below(r, 256), (uint8_t)below(r, 256)}; put(&payload, code, below(r, 3)); } break; /* close with any code */
        case 10: opcode = 2; lie = 1; hostile_bytes(r, &payload, below(r, 200)); break;        /* a length that lies */
        default: opcode = 1; put(&payload, metadata, strlen(metadata)); break;                  /* metadata again */
        }
        frame(r, b, fin, rsv, opcode, payload.data, payload.len, masked, lie);
    }
    /* Usually a close; otherwise the client just stops (its side shut after the frames). */
    if (chance(r, 85)) { uint8_t normal[2] = {0x03, 0xe8}; frame(r, b, 1, 0, 8, normal, 2, 1, 0); }
    free(payload.data);
}


/* A webhook POST with a body of any shape. */
static void webhook(rng *r, buffer *b, const char *path, int index) {
    buffer body = {0};
    const char *type = "application/x-www-form-urlencoded";
    switch (below(r, 6)) {
    case 0: case 1:
        putf(&body, "CallSid=CA-fuzzhook-%d&From=%%2B254711000002&To=%%2B254709000100&Direction=inbound", index % 512);
        mutate(r, &body, 0, 1 + (int)below(r, 6));
        break;
    case 2:
        puts_(&body, "CallSid=");
        hostile_bytes(r, &body, below(r, 300));
        puts_(&body, "&From=");
        hostile_bytes(r, &body, below(r, 40));
        break;
    case 3:
        type = "application/json";
        putf(&body, "{\"call_sid\":\"CA-fuzzjson-%d\",\"from\":\"+254711000002\",\"to\":\"+254709000100\"}", index % 512);
        mutate(r, &body, 0, 1 + (int)below(r, 6));
        break;
    case 4:
        type = chance(r, 50) ? "application/json" : "text/xml";
        hostile_bytes(r, &body, below(r, 2000));
        break;
    default:
        type = "multipart/form-data; boundary=x";
        for (uint32_t i = 0, n = below(r, 70000); i < n; i++) put(&body, "b", 1);
    }
    putf(b, "POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: %s\r\nConnection: close\r\n", path, type);
    switch (below(r, 8)) {
    case 0: putf(b, "Content-Length: %zu\r\n\r\n", body.len + 1 + below(r, 100)); put(b, body.data, body.len); break; /* a body that never ends */
    case 1: putf(b, "Content-Length: %zu\r\n\r\n", body.len > 3 ? body.len - 3 : 0); put(b, body.data, body.len); break; /* more than it said */
    case 2: { /* chunked, maybe broken */
        puts_(b, "Transfer-Encoding: chunked\r\n\r\n");
        putf(b, "%zx\r\n", body.len);
        put(b, body.data, body.len);
        puts_(b, chance(r, 50) ? "\r\n0\r\n\r\n" : "\r\nzz\r\n");
        break;
    }
    case 3: puts_(b, "Content-Length: 99999999999999999999\r\n\r\n"); put(b, body.data, body.len); break;
    default: putf(b, "Content-Length: %zu\r\n\r\n", body.len); put(b, body.data, body.len);
    }
    free(body.data);
}

/* Input `index` of a category. */
static void make_input(const mfuzz_config *c, int index, buffer *b, buffer *after_upgrade) {
    rng r = {c->seed * 0x9E3779B97F4A7C15ULL + (uint64_t)index * 0xBF58476D1CE4E5B9ULL + 1};
    for (int i = 0; i < 4; i++) next(&r);
    b->len = 0;
    after_upgrade->len = 0;
    switch (c->category) {
    case MFUZZ_HANDSHAKES:
        if (chance(&r, 10)) { /* not HTTP at all: TLS, binary, a half line */
            if (chance(&r, 50)) { uint8_t tls[] = {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03}; put(b, tls, sizeof tls); }
            hostile_bytes(&r, b, below(&r, 400));
            break;
        }
        handshake(&r, b, chance(&r, 90) ? c->stream_path : "/stream?x=%00", 0);
        if (chance(&r, 70)) mutate(&r, b, 0, 1 + (int)below(&r, 8));
        break;
    case MFUZZ_FRAMES:
        handshake(&r, b, c->stream_path, 1);
        frames(&r, after_upgrade, index);
        break;
    default:
        webhook(&r, b, c->webhook_path, index);
    }
}

enum state { FREE, CONNECTING, SENDING, UPGRADING, SENDING_FRAMES, READING };

typedef struct {
    int fd;
    enum state state;
    int index;
    double deadline;
    buffer out, frames_out;
    size_t sent;
    buffer in;
    int upgraded;
} conn;

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* What the server said, counted once the connection is over. */
static void tally(mfuzz_result *res, conn *k, int timed_out) {
    if (timed_out) res->timed_out++;
    if (k->in.len == 0) {
        if (!timed_out) res->closed_silently++;
        return;
    }
    res->answered++;
    size_t body = 0;
    if (k->in.len >= 12 && memcmp(k->in.data, "HTTP/1.", 7) == 0) {
        int status = atoi((const char *)k->in.data + 9);
        if (status == 101) res->upgraded++;
        else if (status >= 200 && status < 300) res->status_2xx++;
        else if (status >= 400 && status < 500) res->status_4xx++;
        else if (status >= 500 && status < 600) res->status_5xx++;
        else res->status_other++;
        if (status != 101) return;
        for (size_t i = 3; i < k->in.len; i++)
            if (memcmp(k->in.data + i - 3, "\r\n\r\n", 4) == 0) { body = i + 1; break; }
    } else {
        res->status_other++;
        return;
    }
    /* The server's frames after the 101: find its close code. */
    size_t p = body;
    while (p + 2 <= k->in.len) {
        int opcode = k->in.data[p] & 0x0f;
        uint64_t n = k->in.data[p + 1] & 0x7f;
        size_t h = 2;
        if (n == 126) { if (p + 4 > k->in.len) break; n = ((uint64_t)k->in.data[p + 2] << 8) | k->in.data[p + 3]; h = 4; }
        else if (n == 127) { if (p + 10 > k->in.len) break; n = 0; for (int i = 0; i < 8; i++) n = (n << 8) | k->in.data[p + 2 + i]; h = 10; }
        if (p + h + n > k->in.len) break;
        if (opcode == 8) {
            int code = n >= 2 ? (k->in.data[p + h] << 8) | k->in.data[p + h + 1] : 1005;
            int slot = code >= 1000 && code < 1015 ? code - 1000 : 15;
            res->close_codes[slot]++;
            return;
        }
        p += h + (size_t)n;
    }
    res->no_close_frame++;
}

static int open_connection(const mfuzz_config *c) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)c->port);
    inet_pton(AF_INET, c->host, &a.sin_addr);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0 && errno != EINPROGRESS) { close(fd); return -1; }
    return fd;
}

int mfuzz_run(const mfuzz_config *c, mfuzz_result *res) {
    memset(res, 0, sizeof *res);
    int width = c->concurrency > 0 ? c->concurrency : 32;
    conn *conns = calloc((size_t)width, sizeof *conns);
    int ep = epoll_create1(EPOLL_CLOEXEC);
    if (ep < 0 || !conns) { snprintf(res->first_error, sizeof res->first_error, "epoll: %s", strerror(errno)); free(conns); return -1; }
    for (int i = 0; i < width; i++) conns[i].fd = -1;
    int issued = 0, finished = 0;
    double timeout = c->timeout_ms > 0 ? c->timeout_ms / 1000.0 : 5.0;
    struct epoll_event events[256];
    uint8_t chunk[65536];
    while (finished < c->count) {
        /* Fill free slots with the next inputs. */
        for (int i = 0; i < width && issued < c->count; i++) {
            conn *k = &conns[i];
            if (k->state != FREE) continue;
            make_input(c, issued, &k->out, &k->frames_out);
            k->index = issued++;
            k->sent = 0;
            k->in.len = 0;
            k->upgraded = 0;
            k->fd = open_connection(c);
            if (k->fd < 0) { res->connect_failed++; finished++; continue; }
            k->state = CONNECTING;
            k->deadline = now_s() + timeout;
            struct epoll_event e = {.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP, .data.u32 = (uint32_t)i};
            epoll_ctl(ep, EPOLL_CTL_ADD, k->fd, &e);
            res->sent++;
        }
        int n = epoll_wait(ep, events, 256, 10);
        for (int e = 0; e < n; e++) {
            conn *k = &conns[events[e].data.u32];
            if (k->state == FREE) continue;
            int done = 0;
            if (events[e].events & EPOLLOUT) {
                if (k->state == CONNECTING) {
                    int err = 0;
                    socklen_t len = sizeof err;
                    getsockopt(k->fd, SOL_SOCKET, SO_ERROR, &err, &len);
                    if (err) { res->connect_failed++; done = 1; }
                    else k->state = SENDING;
                }
                buffer *out = k->state == SENDING ? &k->out : (k->state == SENDING_FRAMES ? &k->frames_out : NULL);
                while (!done && out && k->sent < out->len) {
                    ssize_t w = send(k->fd, out->data + k->sent, out->len - k->sent, MSG_NOSIGNAL);
                    if (w > 0) { k->sent += (size_t)w; continue; }
                    if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
                    out = NULL; /* the server stopped reading: read what it said */
                    k->state = READING;
                }
                if (!done && out && k->sent >= out->len) {
                    /* The frames are all sent: the client's side is done (with or without its
                       close frame), as a platform that hangs up. */
                    if (k->state == SENDING_FRAMES) shutdown(k->fd, SHUT_WR);
                    k->state = (k->state == SENDING && c->category == MFUZZ_FRAMES) ? UPGRADING : READING;
                    struct epoll_event m = {.events = EPOLLIN | EPOLLRDHUP, .data.u32 = events[e].data.u32};
                    epoll_ctl(ep, EPOLL_CTL_MOD, k->fd, &m);
                }
            }
            if (!done && (events[e].events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))) {
                for (;;) {
                    ssize_t got = recv(k->fd, chunk, sizeof chunk, 0);
                    if (got > 0) {
                        if (k->in.len < (1u << 16)) put(&k->in, chunk, (size_t)got);
                        continue;
                    }
                    if (got == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) done = 1;
                    break;
                }
                /* A handshake that was taken: the test of it is over (the server would wait its
                   metadata deadline for a first frame). */
                if (!done && c->category == MFUZZ_HANDSHAKES && k->in.len >= 12 && memcmp(k->in.data, "HTTP/1.1 101", 12) == 0 && memmem(k->in.data, k->in.len, "\r\n\r\n", 4)) done = 1;
                if (!done && k->state == UPGRADING && !k->upgraded) {
                    /* The 101's head is in: send the frames. */
                    for (size_t i = 3; i < k->in.len; i++) {
                        if (memcmp(k->in.data + i - 3, "\r\n\r\n", 4) != 0) continue;
                        k->upgraded = 1;
                        if (memcmp(k->in.data, "HTTP/1.1 101", 12) == 0) {
                            k->state = SENDING_FRAMES;
                            k->sent = 0;
                            struct epoll_event m = {.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP, .data.u32 = events[e].data.u32};
                            epoll_ctl(ep, EPOLL_CTL_MOD, k->fd, &m);
                        } else {
                            k->state = READING;
                        }
                        break;
                    }
                }
            }
            if (done) {
                tally(res, k, 0);
                epoll_ctl(ep, EPOLL_CTL_DEL, k->fd, NULL);
                close(k->fd);
                k->fd = -1;
                k->state = FREE;
                finished++;
            }
        }
        double t = now_s();
        for (int i = 0; i < width; i++) {
            conn *k = &conns[i];
            if (k->state == FREE || t < k->deadline) continue;
            if (getenv("MFUZZ_DEBUG")) {
                fprintf(stderr, "timeout #%d state %d in %zu upgraded %d: ", k->index, k->state, k->in.len, k->upgraded);
                buffer *shown = c->category == MFUZZ_FRAMES ? &k->frames_out : &k->out;
                for (size_t i = 0; i < shown->len && i < 100000; i++) fprintf(stderr, "%02x", shown->data[i]);
                fputc('\n', stderr);
            }
            tally(res, k, 1);
            epoll_ctl(ep, EPOLL_CTL_DEL, k->fd, NULL);
            close(k->fd);
            k->fd = -1;
            k->state = FREE;
            finished++;
        }
    }
    for (int i = 0; i < width; i++) { free(conns[i].out.data); free(conns[i].frames_out.data); free(conns[i].in.data); }
    free(conns);
    close(ep);
    return 0;
}
