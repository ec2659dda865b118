/* Probe log lines in logfmt: ts=... level=... module=... target=... msg=...,
 * written by the process log's logfmt writer: values are quoted when they
 * need it and escaped, so a hostile target cannot forge lines.
 *
 * A line is kept raw (time, level, message) and rendered only when the text
 * is asked for: most probes' lines are never read, and the timestamp and the
 * escaping are most of a line's cost. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "plog.h"

/* One raw line in buf: this header, then len bytes of message (no NUL). */
typedef struct rec {
    int64_t sec;
    int32_t msec;
    uint16_t len;
    uint8_t level;
} rec;

struct bb_plog {
    pthread_mutex_t mu;
    omx_buf buf;  /* raw lines */
    omx_buf text; /* rendered, for n_text lines */
    size_t n_lines, n_text;
    char *module, *target;
    int echo_level;
    unsigned dropped; /* lines that did not fit raw */
};

bb_plog *bb_plog_new(const char *module, const char *target, int echo_level) {
    bb_plog *l = calloc(1, sizeof *l);
    if (!l)
        return NULL;
    l->module = strdup(module ? module : "");
    l->target = strdup(target ? target : "");
    if (!l->module || !l->target) {
        free(l->module);
        free(l->target);
        free(l);
        return NULL;
    }
    pthread_mutex_init(&l->mu, NULL);
    /* raw lines are never longer than rendered ones: the same cap keeps every
     * line the rendered text can hold */
    omx_buf_init(&l->buf, BB_PLOG_MAX_BYTES);
    omx_buf_init(&l->text, BB_PLOG_MAX_BYTES + 128); /* room for the drop note */
    l->echo_level = echo_level;
    return l;
}

bb_plog *bb_plog_free(bb_plog *l) {
    if (!l)
        return NULL;
    omx_buf_free(&l->buf);
    omx_buf_free(&l->text);
    pthread_mutex_destroy(&l->mu);
    free(l->module);
    free(l->target);
    free(l);
    return NULL;
}

static const char *level_name(int level) {
    switch (level) {
    case OMX_LOG_DEBUG: return "debug";
    case OMX_LOG_INFO: return "info";
    case OMX_LOG_WARN: return "warn";
    default: return "error";
    }
}

#define PLOG_MSG_MAX 2048

void bb_plog_vlogf(bb_plog *l, int level, const char *fmt, va_list ap) {
    char msg[PLOG_MSG_MAX];
    int n = vsnprintf(msg, sizeof msg, fmt, ap);
    if (!l) {
        omx_log((omx_log_level)level, msg, NULL);
        return;
    }
    size_t len = n < 0 ? 0 : (size_t)n >= sizeof msg ? sizeof msg - 1 : (size_t)n;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    rec r = {.sec = ts.tv_sec,
             .msec = (int32_t)(ts.tv_nsec / 1000000),
             .len = (uint16_t)len,
             .level = (uint8_t)level};

    pthread_mutex_lock(&l->mu);
    omx_buf *b = &l->buf;
    size_t mark = b->len;
    int rc = omx_buf_append(b, &r, sizeof r);
    if (!rc)
        rc = omx_buf_append(b, msg, len);
    if (rc) { /* full: the line goes, the count says so */
        b->len = mark;
        l->dropped++;
    } else {
        l->n_lines++;
    }
    pthread_mutex_unlock(&l->mu);
    if (level >= l->echo_level)
        omx_log((omx_log_level)level, msg, "module", l->module, "target", l->target, NULL);
}

/* Room for a whole message escaped (at most 6 bytes a byte) and its keys;
 * a longer line is cut, as the process log cuts. */
#define PLOG_LINE_MAX 16384

/* Renders every raw line into l->text (locked by the caller). A line that
 * would take the text past BB_PLOG_MAX_BYTES is dropped and counted. */
static void render(bb_plog *l) {
    char msg[PLOG_MSG_MAX], ts[32], line[PLOG_LINE_MAX];
    omx_buf *t = &l->text;
    unsigned dropped = l->dropped;
    t->len = 0;
    if (t->data)
        t->data[0] = 0;
    for (size_t off = 0; off + sizeof(rec) <= l->buf.len;) {
        rec r;
        memcpy(&r, l->buf.data + off, sizeof r);
        memcpy(msg, l->buf.data + off + sizeof r, r.len);
        msg[r.len] = 0;
        off += sizeof r + r.len;

        struct tm tm;
        time_t sec = (time_t)r.sec;
        gmtime_r(&sec, &tm);
        size_t k = strftime(ts, 24, "%Y-%m-%dT%H:%M:%S", &tm);
        snprintf(ts + k, sizeof ts - k, ".%03uZ", (unsigned)r.msec % 1000u);
        size_t n = omx_logfmt_append(line, sizeof line - 1, 0, "ts", ts);
        n = omx_logfmt_append(line, sizeof line - 1, n, "level", level_name(r.level));
        n = omx_logfmt_append(line, sizeof line - 1, n, "module", l->module);
        n = omx_logfmt_append(line, sizeof line - 1, n, "target", l->target);
        n = omx_logfmt_append(line, sizeof line - 1, n, "msg", msg);
        line[n++] = '\n'; /* the cap kept a byte for it */
        size_t mark = t->len;
        if (t->len + n > BB_PLOG_MAX_BYTES || omx_buf_append(t, line, n)) {
            t->len = mark;
            if (t->data)
                t->data[mark] = 0;
            dropped++;
        }
    }
    if (dropped) {
        char note[96];
        int n =
            snprintf(note, sizeof note, "ts=- level=warn msg=\"%u more lines dropped\"\n", dropped);
        omx_buf_append(t, note, (size_t)n); /* the text's cap keeps room for it */
    }
    l->n_text = l->n_lines;
}

const char *bb_plog_text(bb_plog *l, size_t *ret_len) {
    static const char none[] = "";
    if (!l) {
        if (ret_len)
            *ret_len = 0;
        return none;
    }
    pthread_mutex_lock(&l->mu);
    if (!l->text.data || l->n_text != l->n_lines)
        render(l);
    const char *s = l->text.data ? l->text.data : none;
    if (ret_len)
        *ret_len = l->text.len;
    pthread_mutex_unlock(&l->mu);
    return s;
}

void bb_plog_drop_text(bb_plog *l) {
    if (!l)
        return;
    pthread_mutex_lock(&l->mu);
    omx_buf_free(&l->text);
    omx_buf_init(&l->text, BB_PLOG_MAX_BYTES + 128);
    l->n_text = 0;
    pthread_mutex_unlock(&l->mu);
}
