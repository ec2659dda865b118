/* Files, globs, named pipes and stdin.
 *
 * A tracked path is checked on every inotify event naming it and at every
 * tick: its open file is read to the end first (so a rotated file is drained
 * before its successor is read), a size below the read position is a
 * truncation (read again from 0), and a path that names another file now is
 * a rotation: the old descriptor stays open and read for rotate_grace_ns
 * (writers that reopen late), the new file is read from its start. A file
 * deleted (no link left) is closed once read to the end. */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <glob.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "exporter/app.h"
#include "internal.h"

#define LT_DIR_MASK                                                                \
    (IN_MODIFY | IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_ATTRIB | \
     IN_CLOSE_WRITE | IN_DELETE_SELF | IN_MOVE_SELF)

static bool has_glob(const char *s) { return strpbrk(s, "*?[") != NULL; }

int lt__files_add_spec(lt_inputs *in, const char *spec) {
    char **v = realloc(in->patterns, (in->n_patterns + 1) * sizeof *v);
    if (!v)
        return -ENOMEM;
    in->patterns = v;
    if (!(v[in->n_patterns] = strdup(spec)))
        return -ENOMEM;
    in->n_patterns++;
    return 0;
}

static lt_file *find_file(lt_inputs *in, const char *path) {
    for (size_t i = 0; i < in->n_files; i++)
        if (strcmp(in->files[i]->path, path) == 0)
            return in->files[i];
    return NULL;
}

static void count_open(lt_inputs *in, int d) { omx_gauge_add(in->stats.count_all, d); }

static void remember(lt_inputs *in, uint64_t dev, uint64_t ino, int64_t off) {
    for (size_t i = 0; i < in->n_seen; i++)
        if (in->seen[i].dev == dev && in->seen[i].ino == ino) {
            in->seen[i].off = off;
            return;
        }
    if (in->n_seen < LT_SEEN_MAX) {
        in->seen[in->n_seen++] = (lt_seen){dev, ino, off};
        return;
    }
    memmove(in->seen, in->seen + 1, (LT_SEEN_MAX - 1) * sizeof in->seen[0]);
    in->seen[LT_SEEN_MAX - 1] = (lt_seen){dev, ino, off};
}

/* Where a file met under a new name was left, or -1. */
static int64_t seen_offset(lt_inputs *in, const lt_file *self, uint64_t dev, uint64_t ino) {
    for (size_t i = 0; i < in->n_files; i++) {
        lt_file *f = in->files[i];
        if (f == self)
            continue;
        if (f->fd >= 0 && f->dev == dev && f->ino == ino)
            return f->off;
        if (f->old_fd >= 0 && f->old_dev == dev && f->old_ino == ino)
            return f->old_off;
    }
    for (size_t i = 0; i < in->n_seen; i++)
        if (in->seen[i].dev == dev && in->seen[i].ino == ino)
            return in->seen[i].off;
    return -1;
}

static void watch_dir(lt_inputs *in, const char *path) {
    if (in->ino_fd < 0)
        return;
    char *copy = strdup(path);
    if (!copy)
        return;
    const char *dir = dirname(copy);
    for (size_t i = 0; i < in->n_dirs; i++)
        if (strcmp(in->dirs[i].path, dir) == 0) {
            free(copy);
            return;
        }
    int wd = inotify_add_watch(in->ino_fd, dir, LT_DIR_MASK);
    if (wd < 0) {
        omx_log(OMX_LOG_DEBUG, "cannot watch directory, polling it", "dir", dir, "err",
                omx_strerror(-errno), NULL);
        free(copy);
        return;
    }
    lt_dir *v = realloc(in->dirs, (in->n_dirs + 1) * sizeof *v);
    char *d = strdup(dir);
    if (!v || !d) {
        free(d);
        if (v)
            in->dirs = v;
        free(copy);
        return;
    }
    in->dirs = v;
    in->dirs[in->n_dirs++] = (lt_dir){.wd = wd, .path = d};
    free(copy);
}

