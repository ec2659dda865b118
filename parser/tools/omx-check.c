/* omx-check: validate, dump or lint an OpenMetrics / Prometheus text
 * exposition from a file, stdin or an http(s) URL. Exit 0 valid, 1 invalid,
 * 2 any other failure (usage, I/O, network, a parser limit, a conversion,
 * output not written), 3 valid but with lint warnings (--lint). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#ifdef OMX_HAVE_CURL
#include "curl-load.h"
#endif

#include "openmetrics/openmetrics.h"
#include "convert.h"

typedef struct check {
    const char *src;   /* file name for messages */
    omp_format format; /* requested; AUTO until known */
    omp_parser *p;
    bool dump, lint;
    unsigned warnings;
    /* lint state for the current family */
    char fam[256];
    omp_type fam_type;
    bool fam_help, fam_active, fam_samples, fam_series;
    unsigned fam_line;
    unsigned n_le, n_quantile, n_camel_labels; /* per-series findings */
    uint64_t last_series;
    omp_format convert_to; /* AUTO: no conversion */
    convert *conv;
    bool conv_failed;
    char *buf; /* scratch for unescaping */
    size_t buf_cap;
} check;

static void json_str(const char *s, size_t n) {
    putchar('"');
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\')
            printf("\\%c", c);
        else if (c == '\n')
            fputs("\\n", stdout);
        else if (c < 0x20 || c == 0x7f)
            printf("\\u%04x", c);
        else
            putchar(c);
    }
    putchar('"');
}

static void json_num(double v) {
    char b[40];
    if (isnan(v)) {
        fputs("\"NaN\"", stdout);
        return;
    }
    if (isinf(v)) {
        fputs(v > 0 ? "\"+Inf\"" : "\"-Inf\"", stdout);
        return;
    }
    if (v == floor(v) && fabs(v) < 1e17) {
        printf("%.0f", v);
        return;
    }
    /* Shortest text that reads back as the same double. */
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(b, sizeof(b), "%.*g", prec, v);
        if (strtod(b, NULL) == v)
            break;
    }
    fputs(b, stdout);
}

static const char *unescaped(check *c, const omp_label *l, size_t *ret_len) {
    if (!l->escaped) {
        *ret_len = l->value.len;
        return l->value.ptr;
    }
    if (c->buf_cap < l->value.len + 1) {
        free(c->buf);
        c->buf_cap = l->value.len + 1;
        c->buf = malloc(c->buf_cap);
        if (!c->buf) {
            /* a dump with a value left out must not look complete */
            fputs("omx-check: out of memory\n", stderr);
            exit(2);
        }
    }
    long n = omp_unescape(l->value, c->buf, c->buf_cap);
    *ret_len = n < 0 ? 0 : (size_t)n;
    return c->buf;
}

static void json_labels(check *c, const omp_label *l, size_t n) {
    putchar('{');
    for (size_t i = 0; i < n; i++) {
        size_t len;
        const char *v;
        if (i)
            putchar(',');
        json_str(l[i].name.ptr, l[i].name.len);
        putchar(':');
        v = unescaped(c, &l[i], &len);
        json_str(v, len);
    }
    putchar('}');
}

static void dump_sample(check *c, const omp_entry *e) {
    fputs("{\"family\":", stdout);
    json_str(e->family.ptr, e->family.len);
    printf(",\"type\":\"%s\",\"name\":", omp_type_name(e->type));
    json_str(e->name.ptr, e->name.len);
    fputs(",\"labels\":", stdout);
    json_labels(c, e->labels, e->n_labels);
    fputs(",\"value\":", stdout);
    json_num(e->value);
    fputs(",\"timestamp\":", stdout);
    if (e->has_timestamp)
        json_num(e->timestamp);
    else
        fputs("null", stdout);
    fputs(",\"exemplar\":", stdout);
    if (e->has_exemplar) {
        fputs("{\"labels\":", stdout);
        json_labels(c, e->exemplar_labels, e->n_exemplar_labels);
        fputs(",\"value\":", stdout);
        json_num(e->exemplar_value);
        fputs(",\"timestamp\":", stdout);
        if (e->exemplar_has_timestamp)
            json_num(e->exemplar_timestamp);
        else
            fputs("null", stdout);
        putchar('}');
    } else {
        fputs("null", stdout);
    }
    fputs("}\n", stdout);
}

static void warn(check *c, unsigned line, const char *fmt, const char *name) {
    fprintf(stderr, "%s:%u: warning: ", c->src, line);
    fprintf(stderr, fmt, name);
    fputc('\n', stderr);
    c->warnings++;
}

