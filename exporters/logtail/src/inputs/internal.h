/* What the input modules share: the loop's state and the sources' structs. */
#ifndef LT_INPUTS_INTERNAL_H
#define LT_INPUTS_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <sys/types.h>

#include "inputs.h"
#include "linesplit.h"
#include "state.h"
#include "stats.h"

/* What an epoll event's data.ptr points at: the first member of each source. */
typedef enum lt_kind {
    LT_K_FIFO, /* a named pipe or stdin that is not a regular file */
    LT_K_LISTEN,
    LT_K_CONN,
    LT_K_DGRAM,
    LT_K_JOURNAL,
    LT_K_INOTIFY,
    LT_K_WAKE,
    LT_K_TIMER,
} lt_kind;

/* A path being tailed (a regular file, or a FIFO / stdin read as a stream). */
typedef struct lt_file {
    lt_kind kind; /* LT_K_FIFO when in epoll */
    char *path;   /* owned: the name given or globbed, the logfile label */
    int fd;       /* -1 while not open */
    bool fifo;    /* a named pipe: reopened when its writer closes */
    bool stdin_;  /* "-" */
    bool in_epoll;
    bool pending;      /* more to read than the last turn took */
    bool err_logged;   /* the current failure was logged (once until it clears) */
    bool from_pattern; /* found by a glob (not named literally) */
    uint64_t dev, ino;
    int64_t off; /* read position in fd */
    lt_split split;
    /* the file the path named before a rotation, still read for a while */
    int old_fd;
    uint64_t old_dev, old_ino;
    int64_t old_off, old_until_ns;
    lt_split old_split;
    lt_source_stats st;
    /* what scrape threads may read (lt_inputs_update_lag): the current file and
     * the read position in it */
    _Atomic uint64_t pub_dev, pub_ino;
    _Atomic int64_t pub_off;
} lt_file;

typedef struct lt_listener {
    lt_kind kind; /* LT_K_LISTEN or LT_K_DGRAM */
    int fd;
    char *name;        /* owned: the spec, the logfile label */
    char *unlink_path; /* owned: a unix socket's path, removed at the end */
    size_t n_conns;
    lt_source_stats st;
} lt_listener;

typedef struct lt_conn {
    lt_kind kind; /* LT_K_CONN */
    int fd;
    lt_listener *l;
    lt_split split;
    struct lt_conn *prev, *next;
} lt_conn;

typedef struct lt_journal lt_journal;

/* Retired (dev, ino, offset): a file already read, met again under another name. */
typedef struct lt_seen {
    uint64_t dev, ino;
    int64_t off;
} lt_seen;
#define LT_SEEN_MAX 64

typedef struct lt_dir {
    int wd;
    char *path; /* owned */
} lt_dir;

struct lt_inputs {
    lt_inputs_opts o;
    lt_stats stats;
    char **patterns; /* owned file specs (paths, globs, "-") */
    size_t n_patterns;
    lt_file **files; /* appended under files_mu (scrape threads walk it) */
    size_t n_files, cap_files;
    pthread_mutex_t files_mu;
    lt_listener **listeners;
    size_t n_listeners;
    lt_conn *conns;
    lt_journal *journal;
    lt_dir *dirs;
    size_t n_dirs;
    lt_seen seen[LT_SEEN_MAX];
    size_t n_seen;
    int ep, ino_fd, wake_fd, timer_fd;
    lt_kind k_inotify, k_wake, k_timer; /* epoll tags */
    char *rbuf;
    size_t rbuf_size;
    lt_state state;
    bool state_dirty;
    int64_t state_saved_ns;
    bool started; /* lt_inputs_run set up: new files are read from their start */
    int last_line_err;
    int64_t now_ns; /* wall clock of the data being handed on (read once per chunk) */
    /* across threads */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    atomic_bool stop;
    bool running;
    int (*call_fn)(void *);
    void *call_arg;
    int call_rc;
    bool call_done;
};

/* How much one source may read in one turn before the others get theirs. */
#define LT_TURN_BYTES (1u << 20)

int64_t lt__now_ns(void);
int64_t lt__mono_ns(void);
/* Hands a line to the callback and counts it. */
int lt__deliver(lt_inputs *in, const char *name, lt_source_stats *st, const char *line, size_t len,
                bool cut);
/* Reads fd into sp from its position until EOF or budget bytes: *off grows
 * by what was read. Returns 1 at EOF, 0 with more to read (or EAGAIN), -errno. */
int lt__read_fd(lt_inputs *in, int fd, lt_split *sp, const char *name, lt_source_stats *st,
                int64_t *off, size_t budget);
/* Flushes a partial line of a source that ends. */
void lt__flush(lt_inputs *in, lt_split *sp, const char *name, lt_source_stats *st);
int lt__epoll_add(lt_inputs *in, int fd, void *tag);
void lt__epoll_del(lt_inputs *in, int fd);
/* Logs a source's failure once (until lt_file.err_logged is cleared). */
void lt__source_error(const char *what, const char *name, int err, lt_source_stats *st);

/* files.c */
int lt__files_add_spec(lt_inputs *in, const char *spec);
void lt__files_scan(lt_inputs *in, bool initial);
void lt__file_check(lt_inputs *in, lt_file *f, size_t budget);
void lt__fifo_ready(lt_inputs *in, lt_file *f);
void lt__files_read_all(lt_inputs *in);
void lt__inotify_event(lt_inputs *in);
void lt__files_state(lt_inputs *in, lt_state *st);
void lt__files_free(lt_inputs *in);
bool lt__files_pending(lt_inputs *in);
bool lt__file_tracked(lt_inputs *in, const char *path);
void lt__files_turn(lt_inputs *in);

/* sockets.c */
int lt__socket_add(lt_inputs *in, const char *spec);
void lt__listener_ready(lt_inputs *in, lt_listener *l);
void lt__conn_ready(lt_inputs *in, lt_conn *c);
void lt__sockets_free(lt_inputs *in);
bool lt__is_socket_spec(const char *spec);

/* journal.c */
int lt__journal_add_match(lt_inputs *in, const char *match);
int lt__journal_start(lt_inputs *in, bool from_head);
void lt__journal_ready(lt_inputs *in, size_t budget);
bool lt__journal_pending(lt_inputs *in);
const char *lt__journal_cursor(lt_inputs *in);
void lt__journal_free(lt_inputs *in);

#endif