static lt_file *new_file(lt_inputs *in, const char *path, bool from_pattern) {
    lt_file *f = calloc(1, sizeof *f);
    if (!f || !(f->path = strdup(path))) {
        free(f);
        return NULL;
    }
    f->kind = LT_K_FIFO;
    f->fd = f->old_fd = -1;
    f->from_pattern = from_pattern;
    f->stdin_ = strcmp(path, "-") == 0;
    lt_split_init(&f->split, in->o.max_line);
    lt_split_init(&f->old_split, in->o.max_line);
    lt_stats_source(&in->stats, path, !f->stdin_, &f->st);
    /* published whole: scrape threads walk the array (lt_inputs_update_lag) */
    pthread_mutex_lock(&in->files_mu);
    if (in->n_files == in->cap_files) {
        size_t cap = in->cap_files ? in->cap_files * 2 : 8;
        lt_file **v = realloc(in->files, cap * sizeof *v);
        if (!v) {
            pthread_mutex_unlock(&in->files_mu);
            free(f->path);
            free(f);
            return NULL;
        }
        in->files = v;
        in->cap_files = cap;
    }
    in->files[in->n_files++] = f;
    pthread_mutex_unlock(&in->files_mu);
    return f;
}

static bool ignored(lt_inputs *in, const char *path) {
    if (!in->o.ignore)
        return false;
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    return omx_regex_match(in->o.ignore, base, strlen(base)) > 0;
}

static void close_current(lt_inputs *in, lt_file *f) {
    if (f->fd < 0)
        return;
    if (f->in_epoll)
        lt__epoll_del(in, f->fd);
    f->in_epoll = false;
    close(f->fd);
    f->fd = -1;
    count_open(in, -1);
}

static void close_old(lt_inputs *in, lt_file *f) {
    if (f->old_fd < 0)
        return;
    lt__flush(in, &f->old_split, f->path, &f->st);
    remember(in, f->old_dev, f->old_ino, f->old_off);
    close(f->old_fd);
    f->old_fd = -1;
    count_open(in, -1);
}

/* Opens a FIFO (or takes stdin) into the loop's epoll. */
static int open_stream(lt_inputs *in, lt_file *f) {
    int fd;
    if (f->stdin_) {
        fd = 0;
        int fl = fcntl(0, F_GETFL);
        if (fl >= 0)
            (void)fcntl(0, F_SETFL, fl | O_NONBLOCK);
    } else {
        fd = open(f->path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0)
            return -errno;
    }
    f->fd = fd;
    count_open(in, 1);
    int rc = lt__epoll_add(in, fd, f);
    if (rc < 0) {
        close_current(in, f);
        return rc;
    }
    f->in_epoll = true;
    return 0;
}

/* Opens a regular file at path; at_end: start at its end (or the state
 * file's offset) instead of its start. */
static int open_regular(lt_inputs *in, lt_file *f, bool at_end) {
    int fd = omx_open_file(AT_FDCWD, f->path, 0);
    if (fd < 0)
        return fd;
    struct stat st;
    if (fstat(fd, &st) < 0) {
        int e = -errno;
        close(fd);
        return e;
    }
    f->fd = fd;
    f->dev = (uint64_t)st.st_dev;
    f->ino = (uint64_t)st.st_ino;
    f->off = 0;
    lt_split_reset(&f->split);
    count_open(in, 1);
    int64_t seen = seen_offset(in, f, f->dev, f->ino);
    const lt_state_file *sf = lt_state_find(&in->state, f->path);
    int64_t start = 0;
    if (seen >= 0 && seen <= st.st_size) {
        start = seen; /* renamed to a name we also follow: go on where it was */
    } else if (sf && sf->dev == f->dev && sf->ino == f->ino) {
        start = sf->offset <= st.st_size ? sf->offset : 0;
        if (sf->offset > st.st_size)
            omx_counter_inc(f->st.truncates);
    } else if (at_end && !sf) {
        start = st.st_size;
    }
    if (start > 0 && lseek(fd, start, SEEK_SET) == start)
        f->off = start;
    return 0;
}