static bool ends_with(const char *s, const char *suffix) {
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* "_" word "_" inside s, or "_" word at its end (case as given). */
static bool has_word(const char *s, const char *word) {
    size_t wl = strlen(word);
    for (const char *p = strchr(s, '_'); p; p = strchr(p + 1, '_'))
        if (strncmp(p + 1, word, wl) == 0 && (p[1 + wl] == '_' || p[1 + wl] == '\0'))
            return true;
    return false;
}

/* A lower-case letter followed by an upper-case one. */
static bool camel(const char *s, size_t n) {
    for (size_t i = 0; i + 1 < n; i++)
        if (s[i] >= 'a' && s[i] <= 'z' && s[i + 1] >= 'A' && s[i + 1] <= 'Z')
            return true;
    return false;
}

/* The unit word of a name ("milliseconds" in a_milliseconds_total) and its
 * base unit, as `promtool check metrics` knows them. */
static bool name_unit(const char *n, char *unit, size_t unit_size, const char **base) {
    static const struct {
        const char *unit, *base;
    } units[] = {
        {"amperes", "amperes"},    {"bytes", "bytes"},     {"celsius", "celsius"},
        {"grams", "grams"},        {"joules", "joules"},   {"kelvin", "kelvin"},
        {"meters", "meters"},      {"metres", "metres"},   {"seconds", "seconds"},
        {"volts", "volts"},        {"minutes", "seconds"}, {"hours", "seconds"},
        {"days", "seconds"},       {"weeks", "seconds"},   {"kelvins", "kelvin"},
        {"fahrenheit", "celsius"}, {"rankine", "celsius"}, {"inches", "meters"},
        {"yards", "meters"},       {"miles", "meters"},    {"bits", "bytes"},
        {"calories", "joules"},    {"pounds", "grams"},    {"ounces", "grams"},
    };
    static const char *const prefixes[] = {
        "",     "pico", "nano", "micro", "milli", "centi", "deci", "deca", "hecto", "kilo",
        "kibi", "mega", "mibi", "giga",  "gibi",  "tera",  "tebi", "peta", "pebi",
    };
    for (const char *w = n; *w; w += strcspn(w, "_"), w += *w == '_') {
        size_t wl = strcspn(w, "_");
        for (size_t p = 0; p < sizeof(prefixes) / sizeof(prefixes[0]); p++) {
            size_t pl = strlen(prefixes[p]);
            if (wl <= pl || strncmp(w, prefixes[p], pl) != 0)
                continue;
            for (size_t u = 0; u < sizeof(units) / sizeof(units[0]); u++)
                if (strlen(units[u].unit) == wl - pl &&
                    strncmp(w + pl, units[u].unit, wl - pl) == 0 && wl < unit_size) {
                    memcpy(unit, w, wl);
                    unit[wl] = '\0';
                    *base = units[u].base;
                    return true;
                }
        }
    }
    return false;
}

/* Repeats a per-series finding as many times as it was seen (promtool
 * reports it once per series). */
static void warn_n(check *c, unsigned n, const char *fmt) {
    for (unsigned i = 0; i < n; i++)
        warn(c, c->fam_line, fmt, c->fam);
}

/* The findings of `promtool check metrics` for one family, with its texts,
 * and for OpenMetrics the names it reserves. Families without samples are
 * not linted (Prometheus' parser drops them). */
static void lint_family_end(check *c) {
    static const char *const types[] = {"counter", "gauge", "summary", "histogram",
                                        "gauge_histogram"};
    static const char *const abbrevs[] = {
        "s", "ms", "us", "ns", "sec", "b", "kb", "mb", "gb", "tb", "pb", "m", "h", "d",
    };
    const char *n = c->fam;
    omp_type t = c->fam_type;
    bool om = c->format == OMP_FORMAT_OPENMETRICS;
    bool hist = t == OMP_TYPE_HISTOGRAM || t == OMP_TYPE_GAUGEHISTOGRAM;
    char unit[64], lower[sizeof(c->fam)];
    const char *base;

    if (!c->fam_active)
        return;
    c->fam_active = false;
    if (!c->fam_samples)
        return;
    if (!c->fam_help)
        warn(c, c->fam_line, "%s no help text", n);
    if (name_unit(n, unit, sizeof(unit), &base) && strcmp(unit, base) != 0) {
        fprintf(stderr, "%s:%u: warning: %s use base unit \"%s\" instead of \"%s\"\n", c->src,
                c->fam_line, n, base, unit);
        c->warnings++;
    }
    /* In OpenMetrics a counter family is named without its "_total". */
    if (t == OMP_TYPE_COUNTER && !om && !ends_with(n, "_total"))
        warn(c, c->fam_line, "%s counter metrics should have \"_total\" suffix", n);
    if (t != OMP_TYPE_COUNTER && t != OMP_TYPE_UNTYPED && t != OMP_TYPE_UNKNOWN &&
        ends_with(n, "_total"))
        warn(c, c->fam_line, "%s non-counter metrics should not have \"_total\" suffix", n);
    if (t != OMP_TYPE_UNTYPED && t != OMP_TYPE_UNKNOWN) {
        if (!hist && ends_with(n, "_bucket"))
            warn(c, c->fam_line, "%s non-histogram metrics should not have \"_bucket\" suffix", n);
        if (!hist && t != OMP_TYPE_SUMMARY && ends_with(n, "_count"))
            warn(c, c->fam_line,
                 "%s non-histogram and non-summary metrics should not have \"_count\" suffix", n);
        if (!hist && t != OMP_TYPE_SUMMARY && ends_with(n, "_sum"))
            warn(c, c->fam_line,
                 "%s non-histogram and non-summary metrics should not have \"_sum\" suffix", n);
        warn_n(c, c->n_le, "%s non-histogram metrics should not have \"le\" label");
        warn_n(c, c->n_quantile, "%s non-summary metrics should not have \"quantile\" label");
    }
    size_t i;
    for (i = 0; n[i] && i < sizeof(lower) - 1; i++)
        lower[i] = (char)(n[i] >= 'A' && n[i] <= 'Z' ? n[i] - 'A' + 'a' : n[i]);
    lower[i] = '\0';
    for (size_t k = 0; k < sizeof(types) / sizeof(types[0]); k++)
        if (has_word(lower, types[k])) {
            fprintf(stderr, "%s:%u: warning: %s metric name should not include type '%s'\n", c->src,
                    c->fam_line, n, types[k]);
            c->warnings++;
        }
    if (strchr(n, ':'))
        warn(c, c->fam_line, "%s metric names should not contain ':'", n);
    if (camel(n, strlen(n)))
        warn(c, c->fam_line, "%s metric names should be written in 'snake_case' not 'camelCase'",
             n);
    warn_n(c, c->n_camel_labels,
           "%s label names should be written in 'snake_case' not 'camelCase'");
    for (size_t k = 0; k < sizeof(abbrevs) / sizeof(abbrevs[0]); k++)
        if (has_word(lower, abbrevs[k]))
            warn(c, c->fam_line, "%s metric names should not contain abbreviated units", n);
    if (om && n[0] == '_')
        warn(c, c->fam_line,
             "%s metric family names starting with \"_\" are reserved in OpenMetrics", n);
}

/* Hash of a sample's labels without le (histograms) or quantile
 * (summaries): the series it belongs to. */
static uint64_t series_of(const omp_entry *e, bool hist, bool sum) {
    uint64_t h = 1469598103934665603u;
    for (size_t i = 0; i < e->n_labels; i++) {
        const omp_label *l = &e->labels[i];
        if ((hist && l->name.len == 2 && memcmp(l->name.ptr, "le", 2) == 0) ||
            (sum && l->name.len == 8 && memcmp(l->name.ptr, "quantile", 8) == 0))
            continue;
        for (size_t k = 0; k < l->name.len; k++)
            h = (h ^ (unsigned char)l->name.ptr[k]) * 1099511628211u;
        h = (h ^ '=') * 1099511628211u;
        for (size_t k = 0; k < l->value.len; k++)
            h = (h ^ (unsigned char)l->value.ptr[k]) * 1099511628211u;
        h = (h ^ ',') * 1099511628211u;
    }
    return h;
}

static void lint_entry(check *c, const omp_entry *e) {
    size_t n = e->family.len < sizeof(c->fam) - 1 ? e->family.len : sizeof(c->fam) - 1;

    if (e->kind == OMP_EOF) {
        lint_family_end(c);
        return;
    }
    if (!c->fam_active || strlen(c->fam) != n || memcmp(c->fam, e->family.ptr, n) != 0) {
        lint_family_end(c);
        memcpy(c->fam, e->family.ptr, n);
        c->fam[n] = '\0';
        c->fam_active = true;
        c->fam_help = c->fam_samples = c->fam_series = false;
        c->n_le = c->n_quantile = c->n_camel_labels = 0;
        c->fam_line = e->line;
    }
    c->fam_type = e->type;
    /* An empty HELP counts as none (OpenMetrics says so; Prometheus'
	 * parser sets no help for it). */
    if (e->kind == OMP_HELP && e->text.len)
        c->fam_help = true;
    if (e->kind != OMP_SAMPLE)
        return;
    c->fam_samples = true;
    bool hist = e->type == OMP_TYPE_HISTOGRAM || e->type == OMP_TYPE_GAUGEHISTOGRAM;
    bool sum = e->type == OMP_TYPE_SUMMARY;
    /* Label findings count once per series: every sample of a counter,
	 * gauge or untyped family, each label set of a histogram or summary. */
    if (hist || sum) {
        uint64_t s = series_of(e, hist, sum);
        if (c->fam_series && s == c->last_series)
            goto reserved;
        c->fam_series = true;
        c->last_series = s;
    }
    for (size_t i = 0; i < e->n_labels; i++) {
        const omp_str *ln = &e->labels[i].name;
        if (!hist && ln->len == 2 && memcmp(ln->ptr, "le", 2) == 0)
            c->n_le++;
        if (!sum && ln->len == 8 && memcmp(ln->ptr, "quantile", 8) == 0)
            c->n_quantile++;
        if (camel(ln->ptr, ln->len))
            c->n_camel_labels++;
    }
reserved:
    /* OpenMetrics reserves every name starting with "_" (a rule for
	 * exposers: the parser accepts them, see docs/parser.md). 0.0.4 lints
	 * as promtool does, which says nothing about them. */
    if (c->format != OMP_FORMAT_OPENMETRICS)
        return;
    for (size_t i = 0; i < e->n_labels; i++)
        if (e->labels[i].name.ptr[0] == '_') {
            warn(c, e->line, "%s label names starting with \"_\" are reserved in OpenMetrics",
                 c->fam);
            break;
        }
}

/* The exit status for a parser error: 1 only when the input is invalid; a
 * limit (-E2BIG) or memory leaves its validity unknown. */
static int parse_status(int err) { return err == -EBADMSG ? 1 : 2; }

/* Drains entries. Returns 0 (more input needed, or a valid end after
 * finish), else the exit status after printing the parser's error. */
static int drain(check *c) {
    omp_entry e;
    int r;

    while ((r = omp_next(c->p, &e)) > 0) {
        if (c->dump && e.kind == OMP_SAMPLE)
            dump_sample(c, &e);
        if (c->lint)
            lint_entry(c, &e);
        if (c->conv && !c->conv_failed && convert_add(c->conv, &e, c->src) < 0)
            c->conv_failed = true;
    }
    if (r == -EAGAIN)
        return 0;
    if (r < 0) {
        if (omp_parser_error(c->p))
            fprintf(stderr, "%s:%s\n", c->src, omp_parser_error(c->p));
        else
            fprintf(stderr, "%s: %s\n", c->src, strerror(-r));
        return parse_status(r);
    }
    if (c->lint)
        lint_family_end(c);
    return 0;
}

static int start(check *c, omp_format f) {
    int r = omp_parser_new(&c->p, f, NULL);
    if (r < 0) {
        fprintf(stderr, "omx-check: cannot create parser: %s\n", strerror(-r));
        return r;
    }
    c->format = f;
    return 0;
}

/* A regular file is parsed in place from a read-only mapping: no copy and
 * no carried lines, the parser's buffer mode. *ret_mapped is false when the
 * file could not be mapped (the caller reads it instead). */
static int check_mapped(check *c, int fd, size_t size, bool *ret_mapped) {
    char *m;
    omp_format f;
    int r;

    *ret_mapped = false;
    m = mmap(NULL, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
    if (m == MAP_FAILED)
        return 0;
    *ret_mapped = true;
    (void)madvise(m, size, MADV_SEQUENTIAL);
    f = c->format == OMP_FORMAT_AUTO ? omp_format_detect(m, size) : c->format;
    if (start(c, f) < 0) {
        munmap(m, size);
        return 2;
    }
    omp_parser_set_buffer(c->p, m, size);
    r = drain(c);
    /* The entries of the last omp_next() may point into the mapping, and
	 * --convert keeps copies only: unmapping here is safe. */
    munmap(m, size);
    return r;
}

static int check_fd(check *c, int fd) {
    /* Pipes: few large reads (one system call per MiB, not per 64 KiB). */
    enum { CHUNK = 1 << 20 };
    char *chunk;
    struct stat st;
    int r;

    /* Mapped only from its start: stdin may have been read from already. */
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
        (uintmax_t)st.st_size <= SIZE_MAX && lseek(fd, 0, SEEK_CUR) == 0) {
        bool mapped;
        r = check_mapped(c, fd, (size_t)st.st_size, &mapped);
        if (mapped)
            return r;
    }
    if (c->format == OMP_FORMAT_AUTO) {
        /* Auto needs the last line: read the whole input. */
        size_t cap = 1 << 16, len = 0;
        char *all;
        ssize_t n;
        if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (size_t)st.st_size + 1 > cap)
            cap = (size_t)st.st_size + 1;
        all = malloc(cap);
        if (!all) {
            fprintf(stderr, "%s: out of memory\n", c->src);
            return 2;
        }
        while ((n = read(fd, all + len, cap - len)) != 0) {
            if (n < 0) {
                if (errno == EINTR)
                    continue;
                fprintf(stderr, "%s: read: %s\n", c->src, strerror(errno));
                free(all);
                return 2;
            }
            len += (size_t)n;
            if (len == cap) {
                char *m = realloc(all, cap * 2);
                if (!m) {
                    fprintf(stderr, "%s: out of memory\n", c->src);
                    free(all);
                    return 2;
                }
                all = m;
                cap *= 2;
            }
        }
        if (start(c, omp_format_detect(all, len)) < 0) {
            free(all);
            return 2;
        }
        omp_parser_set_buffer(c->p, all, len);
        r = drain(c);
        free(all);
        return r;
    }
    if (start(c, c->format) < 0)
        return 2;
    chunk = malloc(CHUNK);
    if (!chunk) {
        fprintf(stderr, "%s: out of memory\n", c->src);
        return 2;
    }
    for (;;) {
        ssize_t n = read(fd, chunk, CHUNK);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            fprintf(stderr, "%s: read: %s\n", c->src, strerror(errno));
            free(chunk);
            return 2;
        }
        if (n == 0)
            break;
        r = omp_parser_feed(c->p, chunk, (size_t)n);
        if (r < 0) {
            fprintf(stderr, "%s:%s\n", c->src,
                    omp_parser_error(c->p) ? omp_parser_error(c->p) : strerror(-r));
            free(chunk);
            return 2;
        }
        r = drain(c);
        if (r) {
            free(chunk);
            return r;
        }
    }
    free(chunk);
    omp_parser_finish(c->p);
    return drain(c);
}

