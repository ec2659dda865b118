/* textfile: metrics from the *.prom files of --collector.textfile.directory,
 * parsed with omx's own parser (Prometheus 0.0.4 text). A bad file is skipped
 * whole (node_textfile_scrape_error 1, a log line naming file and line); the
 * other files and collectors are still served. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openmetrics/openmetrics.h>

#include <exporter/emit.h>
#include "util.h"

#define TF_FILE_MAX (64u << 20)
#define TF_MAX_SAMPLES 1000000

/* Debian 12's default (node_exporter upstream: none) */
static const char *opt_dir = "/var/lib/prometheus/node-exporter";

static int declare(omx_app *app) {
    return omx_app_flag_string(app, "collector.textfile.directory", &opt_dir,
                               "Directory to read text files with metrics from.");
}

typedef struct tf_sample {
    char *suffix;   /* "", "_bucket", "_sum", "_count" */
    size_t n;
    char **names, **values;
    double value;
} tf_sample;

typedef struct tf_family {
    char *name, *help;
    omp_type type;
    tf_sample *s;
    size_t n, cap;
} tf_family;

typedef struct tf_set {
    tf_family *f;
    size_t n, cap;
    size_t samples;
} tf_set;

static void sample_free(tf_sample *s) {
    for (size_t i = 0; i < s->n; i++) {
        free(s->names[i]);
        free(s->values[i]);
    }
    free(s->names);
    free(s->values);
    free(s->suffix);
}

static void set_free(tf_set *t) {
    for (size_t i = 0; i < t->n; i++) {
        for (size_t k = 0; k < t->f[i].n; k++)
            sample_free(&t->f[i].s[k]);
        free(t->f[i].s);
        free(t->f[i].name);
        free(t->f[i].help);
    }
    free(t->f);
    memset(t, 0, sizeof *t);
}

static char *dup_str(omp_str s, bool escaped) {
    char *out = malloc(s.len + 1);
    if (!out)
        return NULL;
    if (escaped) {
        long n = omp_unescape(s, out, s.len + 1);
        if (n < 0) {
            free(out);
            return NULL;
        }
        out[n] = '\0';
    } else {
        if (s.len) /* an empty view may carry a NULL pointer */
            memcpy(out, s.ptr, s.len);
        out[s.len] = '\0';
    }
    return out;
}

static tf_family *family_get(tf_set *t, omp_str name, bool create) {
    for (size_t i = t->n; i-- > 0;)
        if (strlen(t->f[i].name) == name.len && !memcmp(t->f[i].name, name.ptr, name.len))
            return &t->f[i];
    if (!create)
        return NULL;
    if (t->n == t->cap) {
        size_t nc = t->cap ? t->cap * 2 : 16;
        tf_family *nf = realloc(t->f, nc * sizeof *nf);
        if (!nf)
            return NULL;
        t->f = nf;
        t->cap = nc;
    }
    tf_family *f = &t->f[t->n];
    memset(f, 0, sizeof *f);
    if (!(f->name = dup_str(name, false)))
        return NULL;
    f->type = OMP_TYPE_UNTYPED;
    t->n++;
    return f;
}

/* Parses one file into t. Returns 0, or a negative errno / OMX_E* code after
 * logging why (file, line). */
