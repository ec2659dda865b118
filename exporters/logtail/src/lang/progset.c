/* The program set (lang.h): loading and replacing programs, running them on
 * lines. One mutex per set orders lines, reloads, ticks and scrapes; it is
 * held for one line at a time, so a scrape waits at most one line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "progset.h"

lt_progset *lt_progset_new(const lt_options *opt) {
    lt_progset *s = calloc(1, sizeof(*s));
    if (!s)
        return NULL;
    if (opt)
        s->opt = *opt;
    pthread_mutex_init(&s->lock, NULL);
    s->ctx.opt = &s->opt;
    return s;
}

lt_progset *lt_progset_free(lt_progset *set) {
    if (!set)
        return NULL;
    for (size_t i = 0; i < set->n; i++)
        lt_prog_free(set->progs[i]);
    free(set->progs);
    free(set->ctx.scratch);
    pthread_mutex_destroy(&set->lock);
    free(set);
    return NULL;
}

static lt_prog *compile(const lt_options *opt, const char *name, const char *text, size_t len,
                        lt_error_fn *err_fn, void *err_ctx, int *nerr) {
    lt_errs e = {.file = name, .fn = err_fn, .ctx = err_ctx};
    lt_prog *p = calloc(1, sizeof(*p));
    if (!p) {
        *nerr = -1;
        return NULL;
    }
    p->name = strdup(name);
    p->text = malloc(len + 1);
    if (!p->name || !p->text) {
        *nerr = -1;
        return lt_prog_free(p);
    }
    memcpy(p->text, text, len);
    p->text[len] = 0;
    p->text_len = len;
    p->root = lt_parse(p->text, len, &e);
    if (p->root && e.n == 0)
        lt_check(p, &e, opt);
    *nerr = e.n;
    if (e.n || !p->root) {
        if (!e.n)
            *nerr = -1;
        return lt_prog_free(p);
    }
    if (lt_prog_gate(p) < 0) {
        *nerr = -1;
        return lt_prog_free(p);
    }
    /* scalar counters and histograms start at 0 (mtail creates them at load) */
    for (size_t i = 0; i < p->n_metrics; i++) {
        lt_metric *m = p->metrics[i];
        if (m->n_keys == 0 && (m->kind == K_COUNTER || m->kind == K_HISTOGRAM)) {
            int err;
            if (!lt_metric_get(m, NULL, 0, 0, 0, &err)) {
                *nerr = -1;
                return lt_prog_free(p);
            }
        }
    }
    if (p->n_begin) {
        /* begin blocks see an empty line read at load time */
        struct timespec now;
        clock_gettime(CLOCK_REALTIME, &now);
        lt_line empty = {.text = "",
                         .len = 0,
                         .filename = NULL,
                         .time_ns = (int64_t)now.tv_sec * 1000000000 + now.tv_nsec};
        lt_vmctx ctx = {.opt = opt, .line = &empty};
        lt_vm_run_begin(p, &ctx);
        free(ctx.scratch);
    }
    return p;
}

int lt_progset_load(lt_progset *set, const char *name, const char *text, size_t len,
                    lt_error_fn *err_fn, void *err_ctx) {
    if (!set || !name || (!text && len))
        return -EINVAL;
    pthread_mutex_lock(&set->lock);
    for (size_t i = 0; i < set->n; i++)
        if (strcmp(set->progs[i]->name, name) == 0 && set->progs[i]->text_len == len &&
            memcmp(set->progs[i]->text, text, len) == 0) {
            set->progs[i]->loads++;
            pthread_mutex_unlock(&set->lock);
            return 0;
        }
    pthread_mutex_unlock(&set->lock);
    int nerr = 0;
    lt_prog *p = compile(&set->opt, name, text ? text : "", len, err_fn, err_ctx, &nerr);
    pthread_mutex_lock(&set->lock);
    size_t at = set->n;
    for (size_t i = 0; i < set->n; i++)
        if (strcmp(set->progs[i]->name, name) == 0)
            at = i;
    if (!p) {
        if (at < set->n)
            set->progs[at]->load_errors++;
        else
            set->failed_loads++;
        pthread_mutex_unlock(&set->lock);
        return nerr < 0 ? -ENOMEM : OMX_ECONFIG;
    }
    if (at < set->n) {
        p->loads = set->progs[at]->loads + 1;
        p->load_errors = set->progs[at]->load_errors;
        lt_prog_free(set->progs[at]);
        set->progs[at] = p;
    } else {
        lt_prog **np = realloc(set->progs, (set->n + 1) * sizeof(*np));
        if (!np) {
            pthread_mutex_unlock(&set->lock);
            lt_prog_free(p);
            return -ENOMEM;
        }
        set->progs = np;
        /* keep programs sorted by name: runs and exports in a stable order */
        size_t i = set->n;
        while (i > 0 && strcmp(set->progs[i - 1]->name, name) > 0) {
            set->progs[i] = set->progs[i - 1];
            i--;
        }
        set->progs[i] = p;
        set->n++;
        p->loads = 1;
    }
    pthread_mutex_unlock(&set->lock);
    return 0;
}

