/* Input handling (whole buffer or streamed chunks, with only an incomplete
 * last line carried over) and line syntax. Semantic checks of OpenMetrics are
 * in validate.c. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "scan.h"

static const omp_limits default_limits = {
    .max_line_len = 1u << 20,
    .max_labels = 256,
    .max_samples = 100000000,
    .max_families = 1000000,
    .max_groups = 4000000,
};

int omp_parser_new(omp_parser **ret, omp_format format, const omp_limits *limits) {
    omp_parser *p;

    if (!ret || (format != OMP_FORMAT_OPENMETRICS && format != OMP_FORMAT_PROMETHEUS))
        return -EINVAL;
    p = calloc(1, sizeof(*p));
    if (!p)
        return -ENOMEM;
    p->format = format;
    p->lim = default_limits;
    if (limits) {
        if (limits->max_line_len)
            p->lim.max_line_len = limits->max_line_len;
        if (limits->max_labels)
            p->lim.max_labels = limits->max_labels;
        if (limits->max_samples)
            p->lim.max_samples = limits->max_samples;
        if (limits->max_families)
            p->lim.max_families = limits->max_families;
        if (limits->max_groups)
            p->lim.max_groups = limits->max_groups;
    }
    if (p->lim.max_line_len < 8)
        p->lim.max_line_len = 8;
    p->fam.groups.limit = p->lim.max_groups;
    /* Each family adds up to five names (name and suffixes). */
    p->names.limit = p->lim.max_families * 5;
    *ret = p;
    return 0;
}

omp_parser *omp_parser_free(omp_parser *p) {
    if (!p)
        return NULL;
    free(p->carry);
    free(p->labels);
    free(p->ex_labels);
    omp__family_free(&p->fam);
    omp__set_free(&p->names);
    free(p);
    return NULL;
}

omp_format omp_parser_format(const omp_parser *p) { return p ? p->format : OMP_FORMAT_AUTO; }

const char *omp_parser_error(const omp_parser *p) { return p && p->err ? p->errbuf : NULL; }

unsigned omp_parser_error_line(const omp_parser *p) { return p && p->err ? p->err_line : 0; }

unsigned omp_parser_error_col(const omp_parser *p) { return p && p->err ? p->err_col : 0; }

static int carry_append(omp_parser *p, const char *s, size_t n) {
    int r;

    if (p->carry_len + n > p->lim.max_line_len)
        return omp__fail(p, -E2BIG, NULL, NULL, "line longer than the limit of %zu bytes",
                         p->lim.max_line_len);
    r = omp__grow((void **)&p->carry, &p->carry_cap, p->carry_len + n + 1, 1,
                  p->lim.max_line_len + 1);
    if (r < 0)
        return omp__fail(p, r, NULL, NULL, "out of memory for a carried line");
    memcpy(p->carry + p->carry_len, s, n);
    p->carry_len += n;
    return 0;
}

static const char *after_last_lf(const char *buf, size_t len) {
    const char *nl = len ? memrchr(buf, '\n', len) : NULL;
    return nl ? nl + 1 : buf;
}

int omp_parser_set_buffer(omp_parser *p, const char *buf, size_t len) {
    if (!p || (!buf && len) || p->input_set || p->finished)
        return -EINVAL;
    p->cur = buf;
    p->end = buf + len;
    p->safe = after_last_lf(buf, len);
    p->input_set = p->finished = true;
    return 0;
}

int omp_parser_feed(omp_parser *p, const char *chunk, size_t len) {
    if (!p || (!chunk && len) || p->finished || p->cur < p->end || p->carry_ready)
        return -EINVAL;
    if (p->err)
        return p->err;
    p->input_set = true;
    if (p->carry_used) {
        p->carry_len = 0;
        p->carry_used = false;
    }
    p->cur = chunk;
    p->end = chunk + len;
    if (p->carry_len && len) {
        /* Complete the carried line from the head of this chunk. */
        const char *nl = memchr(chunk, '\n', len);
        size_t take = nl ? (size_t)(nl - chunk) + 1 : len;
        int r = carry_append(p, chunk, take);
        if (r < 0)
            return r;
        p->cur = chunk + take;
        p->carry_ready = nl != NULL;
    }
    p->safe = after_last_lf(p->cur, (size_t)(p->end - p->cur));
    return 0;
}

