/* The loop: one epoll over inotify, pipes, sockets, the journal, a wake-up
 * eventfd and a tick timer; every source reads at most LT_TURN_BYTES a turn
 * so that a busy one does not stall the others. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "exporter/app.h"
#include "internal.h"

#define LT_RBUF_SIZE (256u << 10)
#define LT_STATE_EVERY_NS 1000000000LL

int64_t lt__now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int64_t lt__mono_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

lt_inputs *lt_inputs_new(const lt_inputs_opts *opts) {
    if (!opts || !opts->line_fn)
        return NULL;
    lt_inputs *in = calloc(1, sizeof *in);
    if (!in)
        return NULL;
    in->o = *opts;
    if (!in->o.poll_interval_ns)
        in->o.poll_interval_ns = 1000000000LL;
    if (!in->o.max_connections)
        in->o.max_connections = 256;
    if (!in->o.rotate_grace_ns)
        in->o.rotate_grace_ns = 5000000000LL;
    in->ep = in->ino_fd = in->wake_fd = in->timer_fd = -1;
    in->k_inotify = LT_K_INOTIFY;
    in->k_wake = LT_K_WAKE;
    in->k_timer = LT_K_TIMER;
    pthread_mutex_init(&in->mu, NULL);
    pthread_mutex_init(&in->files_mu, NULL);
    pthread_cond_init(&in->cv, NULL);
    in->rbuf_size = LT_RBUF_SIZE;
    in->rbuf = malloc(in->rbuf_size);
    in->ep = epoll_create1(EPOLL_CLOEXEC);
    in->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (!in->rbuf || in->ep < 0 || in->wake_fd < 0 || lt_stats_init(&in->stats, in->o.reg) < 0)
        return lt_inputs_free(in);
    if (in->o.state_path) {
        int rc = lt_state_load(in->o.state_path, &in->state);
        if (rc < 0)
            omx_log(OMX_LOG_WARN, "cannot read the state file, starting without it", "file",
                    in->o.state_path, "err", omx_strerror(rc), NULL);
    }
    return in;
}

lt_inputs *lt_inputs_free(lt_inputs *in) {
    if (!in)
        return NULL;
    lt__files_free(in);
    lt__sockets_free(in);
    lt__journal_free(in);
    for (size_t i = 0; i < in->n_patterns; i++)
        free(in->patterns[i]);
    free(in->patterns);
    for (size_t i = 0; i < in->n_dirs; i++)
        free(in->dirs[i].path);
    free(in->dirs);
    if (in->ino_fd >= 0)
        close(in->ino_fd);
    if (in->wake_fd >= 0)
        close(in->wake_fd);
    if (in->timer_fd >= 0)
        close(in->timer_fd);
    if (in->ep >= 0)
        close(in->ep);
    lt_state_clear(&in->state);
    free(in->rbuf);
    pthread_mutex_destroy(&in->mu);
    pthread_mutex_destroy(&in->files_mu);
    pthread_cond_destroy(&in->cv);
    free(in);
    return NULL;
}

int lt_inputs_add_log(lt_inputs *in, const char *spec) {
    if (!in || !spec || !*spec)
        return OMX_EINVAL;
    if (lt__is_socket_spec(spec))
        return lt__socket_add(in, spec);
    return lt__files_add_spec(in, spec);
}

int lt_inputs_add_journal(lt_inputs *in, const char *match) {
    if (!in || !match)
        return OMX_EINVAL;
    return lt__journal_add_match(in, match);
}

int lt__deliver(lt_inputs *in, const char *name, lt_source_stats *st, const char *line, size_t len,
                bool cut) {
    if (cut)
        omx_counter_inc(st->cut);
    omx_counter_inc(st->lines);
    omx_counter_inc(in->stats.lines_all);
    lt_line l = {.text = line, .len = len, .filename = name, .time_ns = in->now_ns};
    int rc = in->o.line_fn(in->o.ctx, &l);
    if (rc < 0 && rc != in->last_line_err) {
        omx_log(OMX_LOG_ERROR, "programs failed on a line", "logfile", name, "err",
                omx_strerror(rc), NULL);
        in->last_line_err = rc;
    }
    return 0;
}

typedef struct split_ctx {
    lt_inputs *in;
    const char *name;
    lt_source_stats *st;
} split_ctx;

static int split_cb(void *ctx, const char *line, size_t len, bool cut) {
    split_ctx *c = ctx;
    return lt__deliver(c->in, c->name, c->st, line, len, cut);
}

int lt__read_fd(lt_inputs *in, int fd, lt_split *sp, const char *name, lt_source_stats *st,
                int64_t *off, size_t budget) {
    split_ctx c = {in, name, st};
    size_t total = 0;
    while (total < budget) {
        ssize_t n = read(fd, in->rbuf, in->rbuf_size);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN)
                return 0;
            return -errno;
        }
        if (n == 0)
            return 1;
        in->now_ns = lt__now_ns();
        if (off)
            *off += n;
        total += (size_t)n;
        int rc = lt_split_feed(sp, in->rbuf, (size_t)n, split_cb, &c);
        if (rc < 0)
            return rc;
    }
    return 0;
}

void lt__flush(lt_inputs *in, lt_split *sp, const char *name, lt_source_stats *st) {
    split_ctx c = {in, name, st};
    in->now_ns = lt__now_ns();
    (void)lt_split_flush(sp, split_cb, &c);
}

int lt__epoll_add(lt_inputs *in, int fd, void *tag) {
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = tag};
    return epoll_ctl(in->ep, EPOLL_CTL_ADD, fd, &ev) < 0 ? -errno : 0;
}

void lt__epoll_del(lt_inputs *in, int fd) { (void)epoll_ctl(in->ep, EPOLL_CTL_DEL, fd, NULL); }

void lt__source_error(const char *what, const char *name, int err, lt_source_stats *st) {
    omx_counter_inc(st->errors);
    omx_log(OMX_LOG_WARN, what, "logfile", name, "err", omx_strerror(err), NULL);
}

int lt_inputs_read_all(lt_inputs *in) {
    if (!in)
        return OMX_EINVAL;
    lt__files_read_all(in);
    if (in->journal) {
        int rc = lt__journal_start(in, true);
        if (rc == 0)
            while (lt__journal_pending(in))
                lt__journal_ready(in, SIZE_MAX);
    }
    if (in->n_listeners)
        omx_log(OMX_LOG_WARN, "socket sources are not read in one-shot mode", NULL);
    return 0;
}

static void save_state(lt_inputs *in, bool force) {
    if (!in->o.state_path)
        return;
    int64_t now = lt__mono_ns();
    if (!force && now - in->state_saved_ns < LT_STATE_EVERY_NS)
        return;
    lt_state st = {0};
    lt__files_state(in, &st);
    const char *cursor = lt__journal_cursor(in);
    if (!cursor && in->state.cursor)
        cursor = in->state.cursor; /* journal not read this run: keep its place */
    (void)lt_state_set_cursor(&st, cursor);
    /* records of followed files not open now stay, so a file away for a while keeps
     * its place; those of paths no longer followed go */
    for (size_t i = 0; i < in->state.n; i++)
        if (!lt_state_find(&st, in->state.files[i].path) &&
            lt__file_tracked(in, in->state.files[i].path))
            (void)lt_state_add(&st, in->state.files[i].path, in->state.files[i].dev,
                               in->state.files[i].ino, in->state.files[i].offset);
    int rc = lt_state_save(in->o.state_path, &st);
    if (rc < 0 && !in->state_dirty)
        omx_log(OMX_LOG_WARN, "cannot write the state file", "file", in->o.state_path, "err",
                omx_strerror(rc), NULL);
    in->state_dirty = rc < 0;
    lt_state_clear(&in->state);
    in->state = st;
    in->state_saved_ns = now;
}