/* Looks for the file a state record names under another name in the same
 * directory (rotated while we were stopped) and reads what it gained. */
static void drain_rotated_while_away(lt_inputs *in, lt_file *f, const lt_state_file *sf) {
    char *copy = strdup(f->path);
    if (!copy)
        return;
    char **names = NULL;
    const char *dir = dirname(copy);
    if (omx_list_dir(dir, &names) == 0) {
        for (char **n = names; *n; n++) {
            char p[PATH_MAX];
            struct stat st;
            if ((size_t)snprintf(p, sizeof p, "%s/%s", dir, *n) >= sizeof p || stat(p, &st) < 0)
                continue;
            if ((uint64_t)st.st_dev != sf->dev || (uint64_t)st.st_ino != sf->ino ||
                !S_ISREG(st.st_mode) || st.st_size < sf->offset)
                continue;
            int fd = omx_open_file(AT_FDCWD, p, 0);
            if (fd < 0)
                break;
            int64_t off = sf->offset;
            if (lseek(fd, off, SEEK_SET) == off) {
                lt_split sp;
                lt_split_init(&sp, in->o.max_line);
                while (lt__read_fd(in, fd, &sp, f->path, &f->st, &off, SIZE_MAX) == 0)
                    ;
                lt__flush(in, &sp, f->path, &f->st);
                lt_split_free(&sp);
                omx_counter_inc(f->st.rotations);
            }
            close(fd);
            break;
        }
    }
    omx_strv_free(names);
    free(copy);
}