static int parse_file(tf_set *t, const char *path) {
    char *data;
    size_t len;
    int r = omx_read_file(path, TF_FILE_MAX, &data, &len);
    if (r < 0) {
        omx_log(OMX_LOG_ERROR, "failed to read textfile", "collector", "textfile", "file", path,
                "err", omx_strerror(r), NULL);
        return r;
    }
    omp_parser *p = NULL;
    if ((r = omp_parser_new(&p, OMP_FORMAT_PROMETHEUS, NULL)) < 0 ||
        (r = omp_parser_set_buffer(p, data, len)) < 0) {
        free(data);
        omp_parser_free(p);
        return r; /* the parser returns -errno */
    }
    omp_entry e;
    const char *err = NULL;
    int rc = 0;
    char ln[16] = "0";
    while ((r = omp_next(p, &e)) > 0) {
        snprintf(ln, sizeof ln, "%u", e.line);
        tf_family *f = family_get(t, e.family, true);
        if (!f) {
            err = "out of memory";
            rc = OMX_ENOMEM;
            break;
        }
        if (e.kind == OMP_HELP) {
            free(f->help);
            if (!(f->help = dup_str(e.text, e.text_escaped))) {
                err = "out of memory";
                rc = OMX_ENOMEM;
                break;
            }
        } else if (e.kind == OMP_TYPE) {
            f->type = e.type;
        } else if (e.kind == OMP_SAMPLE) {
            if (e.has_timestamp) {
                err = "textfile contains unsupported client-side timestamps, skipping entire file";
                rc = OMX_EVALUE;
                break;
            }
            if (++t->samples > TF_MAX_SAMPLES) {
                err = "too many samples";
                rc = OMX_ELIMIT;
                break;
            }
            if (f->n == f->cap) {
                size_t nc = f->cap ? f->cap * 2 : 8;
                tf_sample *ns = realloc(f->s, nc * sizeof *ns);
                if (!ns) {
                    err = "out of memory";
                    rc = OMX_ENOMEM;
                    break;
                }
                f->s = ns;
                f->cap = nc;
            }
            tf_sample *s = &f->s[f->n];
            memset(s, 0, sizeof *s);
            f->n++;
            s->value = e.value;
            s->suffix = dup_str(e.suffix, false);
            s->names = calloc(e.n_labels + 1, sizeof *s->names);
            s->values = calloc(e.n_labels + 1, sizeof *s->values);
            if (!s->suffix || !s->names || !s->values) {
                err = "out of memory";
                rc = OMX_ENOMEM;
                break;
            }
            for (size_t i = 0; i < e.n_labels; i++) {
                s->names[i] = dup_str(e.labels[i].name, false);
                s->values[i] = dup_str(e.labels[i].value, e.labels[i].escaped);
                s->n = i + 1;
                if (!s->names[i] || !s->values[i]) {
                    err = "out of memory";
                    rc = OMX_ENOMEM;
                    break;
                }
            }
            if (err)
                break;
        }
    }
    if (!err && r < 0) {
        err = omp_parser_error(p);
        rc = r;
        snprintf(ln, sizeof ln, "%u", omp_parser_error_line(p));
    }
    if (err)
        omx_log(OMX_LOG_ERROR, "failed to parse textfile data", "collector", "textfile", "file",
                path, "line", ln, "err", err ? err : "invalid input", NULL);
    omp_parser_free(p);
    free(data);
    return rc;
}

static const char *label_of(const tf_sample *s, const char *name) {
    for (size_t i = 0; i < s->n; i++)
        if (!strcmp(s->names[i], name))
            return s->values[i];
    return NULL;
}