static void run_call(lt_inputs *in) {
    pthread_mutex_lock(&in->mu);
    if (in->call_fn && !in->call_done) {
        int (*fn)(void *) = in->call_fn;
        void *arg = in->call_arg;
        pthread_mutex_unlock(&in->mu);
        int rc = fn(arg);
        pthread_mutex_lock(&in->mu);
        in->call_rc = rc;
        in->call_done = true;
        pthread_cond_broadcast(&in->cv);
    }
    pthread_mutex_unlock(&in->mu);
}

static int setup(lt_inputs *in) {
    in->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
    if (in->timer_fd < 0)
        return -errno;
    int64_t iv = in->o.poll_interval_ns;
    struct itimerspec its = {
        .it_interval = {.tv_sec = iv / 1000000000LL, .tv_nsec = iv % 1000000000LL},
        .it_value = {.tv_sec = iv / 1000000000LL, .tv_nsec = iv % 1000000000LL},
    };
    if (timerfd_settime(in->timer_fd, 0, &its, NULL) < 0)
        return -errno;
    int rc = lt__epoll_add(in, in->wake_fd, &in->k_wake);
    if (rc == 0)
        rc = lt__epoll_add(in, in->timer_fd, &in->k_timer);
    if (rc < 0)
        return rc;
    if (!in->o.poll_only) {
        in->ino_fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
        if (in->ino_fd < 0)
            omx_log(OMX_LOG_WARN, "no inotify, polling files only", "err", omx_strerror(-errno),
                    NULL);
        else if ((rc = lt__epoll_add(in, in->ino_fd, &in->k_inotify)) < 0)
            return rc;
    }
    return 0;
}