int omp_parser_finish(omp_parser *p) {
    if (!p)
        return -EINVAL;
    p->finished = true;
    return 0;
}

/* Next complete line as [*ls, *le) with *le == '\n'. Returns 1, 0 at the end
 * of input, -EAGAIN when more input is needed, or an error. */
static int next_line(omp_parser *p, const char **ls, const char **le) {
    if (p->carry_used) {
        p->carry_len = 0;
        p->carry_used = false;
    }
    if (p->carry_ready) {
        p->carry_ready = false;
        p->carry_used = true;
        *ls = p->carry;
        *le = p->carry + p->carry_len - 1;
        p->rend = p->carry + p->carry_len;
        p->line++;
        return 1;
    }
    p->rend = p->end;
    if (p->cur < p->safe) {
        /* A LF follows: the line is lexed in place and its end found by the
		 * parser (*le = NULL); omp_next() advances p->cur. */
        p->line++;
        *ls = p->cur;
        *le = NULL;
        return 1;
    }
    if (p->cur < p->end) {
        size_t n = (size_t)(p->end - p->cur);
        const char *nl = memchr(p->cur, '\n', n);
        int r;

        if (nl) {
            p->line++;
            if ((size_t)(nl - p->cur) + 1 > p->lim.max_line_len)
                return omp__fail(p, -E2BIG, NULL, NULL, "line longer than the limit of %zu bytes",
                                 p->lim.max_line_len);
            *ls = p->cur;
            *le = nl;
            p->cur = nl + 1;
            return 1;
        }
        r = carry_append(p, p->cur, n);
        p->cur = p->end;
        if (r < 0)
            return r;
    }
    if (!p->finished)
        return -EAGAIN;
    if (p->carry_len) {
        /* Last line without LF: give it a sentinel LF. */
        int r = carry_append(p, "\n", 1);
        if (r < 0)
            return r;
        p->last_no_newline = true;
        p->carry_used = true;
        p->rend = p->carry + p->carry_len;
        *ls = p->carry;
        *le = p->carry + p->carry_len - 1;
        p->line++;
        return 1;
    }
    return 0;
}

/* Appends a label. `seen` is a 64-bit filter of the names so far (bit by
 * length and first byte): the quadratic duplicate-name search runs only when
 * a new name may repeat one, which for distinct names is rare. */
static int add_label(omp_parser *p, omp_label **arr, size_t *cap, size_t *n, uint64_t *seen,
                     const char *ls, const char *name, const char *name_end, const char *val,
                     const char *val_end, bool escaped) {
    size_t nlen = (size_t)(name_end - name);
    uint64_t bit =
        UINT64_C(1) << (((unsigned char)name[0] + 3u * (unsigned char)name[nlen - 1] + 17u * nlen) &
                        63);
    int r;

    if (*seen & bit) {
        for (size_t i = 0; i < *n; i++)
            if ((*arr)[i].name.len == nlen && memcmp((*arr)[i].name.ptr, name, nlen) == 0)
                return omp__fail(p, -EBADMSG, ls, name, "duplicate label name '%.*s'", (int)nlen,
                                 name);
    }
    *seen |= bit;
    if (*n >= *cap) {
        r = omp__grow((void **)arr, cap, *n + 1, sizeof(omp_label), p->lim.max_labels);
        if (r == -E2BIG)
            return omp__fail(p, r, ls, name, "more than %zu labels", p->lim.max_labels);
        if (r < 0)
            return omp__fail(p, r, ls, name, "out of memory");
    }
    (*arr)[*n] = (omp_label){
        .name = {name, nlen},
        .value = {val, (size_t)(val_end - val)},
        .escaped = escaped,
    };
    (*n)++;
    return 0;
}

static const char *skip_ws(const char *c) {
    while (*c == ' ' || *c == '\t')
        c++;
    return c;
}

