/* The state file; see state.h. */
#include "state.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exporter/app.h"

#define LT_STATE_MAX (16u << 20)
#define LT_STATE_MAGIC "omx-logtail-state 1"

void lt_state_clear(lt_state *st) {
    for (size_t i = 0; i < st->n; i++)
        free(st->files[i].path);
    free(st->files);
    free(st->cursor);
    memset(st, 0, sizeof *st);
}

int lt_state_add(lt_state *st, const char *path, uint64_t dev, uint64_t ino, int64_t offset) {
    if (st->n == st->cap) {
        size_t cap = st->cap ? st->cap * 2 : 16;
        lt_state_file *v = realloc(st->files, cap * sizeof *v);
        if (!v)
            return -ENOMEM;
        st->files = v;
        st->cap = cap;
    }
    char *p = strdup(path);
    if (!p)
        return -ENOMEM;
    st->files[st->n++] = (lt_state_file){.path = p, .dev = dev, .ino = ino, .offset = offset};
    return 0;
}

int lt_state_set_cursor(lt_state *st, const char *cursor) {
    char *c = NULL;
    if (cursor && !(c = strdup(cursor)))
        return -ENOMEM;
    free(st->cursor);
    st->cursor = c;
    return 0;
}

const lt_state_file *lt_state_find(const lt_state *st, const char *path) {
    for (size_t i = 0; i < st->n; i++)
        if (strcmp(st->files[i].path, path) == 0)
            return &st->files[i];
    return NULL;
}

/* Undoes the %XX escapes in place; false for a bad escape. */
static bool unescape(char *s) {
    char *w = s;
    for (char *r = s; *r; r++) {
        if (*r != '%') {
            *w++ = *r;
            continue;
        }
        unsigned v;
        if (sscanf(r + 1, "%2x", &v) != 1 || !r[1] || !r[2] || v == 0)
            return false;
        *w++ = (char)v;
        r += 2;
    }
    *w = '\0';
    return true;
}

static int parse_line(lt_state *st, char *line) {
    if (strncmp(line, "file ", 5) == 0) {
        uint64_t dev, ino;
        int64_t off;
        int n = 0;
        if (sscanf(line + 5, "%" SCNu64 " %" SCNu64 " %" SCNd64 " %n", &dev, &ino, &off, &n) != 3 ||
            n == 0 || off < 0)
            return OMX_EVALUE;
        char *path = line + 5 + n;
        if (!*path || !unescape(path))
            return OMX_EVALUE;
        return lt_state_add(st, path, dev, ino, off);
    }
    if (strncmp(line, "journal ", 8) == 0 && line[8])
        return lt_state_set_cursor(st, line + 8);
    return OMX_EVALUE;
}

int lt_state_load(const char *path, lt_state *st) {
    lt_state_clear(st);
    char *data = NULL;
    size_t len = 0;
    int rc = omx_read_file(path, LT_STATE_MAX, &data, &len);
    if (rc == -ENOENT)
        return 0;
    if (rc < 0)
        return rc;
    unsigned lineno = 0;
    char *save = NULL;
    for (char *line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        lineno++;
        if (lineno == 1) {
            if (strcmp(line, LT_STATE_MAGIC) != 0) {
                omx_bad_input("logtail", path, 1, "not an omx-logtail state file");
                break;
            }
            continue;
        }
        rc = parse_line(st, line);
        if (rc == -ENOMEM) {
            free(data);
            lt_state_clear(st);
            return rc;
        }
        if (rc < 0)
            omx_bad_input("logtail", path, lineno, "malformed state record, skipped");
    }
    free(data);
    return 0;
}

static int put_escaped(FILE *f, const char *s) {
    for (; *s; s++) {
        if (*s == '%' || *s == '\n' || *s == '\r') {
            if (fprintf(f, "%%%02X", (unsigned char)*s) < 0)
                return -EIO;
        } else if (fputc(*s, f) == EOF) {
            return -EIO;
        }
    }
    return 0;
}

int lt_state_save(const char *path, const lt_state *st) {
    size_t n = strlen(path);
    char *tmp = malloc(n + 5);
    if (!tmp)
        return -ENOMEM;
    memcpy(tmp, path, n);
    memcpy(tmp + n, ".tmp", 5);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        int e = -errno;
        free(tmp);
        return e;
    }
    FILE *f = fdopen(fd, "w");
    if (!f) {
        int e = -errno;
        close(fd);
        unlink(tmp);
        free(tmp);
        return e;
    }
    int rc = fprintf(f, "%s\n", LT_STATE_MAGIC) < 0 ? -EIO : 0;
    for (size_t i = 0; i < st->n && rc == 0; i++) {
        const lt_state_file *r = &st->files[i];
        if (fprintf(f, "file %" PRIu64 " %" PRIu64 " %" PRId64 " ", r->dev, r->ino, r->offset) < 0)
            rc = -EIO;
        if (rc == 0)
            rc = put_escaped(f, r->path);
        if (rc == 0 && fputc('\n', f) == EOF)
            rc = -EIO;
    }
    if (rc == 0 && st->cursor && fprintf(f, "journal %s\n", st->cursor) < 0)
        rc = -EIO;
    if (rc == 0 && fflush(f) != 0)
        rc = -errno;
    if (rc == 0 && fsync(fileno(f)) != 0)
        rc = -errno;
    if (fclose(f) != 0 && rc == 0)
        rc = -errno;
    if (rc == 0 && rename(tmp, path) != 0)
        rc = -errno;
    if (rc < 0)
        unlink(tmp);
    free(tmp);
    return rc;
}
