/* Probe log lines in logfmt: ts=... level=... module=... target=... msg=...,
 * written by the process log's logfmt writer: values are quoted when they
 * need it and escaped, so a hostile target cannot forge lines. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* Room for a whole message escaped (at most 6 bytes a byte) and its keys;
 * a longer line is cut, as the process log cuts. */
#define PLOG_LINE_MAX 16384

void bb_plog_vlogf(bb_plog *l, int level, const char *fmt, va_list ap) {
    char msg[2048], ts[32], line[PLOG_LINE_MAX];
    vsnprintf(msg, sizeof msg, fmt, ap);
    if (!l) {
        omx_log((omx_log_level)level, msg, NULL);
        return;
    }
    omx_log_timestamp(ts);
    size_t n = omx_logfmt_append(line, sizeof line - 1, 0, "ts", ts);
    n = omx_logfmt_append(line, sizeof line - 1, n, "level", level_name(level));
    n = omx_logfmt_append(line, sizeof line - 1, n, "module", l->module);
    n = omx_logfmt_append(line, sizeof line - 1, n, "target", l->target);
    n = omx_logfmt_append(line, sizeof line - 1, n, "msg", msg);
    line[n++] = '\n'; /* the cap kept a byte for it */

    pthread_mutex_lock(&l->mu);
    size_t mark = l->buf.len;
    omx_buf *b = &l->buf;
    int rc = omx_buf_append(b, line, n);
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