/* The first byte the quoted-string rule refuses: for the error column only. */
static const char *first_bad(const char *s) {
    for (;;) {
        const unsigned char *u = (const unsigned char *)s;
        size_t n;
        if (*u == '\n' || *u == '"')
            return s;
        if (*u == '\\') {
            if (u[1] == '\n')
                return s;
            s++;
            continue; /* the escaped character is checked next round */
        }
        n = *u < 0x80             ? 1
            : (*u & 0xe0) == 0xc0 ? 2
            : (*u & 0xf0) == 0xe0 ? 3
            : (*u & 0xf8) == 0xf0 ? 4
                                  : 0;
        if (n == 0)
            return s;
        if (n > 1) {
            /* Validate one code point with the lexer on a small copy. */
            char tmp[6] = {0};
            bool esc = false;
            /* Stop at the LF before copying: it may end the buffer. */
            for (size_t i = 1; i < n; i++)
                if (s[i] == '\n')
                    return s;
            memcpy(tmp, s, n);
            tmp[n] = '"';
            if (omp__lex_quoted(tmp, &esc) != tmp + n)
                return s;
        }
        s += n;
    }
}

/* Prometheus 0.0.4 knows the escapes \\ and \n, and \" in label values:
 * returns the first other backslash in [s, end), or NULL. */
static const char *prom_bad_escape(const char *s, const char *end, bool quote) {
    for (; s < end; s++) {
        if (*s != '\\')
            continue;
        if (s + 1 >= end || !(s[1] == '\\' || s[1] == 'n' || (quote && s[1] == '"')))
            return s;
        s++;
    }
    return NULL;
}

/* Label set starting after '{'; returns the position after '}' or NULL.
 * Whitespace (0.0.4 only) is skipped only where a byte is not the expected
 * one: the common line has none. */
static const char *parse_labels(omp_parser *p, const char *ls, const char *c, omp_label **arr,
                                size_t *cap, size_t *n) {
    bool om = p->format == OMP_FORMAT_OPENMETRICS;
    uint64_t seen = 0;

    *n = 0;
    if (!om)
        c = skip_ws(c);
    if (*c == '}')
        return c + 1;
    for (;;) {
        const char *name = c, *name_end, *val, *val_end;
        bool esc = false;

        /* What omp__lex_labelname() does, inlined: label names are short
		 * and there are several per line. */
        name_end = NULL;
        if (omp__name_class[(unsigned char)*name] & 4) {
            name_end = name + 1;
            while (omp__name_class[(unsigned char)*name_end] & 2)
                name_end++;
        }
        if (!name_end) {
            omp__fail(p, -EBADMSG, ls, c, "expected a label name");
            return NULL;
        }
        c = name_end;
        if (*c != '=' && !om)
            c = skip_ws(c);
        if (*c != '=') {
            omp__fail(p, -EBADMSG, ls, c, "expected '=' after label name");
            return NULL;
        }
        c++;
        if (*c != '"' && !om)
            c = skip_ws(c);
        if (*c != '"') {
            omp__fail(p, -EBADMSG, ls, c, "expected '\"' to open the label value");
            return NULL;
        }
        val = c + 1;
        val_end = omp__scan_plain(val, p->rend);
        if (*val_end != '"')
            val_end = omp__lex_quoted(val_end, &esc);
        if (!val_end) {
            const char *bad = first_bad(val);
            omp__fail(p, -EBADMSG, ls, bad,
                      *bad == '\n' ? "unterminated label value"
                                   : "invalid UTF-8 or escape in label value");
            return NULL;
        }
        if (!om && esc) {
            const char *bad = prom_bad_escape(val, val_end, true);
            if (bad) {
                omp__fail(p, -EBADMSG, ls, bad,
                          "invalid escape in label value (only \\\\, \\\" and \\n)");
                return NULL;
            }
        }
        if (!om && name_end - name == 8 && memcmp(name, "__name__", 8) == 0) {
            omp__fail(p, -EBADMSG, ls, name, "label name __name__ is reserved");
            return NULL;
        }
        if (add_label(p, arr, cap, n, &seen, ls, name, name_end, val, val_end, esc) < 0)
            return NULL;
        c = val_end + 1;
        if (*c == ',') {
            c++;
            if (!om) {
                c = skip_ws(c);
                if (*c == '}')
                    return c + 1;
            }
            continue;
        }
        if (*c == '}')
            return c + 1;
        if (!om) {
            c = skip_ws(c);
            if (*c == ',') {
                c = skip_ws(c + 1);
                if (*c == '}')
                    return c + 1;
                continue;
            }
            if (*c == '}')
                return c + 1;
        }
        omp__fail(p, -EBADMSG, ls, c, "expected ',' or '}' after label value");
        return NULL;
    }
}

