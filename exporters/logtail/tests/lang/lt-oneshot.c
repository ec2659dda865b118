/* lt-oneshot: loads programs, runs every line of a log through them and
 * prints the metrics (Prometheus text, or mtail's JSON). A test and bench
 * driver for the language alone.
 *   lt-oneshot [--json] [--no-prog-label] [--compile-only] [--tz ZONE]
 *              [--limit N] [--now UNIXSECONDS] --progs DIR|FILE [--logs FILE]...  */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lang.h"

static void print_err(void *ctx, const char *msg) {
    (void)ctx;
    fprintf(stderr, "%s\n", msg);
}

static int out_fn(void *ctx, const char *data, size_t len) {
    return fwrite(data, 1, len, ctx) == len ? 0 : -EIO;
}

static int64_t fixed_now;

static int64_t now_ns(void) {
    if (fixed_now)
        return fixed_now;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int run_file(lt_progset *set, const char *path) {
    FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
    if (!f) {
        perror(path);
        return -1;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    while ((n = getline(&line, &cap, f)) >= 0) {
        if (n > 0 && line[n - 1] == '\n')
            n--;
        if (n > 0 && line[n - 1] == '\r')
            n--;
        lt_line l = {.text = line, .len = (size_t)n, .filename = path, .time_ns = now_ns()};
        if (lt_progset_run(set, &l) < 0) {
            free(line);
            return -1;
        }
    }
    free(line);
    if (f != stdin)
        fclose(f);
    return 0;
}

int main(int argc, char **argv) {
    lt_options opt = {.emit_prog_label = true, .syslog_use_current_year = true};
    const char *progs = NULL;
    const char *logs[64];
    size_t n_logs = 0;
    bool json = false, compile_only = false;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--json"))
            json = true;
        else if (!strcmp(argv[i], "--no-prog-label"))
            opt.emit_prog_label = false;
        else if (!strcmp(argv[i], "--compile-only"))
            compile_only = true;
        else if (!strcmp(argv[i], "--tz") && i + 1 < argc)
            opt.override_tz = argv[++i];
        else if (!strcmp(argv[i], "--now") && i + 1 < argc)
            fixed_now = strtoll(argv[++i], NULL, 10) * 1000000000;
        else if (!strcmp(argv[i], "--limit") && i + 1 < argc)
            opt.default_series_limit = (size_t)strtoul(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--progs") && i + 1 < argc)
            progs = argv[++i];
        else if (!strcmp(argv[i], "--logs") && i + 1 < argc && n_logs < 64)
            logs[n_logs++] = argv[++i];
        else {
            fprintf(stderr,
                    "usage: lt-oneshot [--json] [--no-prog-label] [--compile-only] "
                    "[--tz ZONE] [--limit N] [--now SECONDS] --progs DIR [--logs FILE]...\n");
            return 2;
        }
    }
    if (!progs) {
        fprintf(stderr, "lt-oneshot: --progs is required\n");
        return 2;
    }
    lt_progset *set = lt_progset_new(&opt);
    if (!set)
        return 1;
    int r = lt_progset_load_path(set, progs, print_err, NULL);
    if (r < 0 || compile_only) {
        if (r < 0)
            fprintf(stderr, "lt-oneshot: %s: %s\n", progs, omx_strerror(r));
        lt_progset_free(set);
        return r < 0 ? 1 : 0;
    }
    for (size_t i = 0; i < n_logs; i++)
        if (run_file(set, logs[i]) < 0) {
            lt_progset_free(set);
            return 1;
        }
    int rc = 0;
    if (json) {
        omx_buf b;
        omx_buf_init(&b, 1u << 30);
        rc = lt_progset_write_json(set, &b, 1u << 30);
        if (rc == 0)
            fwrite(b.data, 1, b.len, stdout);
        omx_buf_free(&b);
    } else {
        omx_registry *reg = omx_registry_new();
        if (!reg || omx_registry_add_collector(reg, "logtail", lt_progset_collect, set, NULL) < 0)
            rc = -ENOMEM;
        else
            rc = omx_registry_write(reg, NULL, out_fn, stdout);
        omx_registry_free(reg);
    }
    lt_progset_free(set);
    if (rc < 0)
        fprintf(stderr, "lt-oneshot: %s\n", omx_strerror(rc));
    return rc < 0 ? 1 : 0;
}