static void set_lag(lt_file *f, int fd, int64_t off) {
    atomic_store_explicit(&f->pub_dev, f->dev, memory_order_relaxed);
    atomic_store_explicit(&f->pub_ino, f->ino, memory_order_relaxed);
    atomic_store_explicit(&f->pub_off, off, memory_order_relaxed);
    struct stat st;
    if (f->st.lag && fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
        omx_gauge_set(f->st.lag, st.st_size > off ? (double)(st.st_size - off) : 0);
}

void lt__file_check(lt_inputs *in, lt_file *f, size_t budget) {
    if (f->stdin_ || f->fifo) {
        if (f->fd < 0 && f->fifo && !f->stdin_) {
            int rc = open_stream(in, f);
            if (rc < 0 && !f->err_logged) {
                lt__source_error("cannot open named pipe", f->path, rc, &f->st);
                f->err_logged = true;
            }
        }
        return;
    }
    f->pending = false;
    if (f->old_fd >= 0) {
        int r = lt__read_fd(in, f->old_fd, &f->old_split, f->path, &f->st, &f->old_off, budget);
        struct stat ost;
        if (r == 0)
            f->pending = true;
        else if (r < 0 || lt__mono_ns() > f->old_until_ns ||
                 (fstat(f->old_fd, &ost) == 0 && ost.st_nlink == 0))
            close_old(in, f);
    }
    struct stat fst = {0};
    if (f->fd >= 0) {
        if (fstat(f->fd, &fst) == 0 && S_ISREG(fst.st_mode) && fst.st_size < f->off) {
            omx_counter_inc(f->st.truncates);
            omx_log(OMX_LOG_INFO, "log file truncated, reading it from its start", "logfile",
                    f->path, NULL);
            if (lseek(f->fd, 0, SEEK_SET) == 0) {
                f->off = 0;
                lt_split_reset(&f->split);
            }
        }
        int r = lt__read_fd(in, f->fd, &f->split, f->path, &f->st, &f->off, budget);
        if (r < 0) {
            lt__source_error("cannot read log file", f->path, r, &f->st);
            /* opened again at the next check, going on from here */
            remember(in, f->dev, f->ino, f->off - (int64_t)lt_split_pending(&f->split));
            lt_split_reset(&f->split);
            close_current(in, f);
            return;
        }
        set_lag(f, f->fd, f->off);
        if (r == 0) {
            f->pending = true;
            return; /* the rest first: a rotation is looked at once this file is read */
        }
    }
    struct stat pst;
    if (stat(f->path, &pst) < 0) {
        int e = -errno;
        if (f->fd >= 0 && fstat(f->fd, &fst) == 0 && fst.st_nlink == 0) {
            lt__flush(in, &f->split, f->path, &f->st); /* deleted: free its space */
            close_current(in, f);
        }
        if (e != -ENOENT && !f->err_logged) {
            lt__source_error("cannot stat log file", f->path, e, &f->st);
            f->err_logged = true;
        }
        return;
    }
    if (S_ISFIFO(pst.st_mode) && f->fd < 0) {
        f->fifo = true;
        lt__file_check(in, f, budget);
        return;
    }
    if (f->fd >= 0 && ((uint64_t)pst.st_dev != f->dev || (uint64_t)pst.st_ino != f->ino)) {
        close_old(in, f);
        f->old_fd = f->fd;
        f->old_dev = f->dev;
        f->old_ino = f->ino;
        f->old_off = f->off;
        f->old_until_ns = lt__mono_ns() + in->o.rotate_grace_ns;
        lt_split tmp = f->old_split;
        f->old_split = f->split;
        f->split = tmp;
        lt_split_reset(&f->split);
        f->fd = -1;
        omx_counter_inc(f->st.rotations);
        omx_log(OMX_LOG_DEBUG, "log file rotated", "logfile", f->path, NULL);
    }
    if (f->fd < 0) {
        watch_dir(in, f->path);
        int rc = open_regular(in, f, !in->started);
        if (rc < 0) {
            if (!f->err_logged)
                lt__source_error("cannot open log file", f->path, rc, &f->st);
            f->err_logged = true;
            return;
        }
        f->err_logged = false;
        int r = lt__read_fd(in, f->fd, &f->split, f->path, &f->st, &f->off, budget);
        if (r == 0)
            f->pending = true;
        set_lag(f, f->fd, f->off);
    }
}

void lt__fifo_ready(lt_inputs *in, lt_file *f) {
    if (f->fd < 0)
        return;
    int r = lt__read_fd(in, f->fd, &f->split, f->path, &f->st, NULL, LT_TURN_BYTES);
    if (r == 0)
        return; /* level-triggered: called again while there is more */
    if (r < 0)
        lt__source_error("cannot read named pipe", f->path, r, &f->st);
    lt__flush(in, &f->split, f->path, &f->st);
    close_current(in, f);
    if (f->stdin_)
        return;                  /* stdin does not come back */
    int rc = open_stream(in, f); /* the writer closed: wait for the next one */
    if (rc < 0)
        lt__source_error("cannot reopen named pipe", f->path, rc, &f->st);
}

/* Adds path if new. initial: found at start-up (read from its end). */
static void track(lt_inputs *in, const char *path, bool from_pattern, bool initial) {
    if (find_file(in, path) || ignored(in, path))
        return;
    struct stat pst;
    if (from_pattern && stat(path, &pst) == 0 && S_ISDIR(pst.st_mode))
        return; /* directories a glob names are left out */
    lt_file *f = new_file(in, path, from_pattern);
    if (!f)
        return;
    if (f->stdin_) {
        struct stat st;
        if (fstat(0, &st) == 0 && S_ISREG(st.st_mode)) {
            f->fd = 0; /* a file on stdin: read it whole */
            count_open(in, 1);
            while (lt__read_fd(in, 0, &f->split, f->path, &f->st, &f->off, SIZE_MAX) == 0)
                ;
            lt__flush(in, &f->split, f->path, &f->st);
            close_current(in, f);
            return;
        }
        if (open_stream(in, f) < 0)
            lt__source_error("cannot read stdin", "-", -EBADF, &f->st);
        return;
    }
    watch_dir(in, path);
    const lt_state_file *sf = initial ? lt_state_find(&in->state, path) : NULL;
    struct stat st;
    if (sf && stat(path, &st) == 0 &&
        ((uint64_t)st.st_dev != sf->dev || (uint64_t)st.st_ino != sf->ino)) {
        drain_rotated_while_away(in, f, sf);
        /* the file at the path now came after the saved one: all of it is new */
        lt_state_file *w = (lt_state_file *)sf;
        w->dev = (uint64_t)st.st_dev;
        w->ino = (uint64_t)st.st_ino;
        w->offset = 0;
    }
    lt__file_check(in, f, LT_TURN_BYTES);
}

void lt__files_scan(lt_inputs *in, bool initial) {
    for (size_t i = 0; i < in->n_patterns; i++) {
        const char *p = in->patterns[i];
        if (!has_glob(p)) {
            track(in, p, false, initial);
            continue;
        }
        watch_dir(in, p);
        glob_t g;
        if (glob(p, GLOB_NOSORT, NULL, &g) == 0)
            for (size_t j = 0; j < g.gl_pathc; j++)
                track(in, g.gl_pathv[j], true, initial);
        globfree(&g);
    }
}

static bool matches_pattern(lt_inputs *in, const char *path) {
    for (size_t i = 0; i < in->n_patterns; i++)
        if (has_glob(in->patterns[i]) && fnmatch(in->patterns[i], path, FNM_PATHNAME) == 0)
            return true;
    return false;
}

void lt__inotify_event(lt_inputs *in) {
    char buf[64 * 1024] __attribute__((aligned(__alignof__(struct inotify_event))));
    for (;;) {
        ssize_t n = read(in->ino_fd, buf, sizeof buf);
        if (n <= 0)
            return;
        for (char *p = buf; p < buf + n;) {
            struct inotify_event *ev = (struct inotify_event *)p;
            p += sizeof *ev + ev->len;
            if (ev->mask & IN_Q_OVERFLOW) {
                for (size_t i = 0; i < in->n_files; i++)
                    in->files[i]->pending = true;
                continue;
            }
            if (ev->mask & IN_IGNORED) {
                /* the directory went away: watch it again once it is back */
                for (size_t i = 0; i < in->n_dirs; i++)
                    if (in->dirs[i].wd == ev->wd) {
                        free(in->dirs[i].path);
                        in->dirs[i] = in->dirs[--in->n_dirs];
                        break;
                    }
                continue;
            }
            if (!ev->len)
                continue;
            const char *dir = NULL;
            for (size_t i = 0; i < in->n_dirs; i++)
                if (in->dirs[i].wd == ev->wd)
                    dir = in->dirs[i].path;
            if (!dir)
                continue;
            char path[PATH_MAX];
            if ((size_t)snprintf(path, sizeof path, "%s/%s", strcmp(dir, ".") ? dir : ".",
                                 ev->name) >= sizeof path)
                continue;
            lt_file *f = find_file(in, path);
            if (!f && strcmp(dir, ".") == 0)
                f = find_file(in, ev->name);
            if (f) {
                /* a rename or create is looked at now, in event order */
                if (ev->mask & (IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_ATTRIB))
                    lt__file_check(in, f, SIZE_MAX);
                else
                    f->pending = true;
            } else if ((ev->mask & (IN_CREATE | IN_MOVED_TO | IN_MODIFY)) &&
                       matches_pattern(in, path)) {
                track(in, path, true, false);
            }
        }
    }
}

void lt_inputs_update_lag(lt_inputs *in) {
    if (!in)
        return;
    pthread_mutex_lock(&in->files_mu);
    for (size_t i = 0; i < in->n_files; i++) {
        lt_file *f = in->files[i];
        struct stat st;
        if (!f->st.lag || stat(f->path, &st) < 0 || !S_ISREG(st.st_mode))
            continue;
        int64_t off = 0; /* a file not opened yet: all of it is behind */
        if ((uint64_t)st.st_dev == atomic_load_explicit(&f->pub_dev, memory_order_relaxed) &&
            (uint64_t)st.st_ino == atomic_load_explicit(&f->pub_ino, memory_order_relaxed))
            off = atomic_load_explicit(&f->pub_off, memory_order_relaxed);
        omx_gauge_set(f->st.lag, st.st_size > off ? (double)(st.st_size - off) : 0);
    }
    pthread_mutex_unlock(&in->files_mu);
}

bool lt__file_tracked(lt_inputs *in, const char *path) { return find_file(in, path) != NULL; }

bool lt__files_pending(lt_inputs *in) {
    for (size_t i = 0; i < in->n_files; i++)
        if (in->files[i]->pending)
            return true;
    return false;
}

void lt__files_turn(lt_inputs *in) {
    for (size_t i = 0; i < in->n_files; i++)
        if (in->files[i]->pending)
            lt__file_check(in, in->files[i], LT_TURN_BYTES);
}

static void read_whole(lt_inputs *in, lt_file *f) {
    struct stat st;
    int fd;
    if (f->stdin_) {
        fd = 0;
        int fl = fcntl(0, F_GETFL);
        if (fl >= 0)
            (void)fcntl(0, F_SETFL, fl & ~O_NONBLOCK);
    } else {
        /* blocking: a named pipe waits for its writer */
        fd = open(f->path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            lt__source_error("cannot open log file", f->path, -errno, &f->st);
            return;
        }
        if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
            lt__source_error("cannot read log file", f->path, -EISDIR, &f->st);
            close(fd);
            return;
        }
    }
    int r;
    while ((r = lt__read_fd(in, fd, &f->split, f->path, &f->st, &f->off, SIZE_MAX)) == 0)
        ;
    if (r < 0)
        lt__source_error("cannot read log file", f->path, r, &f->st);
    lt__flush(in, &f->split, f->path, &f->st);
    if (fd != 0)
        close(fd);
}