static const double pow10_small[] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                     1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};

/* The common sample value: [-]digits[.digits] with at most 15 digits in all,
 * followed by the byte the caller expects next. Then the digits form an
 * integer m < 10^15 < 2^53 and m / 10^k (k <= 15) is one correctly rounded
 * IEEE division of two exact doubles: the same double strtod gives. Returns
 * the end, or NULL to leave the value to the lexer and omp__to_double(). */
static const char *fast_value(const char *c, bool tab, double *ret) {
    const char *s = c;
    uint64_t m = 0;
    int digits = 0, frac = 0;
    bool neg = *s == '-';

    s += neg;
    if ((unsigned)(*s - '0') > 9)
        return NULL;
    for (; (unsigned)(*s - '0') <= 9; s++, digits++)
        m = m * 10 + (unsigned)(*s - '0');
    if (*s == '.')
        for (s++; (unsigned)(*s - '0') <= 9; s++, digits++, frac++)
            m = m * 10 + (unsigned)(*s - '0');
    /* Digits were counted with wrapping m: check before trusting it. */
    if (digits > 15 || !(*s == ' ' || *s == '\n' || (tab && *s == '\t')))
        return NULL;
    double d = frac ? (double)m / pow10_small[frac] : (double)m;
    *ret = neg ? -d : d;
    return s;
}

static int parse_om_timestamp(omp_parser *p, const char *ls, const char *c, const char **ret_end,
                              double *ret) {
    int kind;
    const char *end = fast_value(c, false, ret);

    if (end) {
        *ret_end = end;
        return 0;
    }
    end = omp__lex_number(c, &kind);
    if (!end || kind != OMP__NUM_REAL)
        return omp__fail(p, -EBADMSG, ls, c, "expected a timestamp (a finite number)");
    if (omp__to_double(c, (size_t)(end - c), kind, ret) < 0)
        return omp__fail(p, -EBADMSG, ls, c, "invalid timestamp");
    *ret_end = end;
    return 0;
}

static size_t exemplar_codepoints(const omp_label *l, size_t n) {
    size_t cp = 0;

    for (size_t i = 0; i < n; i++) {
        cp += l[i].name.len;
        for (size_t j = 0; j < l[i].value.len; j++) {
            unsigned char ch = (unsigned char)l[i].value.ptr[j];
            if (ch == '\\') {
                cp++;
                j++; /* an escape is one character */
                continue;
            }
            if ((ch & 0xc0) != 0x80)
                cp++;
        }
    }
    return cp;
}

static int parse_exemplar(omp_parser *p, const char *ls, const char *c, omp_entry *e,
                          const char **ret_end) {
    int kind;
    const char *end;

    /* c points at '#' */
    if (c[1] != ' ' || c[2] != '{')
        return omp__fail(p, -EBADMSG, ls, c, "expected '# {' to start an exemplar");
    c = parse_labels(p, ls, c + 3, &p->ex_labels, &p->ex_cap, &e->n_exemplar_labels);
    if (!c)
        return p->err;
    e->exemplar_labels = p->ex_labels;
    if (exemplar_codepoints(p->ex_labels, e->n_exemplar_labels) > 128)
        return omp__fail(p, -EBADMSG, ls, c - 1, "exemplar label set longer than 128 characters");
    if (*c != ' ')
        return omp__fail(p, -EBADMSG, ls, c, "expected a space after exemplar labels");
    c++;
    end = omp__lex_number(c, &kind);
    if (!end || omp__to_double(c, (size_t)(end - c), kind, &e->exemplar_value) < 0)
        return omp__fail(p, -EBADMSG, ls, c, "expected an exemplar value");
    c = end;
    if (*c == ' ') {
        if (parse_om_timestamp(p, ls, c + 1, &c, &e->exemplar_timestamp) < 0)
            return p->err;
        e->exemplar_has_timestamp = true;
    }
    if (*c != '\n')
        return omp__fail(p, -EBADMSG, ls, c, "expected end of line after exemplar");
    *ret_end = c;
    e->has_exemplar = true;
    return 0;
}

