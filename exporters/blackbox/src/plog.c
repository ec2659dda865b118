/* Probe log lines in logfmt: ts=... level=... module=... target=... msg="...".
 * Every value from outside (target, message text) is quoted and escaped so a
 * hostile target cannot forge lines. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "plog.h"

struct bb_plog {
    pthread_mutex_t mu;
    omx_buf buf;
    char *module, *target;
    int echo_level;
    unsigned dropped;
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
    omx_buf_init(&l->buf, BB_PLOG_MAX_BYTES + 128); /* room for the drop note */
    l->echo_level = echo_level;
    return l;
}

bb_plog *bb_plog_free(bb_plog *l) {
    if (!l)
        return NULL;
    omx_buf_free(&l->buf);
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

/* Appends s quoted and escaped (logfmt) to b; fails only when b is full. */
static int quote(omx_buf *b, const char *s) {
    int rc = omx_buf_append(b, "\"", 1);
    for (const unsigned char *p = (const unsigned char *)s; *p && !rc; p++) {
        char esc[8];
        if (*p == '"' || *p == '\\') {
            esc[0] = '\\';
            esc[1] = (char)*p;
            rc = omx_buf_append(b, esc, 2);
        } else if (*p == '\n') {
            rc = omx_buf_append(b, "\\n", 2);
        } else if (*p < 0x20 || *p == 0x7f) {
            snprintf(esc, sizeof esc, "\\x%02x", *p);
            rc = omx_buf_append(b, esc, 4);
        } else {
            rc = omx_buf_append(b, p, 1);
        }
    }
    return rc ? rc : omx_buf_append(b, "\"", 1);
}

void bb_plog_vlogf(bb_plog *l, int level, const char *fmt, va_list ap) {
    char msg[2048], ts[64];
    vsnprintf(msg, sizeof msg, fmt, ap);
    if (!l) {
        omx_log((omx_log_level)level, msg, NULL);
        return;
    }
    struct timespec now;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &now);
    gmtime_r(&now.tv_sec, &tm);
    size_t n = strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(ts + n, sizeof ts - n, ".%03ldZ", now.tv_nsec / 1000000);

    pthread_mutex_lock(&l->mu);
    size_t mark = l->buf.len;
    omx_buf *b = &l->buf;
    int rc = omx_buf_append(b, "ts=", 3);
    if (!rc)
        rc = omx_buf_append(b, ts, strlen(ts));
    if (!rc)
        rc = omx_buf_append(b, " level=", 7);
    if (!rc)
        rc = omx_buf_append(b, level_name(level), strlen(level_name(level)));
    if (!rc)
        rc = omx_buf_append(b, " module=", 8);
    if (!rc)
        rc = quote(b, l->module);
    if (!rc)
        rc = omx_buf_append(b, " target=", 8);
    if (!rc)
        rc = quote(b, l->target);
    if (!rc)
        rc = omx_buf_append(b, " msg=", 5);
    if (!rc)
        rc = quote(b, msg);
    if (!rc)
        rc = omx_buf_append(b, "\n", 1);
    if (rc || b->len > BB_PLOG_MAX_BYTES) { /* full: the line goes, the count says so */
        b->len = mark;
        if (b->data)
            b->data[mark] = 0;
        l->dropped++;
    }
    pthread_mutex_unlock(&l->mu);
    if (level >= l->echo_level)
        omx_log((omx_log_level)level, msg, "module", l->module, "target", l->target, NULL);
}

const char *bb_plog_text(bb_plog *l, size_t *ret_len) {
    static const char none[] = "";
    if (!l || !l->buf.data) {
        if (ret_len)
            *ret_len = 0;
        return none;
    }
    pthread_mutex_lock(&l->mu);
    if (l->dropped) {
        char note[96];
        int n = snprintf(note, sizeof note, "ts=- level=warn msg=\"%u more lines dropped\"\n",
                         l->dropped);
        /* room is kept for the note by dropping it only when even that fails */
        if (omx_buf_append(&l->buf, note, (size_t)n) == 0)
            l->dropped = 0;
    }
    const char *s = l->buf.data;
    if (ret_len)
        *ret_len = l->buf.len;
    pthread_mutex_unlock(&l->mu);
    return s;
}
