/* The systemd journal through sd-journal: entries matching the --journal
 * expressions become lines, by default in syslog's short form
 * ("Mon DD HH:MM:SS host ident[pid]: message", as journalctl -o short) so
 * that programs written for /var/log/syslog read them unchanged; with
 * journal_message_only the MESSAGE field alone. The cursor of the last entry
 * read goes to the state file. libsystemd is dlopen()ed when a --journal
 * source is added: without one its pages (and those of the compression
 * libraries it links) are never mapped. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-journal.h>
#include <time.h>

#include "exporter/app.h"
#include "internal.h"

#define LT_JOURNAL_NAME "journal"

struct lt_journal {
    lt_kind kind; /* LT_K_JOURNAL */
    sd_journal *j;
    int fd;
    bool pending;
    bool started;
    char *cursor; /* owned: the last entry read */
    lt_source_stats st;
    char *line; /* owned buffer the line is built in */
    size_t line_cap;
};

/* The sd-journal functions used, resolved once from libsystemd.so.0. */
static struct {
    __typeof__(&sd_journal_open) open;
    __typeof__(&sd_journal_open_directory) open_directory;
    __typeof__(&sd_journal_add_match) add_match;
    __typeof__(&sd_journal_add_disjunction) add_disjunction;
    __typeof__(&sd_journal_seek_head) seek_head;
    __typeof__(&sd_journal_seek_tail) seek_tail;
    __typeof__(&sd_journal_seek_cursor) seek_cursor;
    __typeof__(&sd_journal_next) next;
    __typeof__(&sd_journal_previous) previous;
    __typeof__(&sd_journal_test_cursor) test_cursor;
    __typeof__(&sd_journal_get_fd) get_fd;
    __typeof__(&sd_journal_process) process;
    __typeof__(&sd_journal_get_data) get_data;
    __typeof__(&sd_journal_get_realtime_usec) get_realtime_usec;
    __typeof__(&sd_journal_get_cursor) get_cursor;
    __typeof__(&sd_journal_close) close;
} sdj;
static pthread_once_t sdj_once = PTHREAD_ONCE_INIT;
static int sdj_rc = -ENOSYS;

static void sdj_load(void) {
    const omx_dlsym syms[] = {
        {(void **)&sdj.open, "sd_journal_open"},
        {(void **)&sdj.open_directory, "sd_journal_open_directory"},
        {(void **)&sdj.add_match, "sd_journal_add_match"},
        {(void **)&sdj.add_disjunction, "sd_journal_add_disjunction"},
        {(void **)&sdj.seek_head, "sd_journal_seek_head"},
        {(void **)&sdj.seek_tail, "sd_journal_seek_tail"},
        {(void **)&sdj.seek_cursor, "sd_journal_seek_cursor"},
        {(void **)&sdj.next, "sd_journal_next"},
        {(void **)&sdj.previous, "sd_journal_previous"},
        {(void **)&sdj.test_cursor, "sd_journal_test_cursor"},
        {(void **)&sdj.get_fd, "sd_journal_get_fd"},
        {(void **)&sdj.process, "sd_journal_process"},
        {(void **)&sdj.get_data, "sd_journal_get_data"},
        {(void **)&sdj.get_realtime_usec, "sd_journal_get_realtime_usec"},
        {(void **)&sdj.get_cursor, "sd_journal_get_cursor"},
        {(void **)&sdj.close, "sd_journal_close"},
    };
    sdj_rc = omx_dlsyms("libsystemd.so.0", syms, sizeof syms / sizeof syms[0]);
}

static int journal_open(lt_inputs *in) {
    lt_journal *jn = calloc(1, sizeof *jn);
    if (!jn)
        return -ENOMEM;
    jn->kind = LT_K_JOURNAL;
    jn->fd = -1;
    pthread_once(&sdj_once, sdj_load);
    if (sdj_rc < 0) {
        free(jn);
        return sdj_rc;
    }
    int rc = in->o.journal_dir ? sdj.open_directory(&jn->j, in->o.journal_dir, 0)
                               : sdj.open(&jn->j, SD_JOURNAL_LOCAL_ONLY);
    if (rc < 0) {
        free(jn);
        return rc;
    }
    lt_stats_source(&in->stats, LT_JOURNAL_NAME, false, &jn->st);
    in->journal = jn;
    return 0;
}

int lt__journal_add_match(lt_inputs *in, const char *match) {
    if (!in->journal) {
        int rc = journal_open(in);
        if (rc < 0)
            return rc;
    }
    sd_journal *j = in->journal->j;
    if (strcmp(match, "all") == 0 || !*match)
        return 0;
    if (strcmp(match, "+") == 0)
        return sdj.add_disjunction(j);
    const char *eq = strchr(match, '=');
    if (!eq || eq == match)
        return OMX_EINVAL;
    for (const char *p = match; p < eq; p++)
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_'))
            return OMX_EINVAL;
    return sdj.add_match(j, match, 0);
}