static int parse_sample(omp_parser *p, const char *ls, omp_entry *e, const char **ret_end) {
    bool om = p->format == OMP_FORMAT_OPENMETRICS;
    const char *c, *end;
    int kind;

    if (p->samples >= p->lim.max_samples)
        return omp__fail(p, -E2BIG, ls, ls, "more than %llu samples",
                         (unsigned long long)p->lim.max_samples);
    end = omp__lex_metricname_to(ls, p->rend);
    if (!end)
        return omp__fail(p, -EBADMSG, ls, ls, "expected a metric name");
    e->kind = OMP_SAMPLE;
    e->name = (omp_str){ls, (size_t)(end - ls)};
    c = end;
    if (!om && *skip_ws(end) == '{')
        c = skip_ws(end);
    if (*c == '{') {
        c = parse_labels(p, ls, c + 1, &p->labels, &p->labels_cap, &e->n_labels);
        if (!c)
            return p->err;
        e->labels = p->labels;
    }
    if (om) {
        if (*c != ' ')
            return omp__fail(p, -EBADMSG, ls, c, "expected a space before the value");
        c++;
    } else {
        if (*c != ' ' && *c != '\t')
            return omp__fail(p, -EBADMSG, ls, c, "expected whitespace before the value");
        c = skip_ws(c);
    }
    end = fast_value(c, !om, &e->value);
    if (!end) {
        end = om ? omp__lex_number(c, &kind) : omp__lex_prom_number(c, &kind);
        if (!end || (*end != ' ' && *end != '\n' && (om || *end != '\t')))
            return omp__fail(p, -EBADMSG, ls, c, "expected a number as sample value");
        /* Go's ParseFloat reads them, Prometheus' text parser (expfmt)
		 * refuses them before it. */
        if (kind == OMP__NUM_HEX)
            return omp__fail(p, -EBADMSG, ls, c, "hexadecimal floats are not allowed");
        if (omp__to_double(c, (size_t)(end - c), kind, &e->value) < 0)
            return omp__fail(p, -EBADMSG, ls, c, "invalid number");
    }
    e->value_text = (omp_str){c, (size_t)(end - c)};
    c = end;
    if (om) {
        if (*c == ' ' && c[1] != '#') {
            if (parse_om_timestamp(p, ls, c + 1, &c, &e->timestamp) < 0)
                return p->err;
            e->has_timestamp = true;
            /* Clamp before converting: out-of-range double to int is UB. */
            if (fabs(e->timestamp) < 9.2e15)
                e->timestamp_ms = (int64_t)floor(e->timestamp * 1000.0);
            else
                e->timestamp_ms = e->timestamp < 0 ? INT64_MIN : INT64_MAX;
        }
        if (*c == ' ' && c[1] == '#') {
            if (parse_exemplar(p, ls, c + 1, e, &c) < 0)
                return p->err;
        } else if (*c != '\n') {
            return omp__fail(p, -EBADMSG, ls, c, "expected end of line, timestamp or exemplar");
        }
    } else {
        /* Blanks after the value start a timestamp; none may end the line
		 * (as Prometheus' text parser). */
        c = skip_ws(c);
        if (c != end && *c == '\n')
            return omp__fail(p, -EBADMSG, ls, end, "whitespace at the end of the line");
        if (*c != '\n') {
            const char *t = c;
            end = omp__lex_prom_timestamp(c);
            if (end && end != skip_ws(end) && *skip_ws(end) == '\n')
                return omp__fail(p, -EBADMSG, ls, end, "whitespace at the end of the line");
            if (!end || *end != '\n')
                return omp__fail(p, -EBADMSG, ls, c,
                                 "expected a timestamp in milliseconds or end of line");
            errno = 0;
            char tmp[32];
            size_t tl = (size_t)(end - t);
            if (tl >= sizeof(tmp))
                return omp__fail(p, -EBADMSG, ls, t, "timestamp out of range");
            memcpy(tmp, t, tl);
            tmp[tl] = '\0';
            long long v = strtoll(tmp, NULL, 10);
            if (errno == ERANGE)
                return omp__fail(p, -EBADMSG, ls, t, "timestamp out of range");
            e->has_timestamp = true;
            e->timestamp_ms = v;
            e->timestamp = (double)v / 1000.0;
            c = skip_ws(end);
        }
    }
    *ret_end = c;
    p->samples++;
    return 0;
}

