/* One-line-per-event logging to stderr: logfmt (default) or JSON, with a
 * syslog "<N>" prefix when stderr is connected to the journal. */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "exporter/error.h"
#include "exporter/log.h"
#include "exporter/collector.h"
#include "log-internal.h"

static omx_log_level log_level = OMX_LOG_INFO;
static omx_log_format log_format = OMX_LOG_LOGFMT;
static bool log_journal;

static const char *const level_names[] = {"debug", "info", "warn", "error"};
/* syslog priorities: debug=7 info=6 warning=4 err=3 */
static const int level_prio[] = {7, 6, 4, 3};

int omx_log_parse_level(const char *s, omx_log_level *ret_level) {
    if (!s || !ret_level)
        return OMX_EINVAL;
    for (int i = 0; i < 4; i++)
        if (strcmp(s, level_names[i]) == 0) {
            *ret_level = (omx_log_level)i;
            return 0;
        }
    return OMX_EINVAL;
}

int omx_log_parse_format(const char *s, omx_log_format *ret_format) {
    if (!s || !ret_format)
        return OMX_EINVAL;
    if (strcmp(s, "logfmt") == 0)
        *ret_format = OMX_LOG_LOGFMT;
    else if (strcmp(s, "json") == 0)
        *ret_format = OMX_LOG_JSON;
    else
        return OMX_EINVAL;
    return 0;
}