void lt__files_read_all(lt_inputs *in) {
    for (size_t i = 0; i < in->n_patterns; i++) {
        const char *p = in->patterns[i];
        glob_t g;
        if (!has_glob(p)) {
            lt_file *f = find_file(in, p) ? NULL : new_file(in, p, false);
            if (f)
                read_whole(in, f);
            continue;
        }
        if (glob(p, 0, NULL, &g) == 0)
            for (size_t j = 0; j < g.gl_pathc; j++) {
                struct stat st;
                if (find_file(in, g.gl_pathv[j]) || ignored(in, g.gl_pathv[j]) ||
                    (stat(g.gl_pathv[j], &st) == 0 && S_ISDIR(st.st_mode)))
                    continue;
                lt_file *f = new_file(in, g.gl_pathv[j], true);
                if (f)
                    read_whole(in, f);
            }
        globfree(&g);
    }
}

void lt__files_state(lt_inputs *in, lt_state *st) {
    for (size_t i = 0; i < in->n_files; i++) {
        lt_file *f = in->files[i];
        if (f->fd < 0 || f->fifo || f->stdin_)
            continue;
        /* the partial line at the end is read again after a restart */
        int64_t off = f->off - (int64_t)lt_split_pending(&f->split);
        (void)lt_state_add(st, f->path, f->dev, f->ino, off < 0 ? 0 : off);
    }
}

void lt__files_free(lt_inputs *in) {
    for (size_t i = 0; i < in->n_files; i++) {
        lt_file *f = in->files[i];
        if (f->fd > 0)
            close(f->fd);
        if (f->old_fd >= 0)
            close(f->old_fd);
        lt_split_free(&f->split);
        lt_split_free(&f->old_split);
        free(f->path);
        free(f);
    }
    free(in->files);
    in->files = NULL;
    in->n_files = 0;
}
