/* textfile: metrics from the *.prom files of --collector.textfile.directory
 * (Prometheus 0.0.4 text), served under the names and types written, as
 * node_exporter serves them. A file that cannot be read or parsed is skipped
 * whole (node_textfile_scrape_error 1, one log line naming file and reason);
 * the other files and collectors are still served. A family may be spread
 * over several files. The files of one scrape share a cap on bytes and
 * series: once it is reached the remaining files are skipped (logged, counted
 * in node_textfile_limit_hits_total), so memory stays bounded. */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <exporter/emit.h>
#include "textfile_emit.h"
#include "textfile_parse.h"
#include "util.h"

#define TF_FILE_MAX (64u << 20)

/* Debian 12's default (node_exporter upstream: none) */
static const char *opt_dir = "/var/lib/prometheus/node-exporter";
static long opt_max_series = 1000000;
static long opt_max_bytes = 64l << 20;

/* Scrapes that stopped at a limit, since start: [0] bytes, [1] series. */
static _Atomic uint64_t limit_hits[2];

static int declare(omx_app *app) {
    int r = omx_app_flag_string(app, "collector.textfile.directory", &opt_dir,
                                "Directory to read text files with metrics from.");
    if (r == 0)
        r = omx_app_flag_int(app, "collector.textfile.max-series", &opt_max_series,
                             "Most sample lines read from all text files of one scrape; "
                             "the files after the one that would pass it are skipped.");
    if (r == 0)
        r = omx_app_flag_int(app, "collector.textfile.max-bytes", &opt_max_bytes,
                             "Most bytes read from all text files of one scrape; the files "
                             "after the one that would pass it are skipped.");
    return r;
}

static int setup(void) {
    if (opt_max_series < 1 || opt_max_bytes < 1) {
        omx_log(OMX_LOG_ERROR, "--collector.textfile.max-series and max-bytes must be at least 1",
                NULL);
        return OMX_ECONFIG;
    }
    return 0;
}

static int append_file(tf_family *f, const char *path) {
    size_t old = f->files ? strlen(f->files) : 0, pl = strlen(path);
    char *nf = realloc(f->files, old + pl + 3);
    if (!nf)
        return OMX_ENOMEM;
    if (old)
        memcpy(nf + old, ", ", 2), old += 2;
    memcpy(nf + old, path, pl + 1);
    f->files = nf;
    return 0;
}

/* Adds the families of one file to all. A family whose type or HELP differs
 * from what earlier files gave it is left out (logged; *errored set). */
static int merge(tf_set *all, tf_set *one, const char *path, bool *errored) {
    for (size_t k = 0; k < one->n; k++) {
        tf_family *src = &one->f[k];
        if (src->n == 0)
            continue;
        tf_family *dst = tf_set_family(all, src->name, strlen(src->name), false);
        const char *why = NULL;
        if (dst && dst->type != src->type)
            why = "metric type differs from an earlier textfile";
        else if (dst && dst->help && src->help && strcmp(dst->help, src->help))
            why = "inconsistent metric help text";
        if (why) {
            omx_log(OMX_LOG_ERROR, why, "collector", "textfile", "metric", src->name, "file", path,
                    NULL);
            *errored = true;
            continue;
        }
        if (!dst) {
            if (!(dst = tf_set_family(all, src->name, strlen(src->name), true)))
                return OMX_ENOMEM;
            dst->type = src->type;
        }
        if (!dst->help && src->help) {
            dst->help = src->help;
            src->help = NULL;
        }
        if (append_file(dst, path) < 0 || tf_family_move(dst, src) < 0)
            return OMX_ENOMEM;
    }
    return 0;
}

/* Emitted only once a limit was hit, so a healthy setup serves what
 * node_exporter serves. */
static int emit_limit_hits(omx_emitter *e) {
    static const char *const ll[] = {"limit"};
    static const char *const names[] = {"max-bytes", "max-series"};
    bool started = false;
    for (size_t i = 0; i < 2; i++) {
        uint64_t n = atomic_load(&limit_hits[i]);
        if (!n)
            continue;
        int r = 0;
        if (!started)
            r = omx_emit_family(
                e,
                &(omx_desc){.name = "node_textfile_limit_hits_total",
                            .help = "Scrapes that skipped text files because the per-scrape limit "
                                    "--collector.textfile.<limit> was reached (omx).",
                            .type = OMX_COUNTER,
                            .label_names = ll,
                            .n_labels = 1});
        started = true;
        if (r == 0)
            r = omx_emit_sample(e, (const char *[]){names[i]}, (double)n);
        if (r < 0)
            return r;
    }
    return 0;
}

static int emit_error(omx_emitter *e, bool errored) {
    return omx_emit1(e, "node_textfile_scrape_error",
                     "1 if there was an error opening or reading a file, 0 otherwise", OMX_GAUGE,
                     errored ? 1 : 0);
}