/* JOURNAL_STREAM is "dev:inode" of the journal socket systemd gave us as stderr. */
bool omx__log_stderr_is_journal(void) {
    const char *js = getenv("JOURNAL_STREAM");
    struct stat st;
    unsigned long long dev, ino;
    if (!js || sscanf(js, "%llu:%llu", &dev, &ino) != 2)
        return false;
    if (fstat(STDERR_FILENO, &st) < 0)
        return false;
    return (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

/* The core links no logging: its collector warnings go to the log from here. */
static void core_warn(const char *msg, const char *key, const char *val) {
    omx_log(OMX_LOG_WARN, msg, key, val, NULL);
}

void omx_log_setup(omx_log_level level, omx_log_format format) {
    omx_set_collector_warn(core_warn);
    if ((int)level >= 0 && level <= OMX_LOG_ERROR)
        log_level = level;
    if (format == OMX_LOG_LOGFMT || format == OMX_LOG_JSON)
        log_format = format;
    log_journal = omx__log_stderr_is_journal();
}

bool omx__log_enabled(omx_log_level level) { return level >= log_level; }

/* Bounded line builder: a log line never grows past its buffer. */
typedef struct line {
    char *p;
    size_t len, cap;
} line;

static void put(line *l, const char *s, size_t n) {
    if (l->len + n >= l->cap)
        n = l->cap - 1 - l->len;
    memcpy(l->p + l->len, s, n);
    l->len += n;
    l->p[l->len] = '\0';
}

static void putc1(line *l, char c) { put(l, &c, 1); }

static bool logfmt_needs_quotes(const char *v) {
    if (!*v)
        return true;
    for (const unsigned char *p = (const unsigned char *)v; *p; p++)
        if (*p <= ' ' || *p == '"' || *p == '=' || *p == '\\' || *p == 0x7f)
            return true;
    return false;
}

/* Escapes for both formats: \" \\ \n \r \t and \u00XX for other controls. */
static void put_escaped(line *l, const char *v) {
    char tmp[8];
    for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
        switch (*p) {
        case '"': put(l, "\\\"", 2); break;
        case '\\': put(l, "\\\\", 2); break;
        case '\n': put(l, "\\n", 2); break;
        case '\r': put(l, "\\r", 2); break;
        case '\t': put(l, "\\t", 2); break;
        default:
            if (*p < 0x20 || *p == 0x7f) {
                snprintf(tmp, sizeof tmp, "\\u%04x", *p);
                put(l, tmp, 6);
            } else {
                putc1(l, (char)*p);
            }
        }
    }
}

static void put_logfmt_value(line *l, const char *v) {
    if (!logfmt_needs_quotes(v)) {
        put(l, v, strlen(v));
        return;
    }
    putc1(l, '"');
    put_escaped(l, v);
    putc1(l, '"');
}

/* Keys are ours (string literals); still drop characters logfmt cannot carry. */
static void put_logfmt_key(line *l, const char *k) {
    for (; *k; k++)
        putc1(l, (*k <= ' ' || *k == '=' || *k == '"') ? '_' : *k);
}

size_t omx__log_format_line(char *buf, size_t cap, omx_log_format format, omx_log_level level,
                            const char *ts, const char *msg, const char *const *kv, size_t n_kv) {
    line l = {buf, 0, cap};
    if (cap == 0)
        return 0;
    buf[0] = '\0';
    if (format == OMX_LOG_JSON) {
        put(&l, "{\"ts\":\"", 7);
        put(&l, ts, strlen(ts));
        put(&l, "\",\"level\":\"", 11);
        put(&l, level_names[level], strlen(level_names[level]));
        put(&l, "\",\"msg\":\"", 9);
        put_escaped(&l, msg ? msg : "");
        putc1(&l, '"');
        for (size_t i = 0; i < n_kv; i += 2) {
            put(&l, ",\"", 2);
            put_escaped(&l, kv[i]);
            put(&l, "\":\"", 3);
            put_escaped(&l, i + 1 < n_kv && kv[i + 1] ? kv[i + 1] : "");
            putc1(&l, '"');
        }
        putc1(&l, '}');
    } else {
        l.len = omx_logfmt_append(buf, cap, l.len, "ts", ts);
        l.len = omx_logfmt_append(buf, cap, l.len, "level", level_names[level]);
        l.len = omx_logfmt_append(buf, cap, l.len, "msg", msg);
        for (size_t i = 0; i < n_kv; i += 2)
            l.len = omx_logfmt_append(buf, cap, l.len, kv[i], i + 1 < n_kv ? kv[i + 1] : NULL);
    }
    return l.len;
}

size_t omx_logfmt_append(char *buf, size_t cap, size_t len, const char *key, const char *value) {
    if (!buf || cap == 0)
        return 0;
    if (len >= cap)
        len = cap - 1;
    line l = {buf, len, cap};
    buf[len] = '\0';
    if (len > 0)
        putc1(&l, ' ');
    put_logfmt_key(&l, key ? key : "");
    putc1(&l, '=');
    put_logfmt_value(&l, value ? value : "");
    return l.len;
}

void omx_log_timestamp(char out[32]) {
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    size_t n = strftime(out, 24, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out + n, 32 - n, ".%03uZ", (unsigned)(ts.tv_nsec / 1000000) % 1000u);
}

#define LOG_MAX_KV 32
#define LOG_LINE_MAX 4096

void omx_log(omx_log_level level, const char *msg, ...) {
    const char *kv[LOG_MAX_KV];
    size_t n = 0;
    char ts[32];
    char buf[LOG_LINE_MAX];
    size_t len = 0;
    va_list ap;

    if ((int)level < 0 || level > OMX_LOG_ERROR)
        level = OMX_LOG_ERROR;
    if (level < log_level)
        return;
    va_start(ap, msg);
    for (const char *s; n < LOG_MAX_KV && (s = va_arg(ap, const char *)) != NULL;)
        kv[n++] = s;
    va_end(ap);

    omx_log_timestamp(ts);
    if (log_journal)
        len = (size_t)snprintf(buf, sizeof buf, "<%d>", level_prio[level]);
    len += omx__log_format_line(buf + len, sizeof buf - len - 1, log_format, level, ts, msg, kv, n);
    buf[len++] = '\n';
    /* One write(2) per line so lines from threads don't interleave. */
    for (size_t off = 0; off < len;) {
        ssize_t w = write(STDERR_FILENO, buf + off, len - off);
        if (w <= 0)
            break;
        off += (size_t)w;
    }
}