static int cmp_cstr(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Same labels except `skip` (le / quantile)? */
static bool same_group(const tf_sample *a, const tf_sample *b, const char *skip) {
    size_t na = 0, nb = 0;
    for (size_t i = 0; i < a->n; i++)
        if (!skip || strcmp(a->names[i], skip)) {
            const char *v = label_of(b, a->names[i]);
            if (!v || strcmp(v, a->values[i]))
                return false;
            na++;
        }
    for (size_t i = 0; i < b->n; i++)
        if (!skip || strcmp(b->names[i], skip))
            nb++;
    return na == nb;
}

static int emit_family(omx_emitter *e, tf_family *f, const char *source) {
    const char *skip = f->type == OMP_TYPE_HISTOGRAM ? "le" : f->type == OMP_TYPE_SUMMARY ? "quantile" : NULL;
    /* the union of label names; missing ones are "" as in node_exporter */
    size_t nn = 0, cap = 8;
    const char **names = malloc(cap * sizeof *names);
    const char **vals = NULL;
    double *bounds = NULL, *qv = NULL;
    uint64_t *counts = NULL;
    bool *done = calloc(f->n + 1, sizeof *done);
    int r = OMX_ENOMEM;
    if (!names || !done)
        goto out;
    for (size_t k = 0; k < f->n; k++)
        for (size_t i = 0; i < f->s[k].n; i++) {
            const char *ln = f->s[k].names[i];
            if (skip && !strcmp(ln, skip))
                continue;
            bool have = false;
            for (size_t j = 0; j < nn && !have; j++)
                have = !strcmp(names[j], ln);
            if (have)
                continue;
            if (nn == cap) {
                const char **nb = realloc(names, cap * 2 * sizeof *names);
                if (!nb)
                    goto out;
                names = nb;
                cap *= 2;
            }
            names[nn++] = ln;
        }
    qsort(names, nn, sizeof *names, cmp_cstr);
    vals = calloc(nn + 1, sizeof *vals);
    bounds = calloc(f->n + 1, sizeof *bounds);
    qv = calloc(f->n + 1, sizeof *qv);
    counts = calloc(f->n + 1, sizeof *counts);
    if (!vals || !bounds || !qv || !counts)
        goto out;
    char help[512];
    if (!f->help)
        snprintf(help, sizeof help, "Metric read from %s", source);
    omx_type type = f->type == OMP_TYPE_COUNTER ? OMX_COUNTER
                    : f->type == OMP_TYPE_GAUGE ? OMX_GAUGE
                    : f->type == OMP_TYPE_HISTOGRAM ? OMX_HISTOGRAM
                    : f->type == OMP_TYPE_SUMMARY ? OMX_SUMMARY
                                                  : OMX_UNKNOWN;
    if ((r = omx_emit_family(e, &(omx_desc){.name = f->name, .help = f->help ? f->help : help,
                                            .type = type, .label_names = names,
                                            .n_labels = nn})) < 0)
        goto out;
    for (size_t k = 0; k < f->n; k++) {
        if (done[k])
            continue;
        const tf_sample *s = &f->s[k];
        for (size_t j = 0; j < nn; j++) {
            const char *v = label_of(s, names[j]);
            vals[j] = v ? v : "";
        }
        if (!skip) {
            if ((r = omx_emit_sample(e, vals, s->value)) < 0)
                goto out;
            continue;
        }
        /* a histogram/summary series: gather its buckets/quantiles, sum and count */
        size_t nb = 0;
        double sum = 0, count = 0;
        for (size_t m = k; m < f->n; m++) {
            const tf_sample *x = &f->s[m];
            if (done[m] || !same_group(s, x, skip))
                continue;
            done[m] = true;
            const char *sv = label_of(x, skip);
            if (!strcmp(x->suffix, "_sum"))
                sum = x->value;
            else if (!strcmp(x->suffix, "_count"))
                count = x->value;
            else if (sv && omx_parse_double(!strcmp(sv, "+Inf") ? "inf" : sv, &bounds[nb]) == 0) {
                qv[nb] = x->value;
                counts[nb] = x->value > 0 ? (uint64_t)x->value : 0;
                nb++;
            }
        }
        /* buckets sorted by bound (insertion sort: few buckets) */
        for (size_t a = 1; a < nb; a++)
            for (size_t b = a; b > 0 && bounds[b - 1] > bounds[b]; b--) {
                double tb = bounds[b]; bounds[b] = bounds[b - 1]; bounds[b - 1] = tb;
                double tq = qv[b]; qv[b] = qv[b - 1]; qv[b - 1] = tq;
                uint64_t tc = counts[b]; counts[b] = counts[b - 1]; counts[b - 1] = tc;
            }
        if (type == OMX_HISTOGRAM)
            r = omx_emit_histogram(e, vals, nb, bounds, counts, count > 0 ? (uint64_t)count : 0, sum);
        else
            r = omx_emit_summary(e, vals, count > 0 ? (uint64_t)count : 0, sum, nb, bounds, qv);
        if (r < 0)
            goto out;
    }
    r = 0;
out:
    free(names);
    free(vals);
    free(bounds);
    free(qv);
    free(counts);
    free(done);
    return r;
}

static int collect(omx_emitter *e, void *userdata) {
    (void)userdata;
    if (!opt_dir || !*opt_dir)
        return omx_emit1(e, "node_textfile_scrape_error",
                          "1 if there was an error opening or reading a file, 0 otherwise",
                          OMX_GAUGE, 0);
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
    size_t nok = 0;
    if (!paths || !mtimes) {
        r = OMX_ENOMEM;
        goto out;
    }
    for (size_t i = 0; i < nfiles; i++) {
        size_t l = strlen(files[i]);
        if (l < 5 || strcmp(files[i] + l - 5, ".prom"))
            continue;
        char path[NODE_PATH_MAX];
        struct stat st;
        if (snprintf(path, sizeof path, "%s/%s", opt_dir, files[i]) >= (int)sizeof path ||
            stat(path, &st) < 0 || !S_ISREG(st.st_mode)) {
            errored = true;
            continue;
        }
        /* parse into a scratch set so a bad file adds nothing */
        tf_set one = {0};
        if (parse_file(&one, path) < 0) {
            set_free(&one);
            errored = true;
            continue;
        }
        for (size_t k = 0; k < one.n; k++) {
            tf_family *src = &one.f[k];
            if (src->n == 0)
                continue;
            /* each file's families are emitted with their own HELP default */
            if (!src->help) {
                char h[NODE_PATH_MAX + 32];
                snprintf(h, sizeof h, "Metric read from %s", path);
                src->help = strdup(h);
            }
            if (all.n == all.cap) {
                size_t nc = all.cap ? all.cap * 2 : 16;
                tf_family *nf = realloc(all.f, nc * sizeof *nf);
                if (!nf) {
                    set_free(&one);
                    r = OMX_ENOMEM;
                    goto out;
                }
                all.f = nf;
                all.cap = nc;
            }
            all.f[all.n++] = *src;
            memset(src, 0, sizeof *src);
        }
        set_free(&one);
        paths[nok] = strdup(path);
        mtimes[nok++] = (double)st.st_mtim.tv_sec + (double)st.st_mtim.tv_nsec / 1e9;
    }
    for (size_t k = 0; k < all.n; k++) {
        if (omx_emitter_expired(e)) {
            r = OMX_ETIMEOUT;
            goto out;
        }
        if ((r = emit_family(e, &all.f[k], "textfile")) < 0) {
            omx_log(OMX_LOG_ERROR, "cannot export textfile metric", "collector", "textfile",
                    "metric", all.f[k].name, "err", omx_strerror(r), NULL);
            errored = true;
        }
    }
    static const char *const fl[] = {"file"};
    if (nok > 0) {
        if ((r = omx_emit_family(e, &(omx_desc){.name = "node_textfile_mtime_seconds",
                                                .help = "Unixtime mtime of textfiles successfully read.",
                                                .type = OMX_GAUGE, .label_names = fl,
                                                .n_labels = 1})) < 0)
            goto out;
        for (size_t i = 0; i < nok; i++)
            if (paths[i] && (r = omx_emit_sample(e, (const char *[]){paths[i]}, mtimes[i])) < 0)
                goto out;
    }
    r = omx_emit1(e, "node_textfile_scrape_error",
                   "1 if there was an error opening or reading a file, 0 otherwise", OMX_GAUGE,
                   errored ? 1 : 0);
out:
    for (size_t i = 0; paths && i < nok; i++)
        free(paths[i]);
    free(paths);
    free(mtimes);
    set_free(&all);
    omx_strv_free(files);
    return r;
}

const node_collector node_collector_textfile = {
    .name = "textfile",
    .enabled_by_default = true,
    .declare_flags = declare,
    .collect = collect,
};