static const struct {
    const char *name;
    omp_type type;
    bool om, prom;
} type_words[] = {
    {"counter", OMP_TYPE_COUNTER, true, true},
    {"gauge", OMP_TYPE_GAUGE, true, true},
    {"histogram", OMP_TYPE_HISTOGRAM, true, true},
    {"gaugehistogram", OMP_TYPE_GAUGEHISTOGRAM, true, false},
    {"stateset", OMP_TYPE_STATESET, true, false},
    {"info", OMP_TYPE_INFO, true, false},
    {"summary", OMP_TYPE_SUMMARY, true, true},
    {"unknown", OMP_TYPE_UNKNOWN, true, false},
    {"untyped", OMP_TYPE_UNTYPED, false, true},
};

const char *omp_type_name(omp_type t) {
    for (size_t i = 0; i < sizeof(type_words) / sizeof(type_words[0]); i++)
        if (type_words[i].type == t)
            return type_words[i].name;
    return "unknown";
}

static int parse_meta(omp_parser *p, const char *ls, const char *le, omp_entry *e) {
    bool om = p->format == OMP_FORMAT_OPENMETRICS;
    const char *c = ls + 1, *name, *end;

    if (om) {
        if (le - ls == 5 && memcmp(ls, "# EOF", 5) == 0) {
            e->kind = OMP_EOF;
            p->seen_eof = true;
            return 1;
        }
        if (*c != ' ')
            return omp__fail(
                p, -EBADMSG, ls, c,
                "expected '# HELP', '# TYPE', '# UNIT' or '# EOF' (no other comments in OpenMetrics)");
        c++;
    } else {
        c = skip_ws(c);
    }
    if (le - c >= 5 && memcmp(c, "HELP", 4) == 0 && (c[4] == ' ' || (!om && c[4] == '\t')))
        e->kind = OMP_HELP;
    else if (le - c >= 5 && memcmp(c, "TYPE", 4) == 0 && (c[4] == ' ' || (!om && c[4] == '\t')))
        e->kind = OMP_TYPE;
    else if (om && le - c >= 5 && memcmp(c, "UNIT ", 5) == 0)
        e->kind = OMP_UNIT;
    else if (om)
        return omp__fail(p, -EBADMSG, ls, c, "expected HELP, TYPE, UNIT or EOF after '# '");
    else
        return 0; /* a plain comment */
    name = om ? c + 5 : skip_ws(c + 5);
    end = omp__lex_metricname(name);
    if (!end)
        return omp__fail(p, -EBADMSG, ls, name, "expected a metric name");
    e->family = (omp_str){name, (size_t)(end - name)};
    if (om) {
        if (*end != ' ')
            return omp__fail(p, -EBADMSG, ls, end, "expected a space after the metric name");
        c = end + 1;
    } else {
        c = skip_ws(end);
        if (c == end && *c != '\n')
            return omp__fail(p, -EBADMSG, ls, c, "expected whitespace after the metric name");
    }
    e->text = (omp_str){c, (size_t)(le - c)};
    switch (e->kind) {
    case OMP_HELP:
        if (om) {
            const char *bad = NULL;
            if (!omp__lex_text(c, &e->text_escaped, &bad))
                return omp__fail(p, -EBADMSG, ls, bad, "invalid UTF-8 or escape in HELP text");
        } else {
            e->text_escaped = memchr(c, '\\', (size_t)(le - c)) != NULL;
            const char *bad = e->text_escaped ? prom_bad_escape(c, le, false) : NULL;
            if (bad)
                return omp__fail(p, -EBADMSG, ls, bad,
                                 "invalid escape in HELP text (only \\\\ and \\n)");
        }
        break;
    case OMP_TYPE: {
        /* Trailing blanks are part of the word, as in Prometheus' parser. */
        size_t n = (size_t)(le - c), i;
        e->text.len = n;
        for (i = 0; i < sizeof(type_words) / sizeof(type_words[0]); i++)
            if ((om ? type_words[i].om : type_words[i].prom) && strlen(type_words[i].name) == n &&
                memcmp(type_words[i].name, c, n) == 0)
                break;
        if (i == sizeof(type_words) / sizeof(type_words[0]))
            return omp__fail(
                p, -EBADMSG, ls, c, "unknown metric type '%.*s'%s", (int)(n > 40 ? 40 : n), c,
                om ? "; expected counter, gauge, histogram, gaugehistogram, stateset, info, summary or unknown"
                   : "; expected counter, gauge, histogram, summary or untyped");
        e->type = type_words[i].type;
        break;
    }
    case OMP_UNIT:
        for (const char *u = c; u < le; u++)
            if (!((*u >= 'a' && *u <= 'z') || (*u >= 'A' && *u <= 'Z') ||
                  (*u >= '0' && *u <= '9') || *u == '_' || *u == ':'))
                return omp__fail(p, -EBADMSG, ls, u, "invalid character in unit");
        break;
    default: break;
    }
    return 1;
}