static bool is_prog_name(const char *n) {
    size_t l = strlen(n);
    return l > 6 && strcmp(n + l - 6, ".mtail") == 0 && n[0] != '.';
}

static int load_file(lt_progset *set, const char *path, const char *name, lt_error_fn *err_fn,
                     void *err_ctx) {
    char *data;
    size_t len;
    int r = omx_read_file(path, 4u << 20, &data, &len);
    if (r < 0) {
        if (err_fn) {
            char msg[512];
            snprintf(msg, sizeof(msg), "%s: %s", path, omx_strerror(r));
            err_fn(err_ctx, msg);
        }
        return r;
    }
    r = lt_progset_load(set, name, data, len, err_fn, err_ctx);
    free(data);
    return r;
}

static void drop_others(lt_progset *set, char **keep, size_t n_keep) {
    pthread_mutex_lock(&set->lock);
    size_t o = 0;
    for (size_t i = 0; i < set->n; i++) {
        bool found = false;
        for (size_t k = 0; k < n_keep && !found; k++)
            found = keep[k] && strcmp(keep[k], set->progs[i]->name) == 0;
        if (found)
            set->progs[o++] = set->progs[i];
        else
            lt_prog_free(set->progs[i]);
    }
    set->n = o;
    pthread_mutex_unlock(&set->lock);
}

int lt_progset_load_path(lt_progset *set, const char *path, lt_error_fn *err_fn, void *err_ctx) {
    if (!set || !path)
        return -EINVAL;
    struct stat st;
    if (stat(path, &st) < 0)
        return -errno;
    if (!S_ISDIR(st.st_mode)) {
        const char *base = strrchr(path, '/');
        base = base ? base + 1 : path;
        int r = load_file(set, path, base, err_fn, err_ctx);
        char *keep[1] = {(char *)base};
        drop_others(set, keep, 1);
        return r == -ENOMEM ? r : r < 0 ? OMX_ECONFIG : 0;
    }
    char **names;
    int r = omx_list_dir(path, &names);
    if (r < 0)
        return r;
    int worst = 0;
    size_t total = 0;
    while (names[total])
        total++;
    for (size_t i = 0; i < total; i++) {
        if (!is_prog_name(names[i])) {
            free(names[i]);
            names[i] = NULL;
            continue;
        }
        size_t pl = strlen(path) + strlen(names[i]) + 2;
        char *full = malloc(pl);
        if (!full) {
            worst = -ENOMEM;
            continue;
        }
        snprintf(full, pl, "%s/%s", path, names[i]);
        int lr = load_file(set, full, names[i], err_fn, err_ctx);
        free(full);
        if (lr == -ENOMEM)
            worst = lr;
        else if (lr < 0 && worst == 0)
            worst = OMX_ECONFIG;
    }
    drop_others(set, names, total);
    for (size_t i = 0; i < total; i++)
        free(names[i]);
    free(names);
    return worst;
}

size_t lt_progset_count(const lt_progset *set) {
    if (!set)
        return 0;
    pthread_mutex_lock((pthread_mutex_t *)&set->lock);
    size_t n = set->n;
    pthread_mutex_unlock((pthread_mutex_t *)&set->lock);
    return n;
}

int lt_progset_run(lt_progset *set, const lt_line *line) {
    if (!set || !line)
        return -EINVAL;
    pthread_mutex_lock(&set->lock);
    set->ctx.line = line;
    set->ctx.seq++; /* the caller may reuse its buffer: lines are told apart by number */
    for (size_t i = 0; i < set->n; i++) {
        lt_prog *p = set->progs[i];
        if (p->n_filters && !lt_vm_filter_allows(p, line->filename))
            continue;
        if (p->n_gate && lt_skip_test(&p->gate_skip)) {
            size_t g = 0;
            while (g < p->n_gate && !lt_vm_literal_may_match(&set->ctx, p->gate[g]))
                g++;
            lt_skip_note(&p->gate_skip, g == p->n_gate);
            if (g == p->n_gate)
                continue; /* no pattern of the program can match this line */
        }
        lt_vm_run(p, &set->ctx);
    }
    set->ctx.line = NULL;
    set->lines++;
    pthread_mutex_unlock(&set->lock);
    return 0;
}

void lt_progset_tick(lt_progset *set, int64_t now_ns) {
    if (!set)
        return;
    pthread_mutex_lock(&set->lock);
    for (size_t i = 0; i < set->n; i++)
        for (size_t j = 0; j < set->progs[i]->n_metrics; j++)
            lt_metric_expire(set->progs[i]->metrics[j], now_ns);
    pthread_mutex_unlock(&set->lock);
}
