/* textfile collector: reading and parsing one *.prom file. The file is opened
 * through libexporter's reader, which refuses what is not a regular file (a
 * FIFO, a device, a directory) with an errno that becomes the logged reason. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <exporter/error.h>
#include <exporter/file.h>
#include <exporter/log.h>

#include "textfile_parse.h"

/* Bytes read and handed to the parser at a time. */
#define TF_CHUNK 65536

static const char *reason(int r) {
    /* the reader says EINVAL for every type it refuses but directories */
    return r == -EINVAL ? "not a regular file" : omx_strerror(r);
}

static int read_failed(const char *path, int r) {
    omx_log(OMX_LOG_ERROR, "failed to read textfile", "collector", "textfile", "file", path, "err",
            reason(r), NULL);
    return r;
}

static int parse_failed(const char *path, unsigned line, const char *err, int r) {
    char ln[16];
    snprintf(ln, sizeof ln, "%u", line);
    omx_log(OMX_LOG_ERROR, "failed to parse textfile data", "collector", "textfile", "file", path,
            "line", ln, "err", err, NULL);
    return r;
}

/* s (unescaped when escaped) and a NUL at out, which has room for s.len + 1
 * bytes (unescaping only shortens). Returns the bytes written or OMX_EVALUE. */
static long put(char *out, omp_str s, bool escaped) {
    if (escaped) {
        long n = omp_unescape(s, out, s.len + 1);
        return n < 0 ? OMX_EVALUE : n + 1;
    }
    if (s.len) /* an empty view may carry a NULL pointer */
        memcpy(out, s.ptr, s.len);
    out[s.len] = '\0';
    return (long)s.len + 1;
}

/* A sample's label pairs (name \0 value \0 ...) appended to the arena in one
 * step: room for all of them is made once. Returns 0, OMX_EVALUE or OMX_ENOMEM. */
static int put_labels(tf_arena *a, const omp_label *l, size_t n) {
    size_t need = 0;
    for (size_t i = 0; i < n; i++)
        need += l[i].name.len + l[i].value.len + 2;
    char *out = tf_arena_room(a, need);
    if (!out)
        return OMX_ENOMEM;
    char *p = out;
    for (size_t i = 0; i < n; i++) {
        p += put(p, l[i].name, false);
        long w = put(p, l[i].value, l[i].escaped);
        if (w < 0)
            return (int)w;
        p += w;
    }
    a->len += (size_t)(p - out);
    return 0;
}

static uint8_t suffix_of(omp_str s) {
    if (s.len == 7 && !memcmp(s.ptr, "_bucket", 7))
        return TF_SFX_BUCKET;
    if (s.len == 4 && !memcmp(s.ptr, "_sum", 4))
        return TF_SFX_SUM;
    if (s.len == 6 && !memcmp(s.ptr, "_count", 6))
        return TF_SFX_COUNT;
    return TF_SFX_NONE;
}

/* One parse: where entries go and the first error met. */
typedef struct tf_parse {
    tf_set *t;
    tf_arena *arena;
    size_t last; /* index of the family of the last entry */
    uint32_t file;
    tf_budget *b;
    const char *err; /* set with rc on a failure to log */
    int rc;
    unsigned line;
} tf_parse;

/* Takes one entry; returns false once the parse must stop (rc set). */
static bool take(tf_parse *ps, const omp_entry *e) {
    tf_arena *arena = ps->arena;
    ps->line = e->line;
    /* a family's lines mostly follow each other: the last one is tried first */
    tf_family *f = ps->last < ps->t->n ? &ps->t->f[ps->last] : NULL;
    if (!f || f->name_len != e->family.len || memcmp(f->name, e->family.ptr, e->family.len)) {
        f = tf_set_family(ps->t, e->family.ptr, e->family.len, true);
        ps->last = f ? (size_t)(f - ps->t->f) : SIZE_MAX;
    }
    if (!f) {
        ps->err = "out of memory";
        ps->rc = OMX_ENOMEM;
    } else if (e->kind == OMP_HELP) {
        free(f->help);
        f->help = NULL;
        if (!(f->help = malloc(e->text.len + 1))) {
            ps->err = "out of memory";
            ps->rc = OMX_ENOMEM;
        } else if (put(f->help, e->text, e->text_escaped) < 0) {
            ps->err = "bad escape in HELP";
            ps->rc = OMX_EVALUE;
        }
    } else if (e->kind == OMP_TYPE) {
        f->type = e->type;
    } else if (e->kind == OMP_SAMPLE) {
        if (e->has_timestamp) {
            ps->err = "textfile contains unsupported client-side timestamps, skipping entire file";
            ps->rc = OMX_EVALUE;
            return false;
        }
        if (ps->b->used_series == ps->b->series) {
            ps->b->hit = "series";
            ps->rc = OMX_ELIMIT;
            return false;
        }
        ps->b->used_series++;
        tf_sample *s = tf_family_add(f);
        if (!s) {
            ps->err = "out of memory";
            ps->rc = OMX_ENOMEM;
            return false;
        }
        s->value = e->value;
        s->file = ps->file;
        s->suffix = suffix_of(e->suffix);
        s->off = arena->len;
        s->n = (uint16_t)(e->n_labels > UINT16_MAX ? UINT16_MAX : e->n_labels);
        int rc = put_labels(arena, e->labels, s->n);
        if (rc < 0) {
            ps->err = rc == OMX_EVALUE ? "bad escape in label value" : "out of memory";
            ps->rc = rc;
        }
    }
    return ps->rc == 0;
}