/* How a URL is fetched (flags; defaults in usage()). */
typedef struct fetch_opts {
    const char *ca_file, *cert_file, *key_file, *bearer_token_file;
    const char *user, *password_file;
    bool insecure;
    uint64_t max_size; /* body bytes after decompression; 0: no cap */
    long timeout_ms;   /* whole transfer; 0: none */
} fetch_opts;

#define DEFAULT_MAX_SIZE ((uint64_t)256 << 20)
#define DEFAULT_TIMEOUT_MS 30000L

#ifdef OMX_HAVE_CURL
#define MAX_REDIRECTS 10L

struct fetch {
    check *c;
    const curl_api *api;
    CURL *h;
    const fetch_opts *o;
    uint64_t received;
    long status;     /* of the response being delivered */
    char reason[64]; /* its reason phrase, when the server sent one */
    int result;      /* 0 ok, 1 invalid, 2 error */
    bool too_big;
};

/* Reads a secret file: its first line, without the line end (as Prometheus
 * reads bearer_token_file and password_file). Returns a string the caller
 * frees, or NULL with a message. */
static char *read_secret(const char *what, const char *path) {
    char buf[8192];
    size_t n = 0;
    FILE *f = fopen(path, "re");

    if (!f) {
        fprintf(stderr, "omx-check: %s %s: %s\n", what, path, strerror(errno));
        return NULL;
    }
    n = fread(buf, 1, sizeof(buf) - 1, f);
    if (ferror(f)) {
        fprintf(stderr, "omx-check: %s %s: %s\n", what, path, strerror(errno));
        fclose(f);
        return NULL;
    }
    fclose(f);
    buf[n] = '\0';
    buf[strcspn(buf, "\r\n")] = '\0';
    return strdup(buf);
}