/* A line lexed in place ends at le (its LF): consume it, check its length. */
static int end_line_at(omp_parser *p, const char *ls, const char *le, const char **ret_le) {
    *ret_le = le;
    p->cur = le + 1;
    if ((size_t)(le - ls) + 1 > p->lim.max_line_len)
        return omp__fail(p, -E2BIG, NULL, NULL, "line longer than the limit of %zu bytes",
                         p->lim.max_line_len);
    return 0;
}

static int end_line(omp_parser *p, const char *ls, const char **ret_le) {
    const char *le = memchr(ls, '\n', (size_t)(p->safe - ls));
    return end_line_at(p, ls, le, ret_le);
}

int omp_next(omp_parser *p, omp_entry *e) {
    const char *ls = NULL, *le = NULL, *end = NULL;
    bool lazy;
    int r;

    if (!p || !e)
        return -EINVAL;
    for (;;) {
        if (p->err)
            return p->err;
        if (p->done)
            return 0;
        r = next_line(p, &ls, &le);
        if (r == -EAGAIN)
            return r;
        if (r < 0)
            return p->err ? p->err : r;
        if (r == 0) {
            if (p->format == OMP_FORMAT_OPENMETRICS && omp__om_end(p, NULL, false) < 0)
                return p->err;
            p->done = true;
            return 0;
        }
        memset(e, 0, sizeof(*e));
        e->line = p->line;
        lazy = le == NULL;
        if (p->format == OMP_FORMAT_OPENMETRICS) {
            if (p->seen_eof)
                return omp__fail(p, -EBADMSG, ls, ls, "content after '# EOF'");
            if (*ls == '\n')
                return omp__fail(p, -EBADMSG, ls, ls, "empty line (not allowed in OpenMetrics)");
            if (*ls == '#') {
                if (lazy && (r = end_line(p, ls, &le)) < 0)
                    return r;
                r = parse_meta(p, ls, le, e);
                if (r < 0)
                    return r;
                r = e->kind == OMP_EOF ? omp__om_end(p, ls, true) : omp__om_meta(p, e, ls);
            } else {
                r = parse_sample(p, ls, e, &end);
                if (r < 0)
                    return r;
                if (lazy && (r = end_line_at(p, ls, end, &le)) < 0)
                    return r;
                r = omp__om_sample(p, e, ls);
            }
            if (r < 0)
                return p->err ? p->err : r;
            if (p->last_no_newline && e->kind != OMP_EOF)
                return omp__fail(p, -EBADMSG, ls, le, "missing newline at end of line");
            return 1;
        }
        /* Prometheus 0.0.4 */
        {
            const char *c = skip_ws(ls);
            /* "The last line must end with a line feed" (blanks are no line). */
            if (p->last_no_newline && *c != '\n')
                return omp__fail(p, -EBADMSG, ls, le, "missing newline at end of input");
            if (*c == '\n' || *c == '#') {
                if (lazy && (r = end_line(p, ls, &le)) < 0)
                    return r;
                if (*c == '\n')
                    continue;
                r = parse_meta(p, c, le, e);
                if (r < 0)
                    return r;
                if (r == 0)
                    continue;
                if (omp__prom_meta(p, e, c) < 0)
                    return p->err;
                return 1;
            }
            r = parse_sample(p, c, e, &end);
            if (r < 0)
                return r;
            if (lazy && (r = end_line_at(p, ls, end, &le)) < 0)
                return r;
            if (omp__prom_sample(p, e, c) < 0)
                return p->err;
            return 1;
        }
    }
}