int lt__journal_start(lt_inputs *in, bool from_head) {
    lt_journal *jn = in->journal;
    if (!jn || jn->started)
        return 0;
    jn->started = true;
    int rc;
    const char *cursor = in->state.cursor;
    if (from_head) {
        rc = sdj.seek_head(jn->j);
    } else if (cursor && sdj.seek_cursor(jn->j, cursor) == 0) {
        /* the saved entry itself was read: step onto it, then past it */
        rc = sdj.next(jn->j);
        if (rc > 0 && sdj.test_cursor(jn->j, cursor) <= 0)
            rc = sdj.previous(jn->j);
    } else {
        rc = sdj.seek_tail(jn->j);
        if (rc >= 0)
            rc = sdj.previous(jn->j);
    }
    if (rc < 0)
        return rc;
    if (!from_head) {
        jn->fd = sdj.get_fd(jn->j);
        if (jn->fd < 0)
            return jn->fd;
        if ((rc = lt__epoll_add(in, jn->fd, jn)) < 0)
            return rc;
        omx_gauge_inc(in->stats.count_all);
    }
    jn->pending = true;
    return 0;
}

static bool field(sd_journal *j, const char *name, const char **ret, size_t *ret_len) {
    const void *d;
    size_t l;
    size_t nl = strlen(name);
    if (sdj.get_data(j, name, &d, &l) < 0 || l <= nl)
        return false;
    *ret = (const char *)d + nl + 1;
    *ret_len = l - nl - 1;
    return true;
}

static int put(lt_journal *jn, size_t *len, const char *s, size_t n) {
    if (*len + n > jn->line_cap) {
        size_t cap = jn->line_cap ? jn->line_cap : 512;
        while (cap < *len + n)
            cap *= 2;
        char *b = realloc(jn->line, cap);
        if (!b)
            return -ENOMEM;
        jn->line = b;
        jn->line_cap = cap;
    }
    memcpy(jn->line + *len, s, n);
    *len += n;
    return 0;
}

/* Builds the current entry's line in jn->line. Returns 0 or -ENOMEM. */
static int build_line(lt_inputs *in, lt_journal *jn, size_t *ret_len, bool *ret_cut) {
    const char *msg = "", *host = NULL, *ident = NULL, *pid = NULL;
    size_t msg_len = 0, host_len = 0, ident_len = 0, pid_len = 0;
    (void)field(jn->j, "MESSAGE", &msg, &msg_len);
    size_t len = 0;
    if (!in->o.journal_message_only) {
        uint64_t usec = 0;
        (void)sdj.get_realtime_usec(jn->j, &usec);
        time_t t = (time_t)(usec / 1000000);
        struct tm tm;
        char ts[32];
        localtime_r(&t, &tm);
        size_t tl = strftime(ts, sizeof ts, "%b %d %H:%M:%S", &tm);
        if (!field(jn->j, "_HOSTNAME", &host, &host_len))
            host = "localhost", host_len = 9;
        if (!field(jn->j, "SYSLOG_IDENTIFIER", &ident, &ident_len))
            (void)field(jn->j, "_COMM", &ident, &ident_len);
        if (!field(jn->j, "SYSLOG_PID", &pid, &pid_len))
            (void)field(jn->j, "_PID", &pid, &pid_len);
        int rc = put(jn, &len, ts, tl);
        rc = rc ? rc : put(jn, &len, " ", 1);
        rc = rc ? rc : put(jn, &len, host, host_len);
        if (ident) {
            rc = rc ? rc : put(jn, &len, " ", 1);
            rc = rc ? rc : put(jn, &len, ident, ident_len);
            if (pid) {
                rc = rc ? rc : put(jn, &len, "[", 1);
                rc = rc ? rc : put(jn, &len, pid, pid_len);
                rc = rc ? rc : put(jn, &len, "]", 1);
            }
        }
        rc = rc ? rc : put(jn, &len, ": ", 2);
        if (rc < 0)
            return rc;
    }
    size_t max = in->o.max_line ? in->o.max_line : (1u << 20);
    bool cut = false;
    while (msg_len && (msg[msg_len - 1] == '\n' || msg[msg_len - 1] == '\r'))
        msg_len--;
    if (len + msg_len > max) {
        msg_len = len < max ? max - len : 0;
        cut = true;
    }
    int rc = put(jn, &len, msg, msg_len);
    *ret_len = len;
    *ret_cut = cut;
    return rc;
}

void lt__journal_ready(lt_inputs *in, size_t budget) {
    lt_journal *jn = in->journal;
    if (!jn || !jn->started)
        return;
    if (jn->fd >= 0)
        (void)sdj.process(jn->j);
    jn->pending = false;
    size_t used = 0;
    bool moved = false;
    for (;;) {
        if (used >= budget) {
            jn->pending = true;
            break;
        }
        int r = sdj.next(jn->j);
        if (r < 0) {
            lt__source_error("cannot read the journal", LT_JOURNAL_NAME, r, &jn->st);
            break;
        }
        if (r == 0)
            break;
        moved = true;
        size_t len = 0;
        bool cut = false;
        in->now_ns = lt__now_ns();
        if (build_line(in, jn, &len, &cut) < 0)
            break;
        lt__deliver(in, LT_JOURNAL_NAME, &jn->st, jn->line, len, cut);
        used += len + 1;
    }
    if (moved) {
        char *c = NULL;
        if (sdj.get_cursor(jn->j, &c) >= 0) {
            free(jn->cursor);
            jn->cursor = c;
        }
    }
}

bool lt__journal_pending(lt_inputs *in) { return in->journal && in->journal->pending; }

const char *lt__journal_cursor(lt_inputs *in) { return in->journal ? in->journal->cursor : NULL; }

void lt__journal_free(lt_inputs *in) {
    lt_journal *jn = in->journal;
    if (!jn)
        return;
    sdj.close(jn->j);
    free(jn->cursor);
    free(jn->line);
    free(jn);
    in->journal = NULL;
}