static int collect(omx_emitter *e, void *userdata) {
    (void)userdata;
    if (!opt_dir || !*opt_dir)
        return emit_error(e, false);
    bool errored = false;
    char **files = NULL;
    int r = omx_list_dir(opt_dir, &files);
    if (r < 0) {
        omx_log(OMX_LOG_ERROR, "failed to read textfile collector directory", "collector",
                "textfile", "path", opt_dir, "err", omx_strerror(r), NULL);
        errored = true;
    }
    size_t nfiles = 0;
    for (char **f = files; f && *f; f++)
        nfiles++;
    char **paths = calloc(nfiles + 1, sizeof *paths);
    double *mtimes = calloc(nfiles + 1, sizeof *mtimes);
    tf_set all = {0};
    tf_arena arena = {0};
    size_t nok = 0, skipped = 0;
    tf_budget b = {.bytes = (size_t)opt_max_bytes, .series = (size_t)opt_max_series};
    const char *hit = NULL;
    char first_skipped[NODE_PATH_MAX] = "";
    /* one byte up front: samples without labels point into an allocated arena */
    if (!paths || !mtimes || !tf_arena_room(&arena, 1)) {
        r = OMX_ENOMEM;
        goto out;
    }
    arena.data[arena.len++] = '\0';
    /* paths as node_exporter joins them: "dir/" + name is dir/name */
    size_t dir_len = strlen(opt_dir);
    while (dir_len > 1 && opt_dir[dir_len - 1] == '/')
        dir_len--;
    if (dir_len == 1 && opt_dir[0] == '/')
        dir_len = 0;
    for (size_t i = 0; i < nfiles; i++) {
        size_t l = strlen(files[i]);
        if (l < 5 || strcmp(files[i] + l - 5, ".prom"))
            continue;
        char path[NODE_PATH_MAX];
        if (snprintf(path, sizeof path, "%.*s/%s", (int)dir_len, opt_dir, files[i]) >=
            (int)sizeof path) {
            omx_log(OMX_LOG_ERROR, "failed to read textfile", "collector", "textfile", "file",
                    files[i], "err", omx_strerror(-ENAMETOOLONG), NULL);
            errored = true;
            continue;
        }
        if (hit) {
            skipped++;
            continue;
        }
        /* parse into a scratch set so a bad file adds nothing */
        tf_set one = {0};
        size_t mark = arena.len;
        struct timespec mt;
        r = tf_parse_file(&one, &arena, path, (uint32_t)nok, TF_FILE_MAX, &b, &mt);
        if (r == 0)
            r = merge(&all, &one, path, &errored);
        tf_set_free(&one);
        if (r == OMX_ENOMEM)
            goto out;
        if (r < 0) {
            arena.len = mark;
            errored = true;
            if (r == OMX_ELIMIT && b.hit) {
                hit = b.hit;
                snprintf(first_skipped, sizeof first_skipped, "%s", path);
                skipped++;
            }
            continue;
        }
        b.bytes -= b.used_bytes;
        b.series -= b.used_series;
        if (!(paths[nok] = strdup(path))) {
            r = OMX_ENOMEM;
            goto out;
        }
        mtimes[nok++] = (double)mt.tv_sec; /* whole seconds, as node_exporter */
    }
    if (hit) {
        bool bytes = !strcmp(hit, "bytes");
        char max[32], n[32];
        snprintf(max, sizeof max, "%ld", bytes ? opt_max_bytes : opt_max_series);
        snprintf(n, sizeof n, "%zu", skipped);
        omx_log(OMX_LOG_ERROR, "textfile limit reached, skipping the remaining files", "collector",
                "textfile", "limit", bytes ? "max-bytes" : "max-series", "max", max, "file",
                first_skipped, "skipped_files", n, NULL);
        atomic_fetch_add(&limit_hits[bytes ? 0 : 1], 1);
    }
    for (size_t k = 0; k < all.n; k++) {
        if (omx_emitter_expired(e)) {
            r = OMX_ETIMEOUT;
            goto out;
        }
        tf_family *f = &all.f[k];
        char *help = f->help;
        char dflt[NODE_PATH_MAX + 32];
        if (!help) { /* node_exporter's: every file the family came from */
            size_t need = strlen(f->files) + 18;
            help = need <= sizeof dflt ? dflt : malloc(need);
            if (!help) {
                r = OMX_ENOMEM;
                goto out;
            }
            snprintf(help, need, "Metric read from %s", f->files);
        }
        r = tf_emit_family(e, f, &arena, help, (const char *const *)paths);
        if (help != f->help && help != dflt)
            free(help);
        if (r == OMX_ENOMEM)
            goto out;
        if (r != 0)
            errored = true;
    }
    static const char *const fl[] = {"file"};
    if (nok > 0) {
        if ((r = omx_emit_family(
                 e, &(omx_desc){.name = "node_textfile_mtime_seconds",
                                .help = "Unixtime mtime of textfiles successfully read.",
                                .type = OMX_GAUGE,
                                .label_names = fl,
                                .n_labels = 1})) < 0)
            goto out;
        for (size_t i = 0; i < nok; i++)
            if ((r = omx_emit_sample(e, (const char *[]){paths[i]}, mtimes[i])) < 0)
                goto out;
    }
    if ((r = emit_error(e, errored)) == 0)
        r = emit_limit_hits(e);
out:
    for (size_t i = 0; paths && i < nok; i++)
        free(paths[i]);
    free(paths);
    free(mtimes);
    tf_set_free(&all);
    tf_arena_free(&arena);
    omx_strv_free(files);
    return r;
}

const node_collector node_collector_textfile = {
    .name = "textfile",
    .enabled_by_default = true,
    .declare_flags = declare,
    .setup = setup,
    .collect = collect,
};