/* Entries until the parser wants more input (0), reaches the end (0, *done
 * set) or fails (rc set; a parser error is logged by the caller). */
static int drain(tf_parse *ps, omp_parser *p, bool *done) {
    omp_entry e;
    int r;
    while ((r = omp_next(p, &e)) > 0)
        if (!take(ps, &e))
            return ps->rc;
    if (r == -EAGAIN)
        return 0;
    *done = true;
    if (r < 0) {
        ps->err = omp_parser_error(p);
        ps->rc = r;
        ps->line = omp_parser_error_line(p);
    }
    return ps->rc;
}

/* Reads fd in chunks of TF_CHUNK bytes, each handed to the parser as it
 * comes: the file is never held whole. A failed read (more than max bytes is
 * -EFBIG) is returned unlogged; a parse failure is logged and returned. */
static int parse_fd(tf_parse *ps, const char *path, int fd, size_t max) {
    omp_parser *p = NULL;
    char *chunk = malloc(TF_CHUNK);
    if (!chunk)
        return OMX_ENOMEM;
    int r = omp_parser_new(&p, OMP_FORMAT_PROMETHEUS, NULL);
    if (r < 0) { /* the parser returns -errno */
        ps->err = omx_strerror(r);
        ps->rc = r;
    }
    size_t total = 0;
    for (bool done = r < 0; !done;) {
        ssize_t n = read(fd, chunk, TF_CHUNK);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 || (total += (size_t)n) > max) {
            r = n < 0 ? -errno : -EFBIG;
            break;
        }
        if (n == 0) {
            omp_parser_finish(p);
        } else if ((r = omp_parser_feed(p, chunk, (size_t)n)) < 0) {
            ps->err = omx_strerror(r);
            ps->rc = r;
            break;
        }
        if (drain(ps, p, &done) < 0)
            break;
        done = done || n == 0;
    }
    ps->b->used_bytes = total;
    if (ps->err)
        parse_failed(path, ps->line, ps->err, ps->rc);
    omp_parser_free(p);
    free(chunk);
    return ps->rc ? ps->rc : r < 0 ? r : 0;
}

int tf_parse_file(tf_set *t, tf_arena *arena, const char *path, uint32_t file, size_t file_max,
                  tf_budget *b, struct timespec *mtime) {
    b->used_bytes = b->used_series = 0;
    b->hit = NULL;
    int fd = omx_open_file(AT_FDCWD, path, 0);
    if (fd < 0)
        return read_failed(path, fd);
    struct stat st;
    if (fstat(fd, &st) < 0) {
        int r = -errno;
        close(fd);
        return read_failed(path, r);
    }
    /* a file over the per-file cap is that file's error; one over what the
     * scrape has left is the scrape's limit */
    size_t max = file_max < b->bytes ? file_max : b->bytes;
    if ((uint64_t)st.st_size > max) {
        close(fd);
        if ((uint64_t)st.st_size > file_max)
            return read_failed(path, -EFBIG);
        b->hit = "bytes";
        return OMX_ELIMIT;
    }
    tf_parse ps = {.t = t, .arena = arena, .last = SIZE_MAX, .file = file, .b = b};
    int r = parse_fd(&ps, path, fd, max);
    close(fd);
    if (r == -EFBIG && max < file_max) { /* grew while read */
        b->hit = "bytes";
        return OMX_ELIMIT;
    }
    if (r < 0 && !ps.rc) /* the read failed, not the parse */
        return read_failed(path, r);
    if (r == 0)
        *mtime = st.st_mtim;
    return r;
}