/* Standard reason phrases, for responses without one (HTTP/2). */
static const char *reason_of(long code) {
    static const struct {
        short code;
        const char *text;
    } t[] = {
        {400, "Bad Request"},
        {401, "Unauthorized"},
        {402, "Payment Required"},
        {403, "Forbidden"},
        {404, "Not Found"},
        {405, "Method Not Allowed"},
        {406, "Not Acceptable"},
        {407, "Proxy Authentication Required"},
        {408, "Request Timeout"},
        {409, "Conflict"},
        {410, "Gone"},
        {413, "Content Too Large"},
        {414, "URI Too Long"},
        {415, "Unsupported Media Type"},
        {429, "Too Many Requests"},
        {500, "Internal Server Error"},
        {501, "Not Implemented"},
        {502, "Bad Gateway"},
        {503, "Service Unavailable"},
        {504, "Gateway Timeout"},
        {505, "HTTP Version Not Supported"},
    };
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
        if (t[i].code == code)
            return t[i].text;
    return "";
}

/* Keeps the reason phrase of each status line ("HTTP/1.1 401 Unauthorized"). */
static size_t on_header(char *data, size_t size, size_t nmemb, void *userdata) {
    struct fetch *f = userdata;
    size_t n = size * nmemb, i = 0;

    if (n < 12 || memcmp(data, "HTTP/", 5) != 0)
        return n;
    f->reason[0] = '\0';
    while (i < n && data[i] != ' ')
        i++;
    i += 5; /* " NNN " */
    if (i < n) {
        size_t len = n - i;
        while (len && (data[i + len - 1] == '\r' || data[i + len - 1] == '\n'))
            len--;
        if (len >= sizeof(f->reason))
            len = sizeof(f->reason) - 1;
        memcpy(f->reason, data + i, len);
        f->reason[len] = '\0';
    }
    return n;
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *userdata) {
    struct fetch *f = userdata;
    size_t n = size * nmemb;

    f->api->easy_getinfo(f->h, CURLINFO_RESPONSE_CODE, &f->status);
    /* An error response's body is no exposition: it is not parsed. */
    if (f->status >= 400)
        return n;
    f->received += n;
    if (f->o->max_size && f->received > f->o->max_size) {
        f->too_big = true;
        return 0;
    }
    if (!f->c->p) {
        char *ct = NULL;
        omp_format fmt = f->c->format;
        f->api->easy_getinfo(f->h, CURLINFO_CONTENT_TYPE, &ct);
        if (fmt == OMP_FORMAT_AUTO)
            fmt = omp_format_from_content_type(ct);
        if (start(f->c, fmt) < 0) {
            f->result = 2;
            return 0;
        }
    }
    int r = omp_parser_feed(f->c->p, data, n);
    if (r < 0) {
        fprintf(stderr, "%s:%s\n", f->c->src,
                omp_parser_error(f->c->p) ? omp_parser_error(f->c->p) : strerror(-r));
        f->result = 2;
        return 0;
    }
    r = drain(f->c);
    if (r) {
        f->result = r;
        return 0; /* aborts the transfer */
    }
    return n;
}