static void tick(lt_inputs *in) {
    uint64_t n;
    (void)!read(in->timer_fd, &n, sizeof n);
    lt__files_scan(in, false);
    for (size_t i = 0; i < in->n_files; i++)
        lt__file_check(in, in->files[i], LT_TURN_BYTES);
    if (in->journal)
        lt__journal_ready(in, LT_TURN_BYTES);
    if (in->o.tick_fn)
        in->o.tick_fn(in->o.ctx, lt__now_ns());
    save_state(in, false);
}

static void dispatch(lt_inputs *in, struct epoll_event *ev) {
    lt_kind *k = ev->data.ptr;
    switch (*k) {
    case LT_K_FIFO: lt__fifo_ready(in, (lt_file *)k); break;
    case LT_K_LISTEN:
    case LT_K_DGRAM: lt__listener_ready(in, (lt_listener *)k); break;
    case LT_K_CONN: lt__conn_ready(in, (lt_conn *)k); break;
    case LT_K_JOURNAL: lt__journal_ready(in, LT_TURN_BYTES); break;
    case LT_K_INOTIFY: lt__inotify_event(in); break;
    case LT_K_WAKE: {
        uint64_t n;
        (void)!read(in->wake_fd, &n, sizeof n);
        run_call(in);
        break;
    }
    case LT_K_TIMER: tick(in); break;
    }
}

int lt_inputs_start(lt_inputs *in) {
    if (!in)
        return OMX_EINVAL;
    if (in->started)
        return 0;
    int rc = setup(in);
    if (rc < 0)
        return rc;
    lt__files_scan(in, true);
    if (in->journal && (rc = lt__journal_start(in, false)) < 0)
        omx_log(OMX_LOG_ERROR, "cannot read the journal", "err", omx_strerror(rc), NULL);
    in->started = true;
    return 0;
}

int lt_inputs_run(lt_inputs *in) {
    int rc = lt_inputs_start(in);
    if (rc < 0)
        return rc;
    pthread_mutex_lock(&in->mu);
    in->running = true;
    pthread_mutex_unlock(&in->mu);
    struct epoll_event evs[64];
    while (!atomic_load(&in->stop)) {
        bool busy = lt__files_pending(in) || lt__journal_pending(in);
        int n = epoll_wait(in->ep, evs, 64, busy ? 0 : 1000);
        if (n < 0 && errno != EINTR) {
            rc = -errno;
            break;
        }
        for (int i = 0; i < n; i++)
            dispatch(in, &evs[i]);
        if (busy) {
            lt__files_turn(in);
            if (lt__journal_pending(in))
                lt__journal_ready(in, LT_TURN_BYTES);
        }
    }
    pthread_mutex_lock(&in->mu);
    in->running = false;
    pthread_mutex_unlock(&in->mu);
    run_call(in); /* a caller waiting at the stop gets its answer */
    save_state(in, true);
    return rc < 0 ? rc : 0;
}

void lt_inputs_stop(lt_inputs *in) {
    if (!in)
        return;
    atomic_store(&in->stop, true);
    uint64_t one = 1;
    (void)!write(in->wake_fd, &one, sizeof one);
}

int lt_inputs_call(lt_inputs *in, int (*fn)(void *arg), void *arg) {
    if (!in || !fn)
        return OMX_EINVAL;
    pthread_mutex_lock(&in->mu);
    if (!in->running) {
        pthread_mutex_unlock(&in->mu);
        return fn(arg);
    }
    while (in->call_fn) /* one call at a time */
        pthread_cond_wait(&in->cv, &in->mu);
    in->call_fn = fn;
    in->call_arg = arg;
    in->call_done = false;
    uint64_t one = 1;
    (void)!write(in->wake_fd, &one, sizeof one);
    while (!in->call_done)
        pthread_cond_wait(&in->cv, &in->mu);
    int rc = in->call_rc;
    in->call_fn = NULL;
    pthread_cond_broadcast(&in->cv);
    pthread_mutex_unlock(&in->mu);
    return rc;
}
