/* textfile collector: reading and parsing one *.prom file. The file is opened
 * through libexporter's reader, which refuses what is not a regular file (a
 * FIFO, a device, a directory) with an errno that becomes the logged reason. */
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

/* Appends s (unescaped when escaped) and a NUL to the arena. */
static int put(omx_buf *a, omp_str s, bool escaped) {
    int r = 0;
    if (!escaped) {
        if (s.len) /* an empty view may carry a NULL pointer */
            r = omx_buf_append(a, s.ptr, s.len);
    } else {
        /* unescaping only shortens */
        char tmp[256], *out = s.len < sizeof tmp ? tmp : malloc(s.len + 1);
        if (!out)
            return OMX_ENOMEM;
        long n = omp_unescape(s, out, s.len + 1);
        r = n < 0 ? OMX_EVALUE : omx_buf_append(a, out, (size_t)n);
        if (out != tmp)
            free(out);
    }
    return r < 0 ? r : omx_buf_append(a, "", 1);
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

static int parse(tf_set *t, omx_buf *arena, const char *path, uint32_t file, const char *data,
                 size_t len, tf_budget *b) {
    omp_parser *p = NULL;
    int r;
    if ((r = omp_parser_new(&p, OMP_FORMAT_PROMETHEUS, NULL)) < 0 ||
        (r = omp_parser_set_buffer(p, data, len)) < 0) {
        omp_parser_free(p);
        return parse_failed(path, 0, omx_strerror(r), r); /* the parser returns -errno */
    }
    omp_entry e;
    const char *err = NULL;
    unsigned line = 0;
    int rc = 0;
    while (!err && (r = omp_next(p, &e)) > 0) {
        line = e.line;
        tf_family *f = tf_set_family(t, e.family.ptr, e.family.len, true);
        if (!f) {
            err = "out of memory";
            rc = OMX_ENOMEM;
        } else if (e.kind == OMP_HELP) {
            free(f->help);
            f->help = NULL;
            size_t mark = arena->len;
            /* decoded in the arena's spare room, then copied out */
            if ((rc = put(arena, e.text, e.text_escaped)) < 0 ||
                !(f->help = strdup(arena->data + mark))) {
                err = rc == OMX_EVALUE ? "bad escape in HELP" : "out of memory";
                rc = rc < 0 ? rc : OMX_ENOMEM;
            }
            arena->len = mark;
        } else if (e.kind == OMP_TYPE) {
            f->type = e.type;
        } else if (e.kind == OMP_SAMPLE) {
            if (e.has_timestamp) {
                err = "textfile contains unsupported client-side timestamps, skipping entire file";
                rc = OMX_EVALUE;
                break;
            }
            if (b->used_series == b->series) {
                b->hit = "series";
                rc = OMX_ELIMIT;
                break;
            }
            b->used_series++;
            tf_sample *s = tf_family_add(f);
            if (!s) {
                err = "out of memory";
                rc = OMX_ENOMEM;
                break;
            }
            s->value = e.value;
            s->file = file;
            s->suffix = suffix_of(e.suffix);
            s->off = arena->len;
            s->n = (uint16_t)(e.n_labels > UINT16_MAX ? UINT16_MAX : e.n_labels);
            for (size_t i = 0; i < s->n && rc == 0; i++)
                if ((rc = put(arena, e.labels[i].name, false)) == 0)
                    rc = put(arena, e.labels[i].value, e.labels[i].escaped);
            if (rc < 0)
                err = rc == OMX_EVALUE ? "bad escape in label value" : "out of memory";
        }
    }
    if (!err && rc == 0 && r < 0) {
        err = omp_parser_error(p);
        rc = r;
        line = omp_parser_error_line(p);
    }
    if (err)
        parse_failed(path, line, err, rc);
    omp_parser_free(p);
    return rc;
}

int tf_parse_file(tf_set *t, omx_buf *arena, const char *path, uint32_t file, size_t file_max,
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
    char *data;
    size_t len;
    int r = omx_read_fd(fd, max, &data, &len);
    close(fd);
    if (r == -EFBIG && max < file_max) { /* grew while read */
        b->hit = "bytes";
        return OMX_ELIMIT;
    }
    if (r < 0)
        return read_failed(path, r);
    b->used_bytes = len;
    r = parse(t, arena, path, file, data, len, b);
    free(data);
    if (r == 0)
        *mtime = st.st_mtim;
    return r;
}