/* Sets the TLS, authentication and limit options. Returns 0 or 2. */
static int fetch_setup(struct fetch *f, char **ret_token, char **ret_userpwd) {
    const curl_api *a = f->api;
    const fetch_opts *o = f->o;

    if (o->ca_file)
        a->easy_setopt(f->h, CURLOPT_CAINFO, o->ca_file);
    if (o->cert_file)
        a->easy_setopt(f->h, CURLOPT_SSLCERT, o->cert_file);
    if (o->key_file)
        a->easy_setopt(f->h, CURLOPT_SSLKEY, o->key_file);
    if (o->insecure) {
        a->easy_setopt(f->h, CURLOPT_SSL_VERIFYPEER, 0L);
        a->easy_setopt(f->h, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    if (o->bearer_token_file) {
        if (!(*ret_token = read_secret("--bearer-token-file", o->bearer_token_file)))
            return 2;
        /* Through curl's auth, not a header: not sent on to another host
		 * after a redirect. */
        a->easy_setopt(f->h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BEARER);
        a->easy_setopt(f->h, CURLOPT_XOAUTH2_BEARER, *ret_token);
    } else if (o->user) {
        char *pw = NULL;
        size_t n;
        if (o->password_file && !(pw = read_secret("--password-file", o->password_file)))
            return 2;
        n = strlen(o->user) + (pw ? strlen(pw) + 1 : 0) + 1;
        *ret_userpwd = malloc(n);
        if (!*ret_userpwd) {
            free(pw);
            fputs("omx-check: out of memory\n", stderr);
            return 2;
        }
        snprintf(*ret_userpwd, n, "%s%s%s", o->user, pw ? ":" : "", pw ? pw : "");
        free(pw);
        a->easy_setopt(f->h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
        a->easy_setopt(f->h, CURLOPT_USERPWD, *ret_userpwd);
    }
    /* A user and password in the URL itself are libcurl's own: Basic. */
    if (o->timeout_ms)
        a->easy_setopt(f->h, CURLOPT_TIMEOUT_MS, o->timeout_ms);
    return 0;
}

static int check_url(check *c, const char *url, const fetch_opts *o) {
    static curl_api api;
    struct fetch f = {.c = c, .api = &api, .o = o};
    struct curl_slist *hdrs = NULL;
    char *token = NULL, *userpwd = NULL, err[256];
    CURLcode cr;

    if (curl_api_load(&api, err, sizeof(err)) < 0) {
        fprintf(stderr, "omx-check: %s, cannot fetch %s\n", err, url);
        return 2;
    }
    api.global_init(CURL_GLOBAL_DEFAULT);
    f.h = api.easy_init();
    if (!f.h) {
        fprintf(stderr, "%s: cannot set up libcurl\n", url);
        api.global_cleanup();
        return 2;
    }
    hdrs = api.slist_append(
        hdrs,
        "Accept: application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1");
    api.easy_setopt(f.h, CURLOPT_URL, url);
    api.easy_setopt(f.h, CURLOPT_HTTPHEADER, hdrs);
    api.easy_setopt(f.h, CURLOPT_USERAGENT, "omx-check/" OMX_VERSION);
    api.easy_setopt(f.h, CURLOPT_ACCEPT_ENCODING, "");
    api.easy_setopt(f.h, CURLOPT_FOLLOWLOCATION, 1L);
    /* libcurl follows without end by default; Go's client (Prometheus)
	 * stops after 10. */
    api.easy_setopt(f.h, CURLOPT_MAXREDIRS, MAX_REDIRECTS);
#if LIBCURL_VERSION_NUM >= 0x075500
    api.easy_setopt(f.h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
#else
    api.easy_setopt(f.h, CURLOPT_REDIR_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
    api.easy_setopt(f.h, CURLOPT_HEADERFUNCTION, on_header);
    api.easy_setopt(f.h, CURLOPT_HEADERDATA, &f);
    api.easy_setopt(f.h, CURLOPT_WRITEFUNCTION, on_body);
    api.easy_setopt(f.h, CURLOPT_WRITEDATA, &f);
    f.result = fetch_setup(&f, &token, &userpwd);
    if (f.result == 0) {
        cr = api.easy_perform(f.h);
        api.easy_getinfo(f.h, CURLINFO_RESPONSE_CODE, &f.status);
        if (f.result != 0) {
            /* the parser or a write already said why */
        } else if (f.too_big) {
            fprintf(stderr, "%s: response larger than %llu bytes (--max-size)\n", url,
                    (unsigned long long)o->max_size);
            f.result = 2;
        } else if (cr == CURLE_TOO_MANY_REDIRECTS) {
            fprintf(stderr, "%s: too many redirects (more than %ld)\n", url, MAX_REDIRECTS);
            f.result = 2;
        } else if (cr == CURLE_OPERATION_TIMEDOUT) {
            fprintf(stderr, "%s: timed out after %.3g s (--timeout)\n", url,
                    (double)o->timeout_ms / 1000);
            f.result = 2;
        } else if (cr != CURLE_OK) {
            fprintf(stderr, "%s: %s\n", url, api.easy_strerror(cr));
            f.result = 2;
        } else if (f.status >= 400) {
            fprintf(stderr, "%s: HTTP %ld %s\n", url, f.status,
                    f.reason[0] ? f.reason : reason_of(f.status));
            f.result = 2;
        }
    }
    if (f.result == 0) {
        if (!c->p && start(c, c->format == OMP_FORMAT_AUTO ? OMP_FORMAT_PROMETHEUS : c->format) < 0)
            f.result = 2;
        else {
            omp_parser_finish(c->p);
            f.result = drain(c);
        }
    }
    api.slist_free_all(hdrs);
    api.easy_cleanup(f.h);
    api.global_cleanup();
    free(token);
    free(userpwd);
    return f.result;
}
#endif

/* --repeat=N: parse a file N times from memory (buffer mode, full validation)
 * and print the best CPU time and the sample count. For benchmarks: reading
 * the file and starting the process are not measured, and CPU rather than
 * wall time because the benchmark machines are shared. */
static int bench(check *c, const char *path, long n) {
    struct stat st;
    struct timespec a, b;
    double best = 1e30;
    unsigned long samples = 0;
    char *buf;
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0 || fstat(fd, &st) < 0) {
        fprintf(stderr, "omx-check: %s: %s\n", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return 2;
    }
    buf = malloc((size_t)st.st_size + 1);
    if (!buf || read(fd, buf, (size_t)st.st_size) != st.st_size) {
        fprintf(stderr, "omx-check: %s: short read\n", path);
        free(buf);
        close(fd);
        return 2;
    }
    close(fd);
    omp_format f =
        c->format == OMP_FORMAT_AUTO ? omp_format_detect(buf, (size_t)st.st_size) : c->format;
    for (long i = 0; i < n; i++) {
        omp_parser *p;
        omp_entry e;
        int r;
        samples = 0;
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &a);
        if ((r = omp_parser_new(&p, f, NULL)) < 0) {
            fprintf(stderr, "omx-check: cannot create parser: %s\n", strerror(-r));
            free(buf);
            return 2;
        }
        omp_parser_set_buffer(p, buf, (size_t)st.st_size);
        while ((r = omp_next(p, &e)) > 0)
            samples += e.kind == OMP_SAMPLE;
        if (r < 0) {
            fprintf(stderr, "%s:%s\n", path, omp_parser_error(p));
            omp_parser_free(p);
            free(buf);
            return parse_status(r);
        }
        omp_parser_free(p);
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &b);
        double t = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
        if (t < best)
            best = t;
    }
    printf("%.6f %lu\n", best, samples);
    free(buf);
    return 0;
}

static void usage(FILE *out) {
    fputs(
        "usage: omx-check [--format=auto|openmetrics|prometheus] [--dump=json] [--lint]\n"
        "                 [--convert=openmetrics|prometheus] [URL options] FILE|-|URL\n"
        "Validates an OpenMetrics 1.0 or Prometheus 0.0.4 text exposition.\n"
        "URL options (http:// and https://):\n"
        "  --ca-file=FILE            CA certificates (PEM) to verify the server with\n"
        "  --cert-file=FILE          client certificate (PEM), with --key-file\n"
        "  --key-file=FILE           private key of the client certificate\n"
        "  --insecure-skip-verify    do not verify the server's certificate or name\n"
        "  --bearer-token-file=FILE  send \"Authorization: Bearer\" with the file's first line\n"
        "  --user=USER[:PASSWORD]    HTTP basic auth (or user:password@ in the URL)\n"
        "  --password-file=FILE      the basic-auth password, the file's first line\n"
        "  --max-size=BYTES[K|M|G]   refuse a larger body, after decompression (default 256M; 0: none)\n"
        "  --timeout=SECONDS         for the whole transfer (default 30; 0: none)\n"
        "Exit status: 0 valid, 1 invalid, 2 other failures (usage, I/O, HTTP, limits), 3 lint warnings.\n",
        out);
}

/* "1048576", "64K", "256M", "1G" (powers of 1024). Returns 0 or -EINVAL. */
static int parse_size(const char *s, uint64_t *ret) {
    char *end;
    unsigned long long v;
    unsigned shift = 0;

    if (*s < '0' || *s > '9')
        return -EINVAL;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno)
        return -EINVAL;
    if (*end == 'K' || *end == 'k')
        shift = 10;
    else if (*end == 'M')
        shift = 20;
    else if (*end == 'G')
        shift = 30;
    if (shift)
        end++;
    if (*end || v > (UINT64_MAX >> shift))
        return -EINVAL;
    *ret = (uint64_t)v << shift;
    return 0;
}

/* Seconds, possibly fractional ("2.5"), up to a day. Returns 0 or -EINVAL. */
static int parse_timeout(const char *s, long *ret_ms) {
    char *end;
    double v;

    errno = 0;
    v = strtod(s, &end);
    if (errno || end == s || *end || !(v >= 0 && v <= 86400))
        return -EINVAL;
    *ret_ms = (long)(v * 1000 + 0.5);
    if (v > 0 && *ret_ms == 0)
        *ret_ms = 1;
    return 0;
}

int main(int argc, char **argv) {
    static const struct option opts[] = {
        {"format", required_argument, NULL, 'f'},
        {"dump", required_argument, NULL, 'd'},
        {"lint", no_argument, NULL, 'l'},
        {"convert", required_argument, NULL, 'c'},
        {"repeat", required_argument, NULL, 'r'},
        {"ca-file", required_argument, NULL, 'A'},
        {"cert-file", required_argument, NULL, 'C'},
        {"key-file", required_argument, NULL, 'K'},
        {"insecure-skip-verify", no_argument, NULL, 'I'},
        {"bearer-token-file", required_argument, NULL, 'B'},
        {"user", required_argument, NULL, 'u'},
        {"password-file", required_argument, NULL, 'P'},
        {"max-size", required_argument, NULL, 'S'},
        {"timeout", required_argument, NULL, 'T'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    check c = {.format = OMP_FORMAT_AUTO};
    fetch_opts fo = {.max_size = DEFAULT_MAX_SIZE, .timeout_ms = DEFAULT_TIMEOUT_MS};
    bool url_opts = false;
    long repeat = 0;
    const char *arg;
    int o, rc;

    while ((o = getopt_long(argc, argv, "f:d:lhV", opts, NULL)) != -1) {
        switch (o) {
        case 'f':
            if (strcmp(optarg, "auto") == 0)
                c.format = OMP_FORMAT_AUTO;
            else if (strcmp(optarg, "openmetrics") == 0)
                c.format = OMP_FORMAT_OPENMETRICS;
            else if (strcmp(optarg, "prometheus") == 0)
                c.format = OMP_FORMAT_PROMETHEUS;
            else {
                fprintf(stderr, "omx-check: unknown format '%s'\n", optarg);
                return 2;
            }
            break;
        case 'd':
            if (strcmp(optarg, "json") != 0) {
                fprintf(stderr, "omx-check: unknown dump format '%s' (only json)\n", optarg);
                return 2;
            }
            c.dump = true;
            break;
        case 'l': c.lint = true; break;
        case 'c':
            if (strcmp(optarg, "openmetrics") == 0)
                c.convert_to = OMP_FORMAT_OPENMETRICS;
            else if (strcmp(optarg, "prometheus") == 0)
                c.convert_to = OMP_FORMAT_PROMETHEUS;
            else {
                fprintf(stderr, "omx-check: unknown --convert format '%s'\n", optarg);
                return 2;
            }
            if (!c.conv && !(c.conv = convert_new()))
                return 2;
            break;
        case 'r':
            repeat = strtol(optarg, NULL, 10);
            if (repeat < 1 || repeat > 100000) {
                fputs("omx-check: --repeat wants 1..100000\n", stderr);
                return 2;
            }
            break;
        case 'A':
            fo.ca_file = optarg;
            url_opts = true;
            break;
        case 'C':
            fo.cert_file = optarg;
            url_opts = true;
            break;
        case 'K':
            fo.key_file = optarg;
            url_opts = true;
            break;
        case 'I':
            fo.insecure = true;
            url_opts = true;
            break;
        case 'B':
            fo.bearer_token_file = optarg;
            url_opts = true;
            break;
        case 'u':
            fo.user = optarg;
            url_opts = true;
            break;
        case 'P':
            fo.password_file = optarg;
            url_opts = true;
            break;
        case 'S':
            if (parse_size(optarg, &fo.max_size) < 0) {
                fprintf(stderr,
                        "omx-check: --max-size wants BYTES, or a number with K, M or G: '%s'\n",
                        optarg);
                return 2;
            }
            url_opts = true;
            break;
        case 'T':
            if (parse_timeout(optarg, &fo.timeout_ms) < 0) {
                fprintf(stderr, "omx-check: --timeout wants seconds (0 to 86400): '%s'\n", optarg);
                return 2;
            }
            url_opts = true;
            break;
        case 'h': usage(stdout); return 0;
        case 'V': printf("omx-check %s\n", OMX_VERSION); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind != argc - 1) {
        usage(stderr);
        return 2;
    }
    arg = argv[optind];
    c.src = strcmp(arg, "-") == 0 ? "<stdin>" : arg;
    if (repeat)
        return bench(&c, arg, repeat);
    bool is_url = strncmp(arg, "http://", 7) == 0 || strncmp(arg, "https://", 8) == 0;
    if (url_opts && !is_url) {
        fputs("omx-check: the URL options (--ca-file ... --timeout) apply to URLs only\n", stderr);
        return 2;
    }
    if (fo.bearer_token_file && (fo.user || fo.password_file)) {
        fputs("omx-check: --bearer-token-file and basic auth (--user) exclude each other\n",
              stderr);
        return 2;
    }
    if (fo.password_file && !fo.user) {
        fputs("omx-check: --password-file needs --user\n", stderr);
        return 2;
    }
    if (fo.key_file && !fo.cert_file) {
        fputs("omx-check: --key-file needs --cert-file\n", stderr);
        return 2;
    }
    if (is_url) {
#ifdef OMX_HAVE_CURL
        rc = check_url(&c, arg, &fo);
#else
        fprintf(stderr, "omx-check: built without libcurl, cannot fetch %s\n", arg);
        rc = 2;
#endif
    } else if (strcmp(arg, "-") == 0) {
        rc = check_fd(&c, 0);
    } else {
        int fd = open(arg, O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            fprintf(stderr, "omx-check: %s: %s\n", arg, strerror(errno));
            return 2;
        }
        rc = check_fd(&c, fd);
        close(fd);
    }
    if (c.conv) {
        if (rc == 0 && (c.conv_failed || convert_write(c.conv, c.convert_to) < 0))
            rc = 2;
        c.conv = convert_free(c.conv);
    }
    /* Output that did not reach its file (a full disk, a closed pipe) is a
	 * failure too, whatever the input was. */
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "omx-check: write error: %s\n", strerror(errno ? errno : EIO));
        rc = 2;
    }
    omp_parser_free(c.p);
    free(c.buf);
    if (rc == 0 && c.lint && c.warnings)
        rc = 3;
    return rc;
}
