/* The VM: runs a checked program tree against one line. Every pattern first
 * passes its literal prefilter (memmem / prefix compare); patterns that are a
 * literal alone never reach the regex engine. A runtime error (failed
 * conversion, regex match limit, division by zero) ends the program's run on
 * this line and is counted. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define SCRATCH_MAX (1u << 20)

typedef struct run {
    lt_prog *p;
    lt_vmctx *x;
    lt_node *nstack[32]; /* decorated blocks, innermost last: what `next` runs */
    int nsp;
    bool stop;
    int depth;
} run;

enum { OK = 0, FAIL = -1 };

static char *scratch(run *r, size_t n) {
    lt_vmctx *x = r->x;
    if (!x->scratch) {
        x->scratch = malloc(SCRATCH_MAX);
        if (!x->scratch)
            return NULL;
        x->scratch_cap = SCRATCH_MAX;
    }
    if (n > x->scratch_cap - x->scratch_len)
        return NULL;
    char *s = x->scratch + x->scratch_len;
    x->scratch_len += n;
    return s;
}

/* Whether every pair of rx's literal is in the line (false: it cannot match). */
static bool pairs_present_x(lt_vmctx *x, lt_rx *rx, const char *s, size_t n) {
    if (!x->seq)
        return true;
    if (x->pairs_seq != x->seq) {
        if (x->tested_seq != x->seq) {
            x->tested_seq = x->seq;
            return true;
        }
        memset(x->pairset, 0, sizeof(x->pairset));
        const unsigned char *u = (const unsigned char *)s;
        for (size_t i = 0; i + 1 < n; i++) {
            unsigned h = lt_pair_hash(u[i], u[i + 1]);
            x->pairset[h >> 6] |= 1ull << (h & 63);
        }
        x->pairs_seq = x->seq;
    }
    for (unsigned i = 0; i < rx->n_pairs; i++) {
        uint16_t p = rx->pairs[i];
        if (!(x->pairset[p >> 6] & (1ull << (p & 63)))) {
            /* the pair that ruled a line out is tried first next time: the
             * common pairs of a literal ("GE", "T ") stop costing a test */
            rx->pairs[i] = rx->pairs[0];
            rx->pairs[0] = p;
            return false;
        }
    }
    return true;
}

static bool pairs_present(run *r, lt_rx *rx, const char *s, size_t n) {
    return pairs_present_x(r->x, rx, s, n);
}

bool lt_vm_literal_may_match(lt_vmctx *x, lt_rx *rx) {
    const lt_rx_lits *L = &rx->lits;
    const char *s = x->line->text ? x->line->text : "";
    size_t n = x->line->len;
    if (!L->len)
        return true;
    bool found;
    if (L->prefix)
        found = n >= L->len && memcmp(s, L->lit, L->len) == 0;
    else if (rx->n_pairs && x->line->text && !pairs_present_x(x, rx, s, n))
        found = false;
    else
        found = memmem(s, n, L->lit, L->len) != NULL;
    if (found && x->line->text)
        rx->lit_ok_seq = x->seq;
    return found;
}

int lt_prog_gate(lt_prog *p) {
    lt_node *root = p->root;
    size_t n = (size_t)root->i;
    if (n == 0)
        return 0;
    for (size_t i = 0; i < n; i++) {
        lt_node *k = root->kids[i];
        if (k->kind != N_COND || k->c || k->a->kind != N_PATTERN || !k->a->rx ||
            !k->a->rx->lits.len)
            return 0;
    }
    p->gate = calloc(n, sizeof(*p->gate));
    if (!p->gate)
        return -ENOMEM;
    for (size_t i = 0; i < n; i++)
        p->gate[i] = root->kids[i]->a->rx;
    p->n_gate = n;
    return 0;
}

static int rx_match_(run *r, lt_rx *rx, const char *s, size_t n);

/* A pattern that did not match leaves no groups: its spans may be those of
 * an earlier line (a prefilter answered without the regex), so they are cut
 * off from the subject and read as not taking part. */
static int rx_match(run *r, lt_rx *rx, const char *s, size_t n) {
    if (!rx)
        return 0;
    int m = rx_match_(r, rx, s, n);
    if (m != 1)
        rx->subj = NULL;
    return m;
}

static int rx_match_(run *r, lt_rx *rx, const char *s, size_t n) {
    const lt_rx_lits *L = &rx->lits;
    lt_vmctx *x = r->x;
    rx->subj = s;
    bool on_line = s == x->line->text && n == x->line->len;
    /* the literal was already found in this line (the program's gate) */
    bool lit_known = on_line && x->seq && rx->lit_ok_seq == x->seq;
    /* the shared pass pays off for unanchored literals tested on the line */
    if (!lit_known && rx->n_pairs && !L->prefix && on_line && !pairs_present(r, rx, s, n))
        return 0;
    if (rx->use_pure) {
        if (L->always) {
            rx->spans[0].start = rx->spans[0].end = 0;
            return 1;
        }
        if (L->prefix) {
            if (n < L->len || memcmp(s, L->lit, L->len) != 0)
                return 0;
            rx->spans[0].start = 0;
            rx->spans[0].end = L->len;
            return 1;
        }
        const char *f = memmem(s, n, L->lit, L->len);
        if (!f)
            return 0;
        rx->spans[0].start = (size_t)(f - s);
        rx->spans[0].end = rx->spans[0].start + L->len;
        return 1;
    }
    if (L->len && !lit_known && lt_skip_test(&rx->lit_skip)) {
        bool found = L->prefix ? n >= L->len && memcmp(s, L->lit, L->len) == 0
                               : memmem(s, n, L->lit, L->len) != NULL;
        lt_skip_note(&rx->lit_skip, !found);
        if (!found)
            return 0;
    }
    int rc = omx_regex_exec(rx->re, s, n, rx->spans, rx->n_spans);
    if (rc == OMX_ELIMIT) {
        r->p->runtime_errors++;
        return 0;
    }
    return rc == 1;
}

static const char *line_text(run *r, size_t *n) {
    *n = r->x->line->len;
    return r->x->line->text ? r->x->line->text : "";
}

/* ---- conversions ---- */

/* Plain decimal digits (optionally signed), at most 18: no overflow possible. */
static bool fast_int(const char *s, size_t n, int64_t *out) {
    size_t i = 0;
    bool neg = false;
    if (n && (s[0] == '-' || s[0] == '+')) {
        neg = s[0] == '-';
        i = 1;
    }
    if (i == n || n - i > 18)
        return false;
    int64_t v = 0;
    for (; i < n; i++) {
        unsigned d = (unsigned char)s[i] - '0';
        if (d > 9)
            return false;
        v = v * 10 + d;
    }
    *out = neg ? -v : v;
    return true;
}

static int parse_int(const char *s, size_t n, int64_t *out) {
    if (fast_int(s, n, out))
        return OK;
    /* what strtoll could still read: digits past 18, signs, leading space */
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!(c >= '0' && c <= '9') && c != '-' && c != '+' && c != ' ' && (c < '\t' || c > '\r'))
            return FAIL;
    }
    char buf[64];
    if (n == 0 || n >= sizeof(buf))
        return FAIL;
    memcpy(buf, s, n);
    buf[n] = 0;
    errno = 0;
    char *end;
    long long v = strtoll(buf, &end, 10);
    if (errno || *end)
        return FAIL;
    *out = v;
    return OK;
}

static int parse_float(const char *s, size_t n, double *out) {
    /* digits.digits with at most 15 significant digits: mantissa and power of
     * ten are exact doubles, so one division is correctly rounded (as strtod) */
    static const double p10[] = {1,   1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
    if (n > 0 && n <= 16) {
        int64_t mant = 0;
        int frac = -1, digits = 0;
        size_t i = 0;
        bool ok = true;
        for (; i < n; i++) {
            char c = s[i];
            if (c >= '0' && c <= '9') {
                mant = mant * 10 + (c - '0');
                digits++;
                if (frac >= 0)
                    frac++;
            } else if (c == '.' && frac < 0)
                frac = 0;
            else {
                ok = false;
                break;
            }
        }
        if (ok && digits > 0 && digits <= 15) {
            *out = frac > 0 ? (double)mant / p10[frac] : (double)mant;
            return OK;
        }
    }
    char buf[128];
    if (n == 0 || n >= sizeof(buf))
        return FAIL;
    memcpy(buf, s, n);
    buf[n] = 0;
    char *end;
    errno = 0;
    double v = strtod(buf, &end);
    if (*end || errno == ERANGE)
        return FAIL;
    *out = v;
    return OK;
}

static int to_int(const lt_val *v, int64_t *out) {
    switch (v->t) {
    case TY_INT:
    case TY_BOOL: *out = v->i; return OK;
    case TY_FLOAT:
        if (!(v->f >= -9.2e18 && v->f <= 9.2e18))
            return FAIL;
        *out = (int64_t)v->f;
        return OK;
    case TY_STRING: return parse_int(v->s, v->n, out);
    default: *out = 0; return OK;
    }
}

static int to_float(const lt_val *v, double *out) {
    switch (v->t) {
    case TY_INT:
    case TY_BOOL: *out = (double)v->i; return OK;
    case TY_FLOAT: *out = v->f; return OK;
    case TY_STRING: return parse_float(v->s, v->n, out);
    default: *out = 0; return OK;
    }
}

/* A string becomes an Int if it reads as one, else a Float. */
static int to_num(lt_val *v) {
    if (v->t != TY_STRING)
        return OK;
    int64_t i;
    if (parse_int(v->s, v->n, &i) == OK) {
        v->t = TY_INT;
        v->i = i;
        return OK;
    }
    double f;
    if (parse_float(v->s, v->n, &f) == OK) {
        v->t = TY_FLOAT;
        v->f = f;
        return OK;
    }
    return FAIL;
}

static int to_str(run *r, const lt_val *v, lt_val *out) {
    if (v->t == TY_STRING) {
        *out = *v;
        return OK;
    }
    char buf[48];
    size_t n;
    if (v->t == TY_FLOAT)
        n = omx_format_double(buf, v->f);
    else
        n = (size_t)snprintf(buf, sizeof(buf), "%lld", (long long)v->i);
    char *s = scratch(r, n);
    if (!s)
        return FAIL;
    memcpy(s, buf, n);
    out->t = TY_STRING;
    out->s = s;
    out->n = n;
    return OK;
}

static bool truthy(const lt_val *v) {
    switch (v->t) {
    case TY_FLOAT: return v->f != 0;
    case TY_STRING: return v->n != 0;
    default: return v->i != 0;
    }
}

static lt_val vint(int64_t i) {
    lt_val v = {.t = TY_INT, .i = i};
    return v;
}
static lt_val vbool(bool b) {
    lt_val v = {.t = TY_BOOL, .i = b};
    return v;
}

/* ---- metrics ---- */

static int eval(run *r, lt_node *n, lt_val *out);

/* A key: a String capture group is used as the text it matched, an Int one
 * too when that text is already how the number prints (no round trip). */
static bool canonical_int(const char *s, size_t n) {
    size_t i = n && s[0] == '-' ? 1 : 0;
    if (i == n || n - i > 18 || (s[i] == '0' && n - i > 1) || (i && s[i] == '0'))
        return false;
    for (; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

static int eval_key(run *r, lt_node *n, lt_val *out) {
    if (n->kind == N_CAPREF && n->rx && n->group < n->rx->n_spans && n->rx->subj &&
        n->type != TY_FLOAT) {
        omx_regex_span sp = n->rx->spans[n->group];
        out->t = TY_STRING;
        if (sp.start == OMX_REGEX_UNSET) {
            out->s = "";
            out->n = 0;
        } else {
            out->s = n->rx->subj + sp.start;
            out->n = sp.end - sp.start;
        }
        if (n->type != TY_INT || canonical_int(out->s, out->n))
            return OK;
    }
    return eval(r, n, out);
}

static lt_series *series_of(run *r, lt_node *n, lt_metric **mret) {
    lt_node *id = n->kind == N_INDEX ? n->a : n;
    lt_metric *m = r->p->metrics[id->slot];
    *mret = m;
    lt_val keys[16];
    lt_val *k = keys;
    if (n->n_kids > 16) {
        k = malloc(n->n_kids * sizeof(*k));
        if (!k)
            return NULL;
    }
    for (size_t i = 0; i < n->n_kids; i++)
        if (eval_key(r, n->kids[i], &k[i]) < 0) {
            if (k != keys)
                free(k);
            return NULL;
        }
    int err;
    lt_series *s =
        lt_metric_get(m, n->n_kids ? k : NULL, n->n_kids,
                      r->x->opt ? r->x->opt->default_series_limit : 0, r->x->ts_ns, &err);
    if (k != keys)
        free(k);
    return s;
}

static int metric_value(lt_metric *m, lt_series *s, lt_val *out) {
    if (m->kind == K_TEXT) {
        out->t = TY_STRING;
        out->s = s->sval ? s->sval : "";
        out->n = s->sval ? strlen(s->sval) : 0;
    } else if (m->kind == K_HISTOGRAM) {
        out->t = TY_FLOAT;
        out->f = s->sum;
    } else if (m->is_float) {
        out->t = TY_FLOAT;
        out->f = s->fval;
    } else
        *out = vint(s->ival);
    return OK;
}

static int store(run *r, lt_metric *m, lt_series *s, const lt_val *v, bool add) {
    if (m->kind == K_HISTOGRAM) {
        double f;
        if (to_float(v, &f) < 0)
            return FAIL;
        lt_histogram_observe(m, s, f);
    } else if (m->kind == K_TEXT) {
        lt_val sv;
        if (to_str(r, v, &sv) < 0)
            return FAIL;
        char *t = malloc(sv.n + 1);
        if (!t)
            return FAIL;
        memcpy(t, sv.s, sv.n);
        t[sv.n] = 0;
        free(s->sval);
        s->sval = t;
    } else if (m->is_float) {
        double f;
        if (to_float(v, &f) < 0)
            return FAIL;
        s->fval = add ? s->fval + f : f;
    } else {
        int64_t i;
        if (to_int(v, &i) < 0) {
            double f;
            if (v->t != TY_STRING || parse_float(v->s, v->n, &f) < 0)
                return FAIL;
            i = (int64_t)f;
        }
        s->ival = add ? (int64_t)((uint64_t)s->ival + (uint64_t)i) : i;
    }
    lt_series_touch(m, s, r->x->ts_ns);
    return OK;
}

/* ---- builtins ---- */

static int subst(run *r, lt_node *n, lt_val *out) {
    lt_val nv, sv;
    if (eval(r, n->kids[1], &nv) < 0 || to_str(r, &nv, &nv) < 0)
        return FAIL;
    if (eval(r, n->kids[2], &sv) < 0 || to_str(r, &sv, &sv) < 0)
        return FAIL;
    lt_node *o = n->kids[0];
    /* worst case: a replacement at every byte */
    size_t cap = sv.n * (nv.n + 1) + nv.n + 1;
    if (cap > SCRATCH_MAX)
        cap = r->x->scratch_cap ? r->x->scratch_cap - r->x->scratch_len : SCRATCH_MAX;
    char *dst = scratch(r, 0) ? r->x->scratch + r->x->scratch_len : NULL;
    if (!dst)
        return FAIL;
    size_t avail = r->x->scratch_cap - r->x->scratch_len, len = 0;
#define PUT(p, l)                    \
    do {                             \
        if (len + (l) > avail)       \
            return FAIL;             \
        memcpy(dst + len, (p), (l)); \
        len += (l);                  \
    } while (0)
    if (o->kind == N_PATTERN) {
        if (!o->rx)
            return FAIL;
        size_t pos = 0;
        omx_regex_span sp[1];
        while (pos <= sv.n) {
            int rc = omx_regex_exec(o->rx->re, sv.s + pos, sv.n - pos, sp, 1);
            if (rc == OMX_ELIMIT)
                return FAIL;
            if (rc != 1)
                break;
            PUT(sv.s + pos, sp[0].start);
            PUT(nv.s, nv.n);
            if (sp[0].end == sp[0].start) {
                if (pos + sp[0].end < sv.n)
                    PUT(sv.s + pos + sp[0].end, 1);
                pos += sp[0].end + 1;
            } else
                pos += sp[0].end;
        }
        if (pos < sv.n)
            PUT(sv.s + pos, sv.n - pos);
    } else {
        lt_val ov;
        if (eval(r, o, &ov) < 0 || to_str(r, &ov, &ov) < 0)
            return FAIL;
        size_t pos = 0;
        if (ov.n == 0) {
            PUT(sv.s, sv.n);
        } else {
            while (pos < sv.n) {
                const char *f = memmem(sv.s + pos, sv.n - pos, ov.s, ov.n);
                if (!f)
                    break;
                PUT(sv.s + pos, (size_t)(f - (sv.s + pos)));
                PUT(nv.s, nv.n);
                pos = (size_t)(f - sv.s) + ov.n;
            }
            PUT(sv.s + pos, sv.n - pos);
        }
    }
#undef PUT
    (void)cap;
    r->x->scratch_len += len;
    out->t = TY_STRING;
    out->s = dst;
    out->n = len;
    return OK;
}

static int parse_bool(const lt_val *v, bool *b) {
    static const char *const t[] = {"1", "t", "T", "TRUE", "true", "True"};
    static const char *const f[] = {"0", "f", "F", "FALSE", "false", "False"};
    for (size_t i = 0; i < 6; i++) {
        if (strlen(t[i]) == v->n && memcmp(t[i], v->s, v->n) == 0) {
            *b = true;
            return OK;
        }
        if (strlen(f[i]) == v->n && memcmp(f[i], v->s, v->n) == 0) {
            *b = false;
            return OK;
        }
    }
    return FAIL;
}

static int call(run *r, lt_node *n, lt_val *out) {
    lt_val a = {0}, b = {0};
    memset(out, 0, sizeof(*out));
    switch (n->builtin) {
    case B_LEN:
        if (eval(r, n->kids[0], &a) < 0 || to_str(r, &a, &a) < 0)
            return FAIL;
        *out = vint((int64_t)a.n);
        return OK;
    case B_TOLOWER: {
        if (eval(r, n->kids[0], &a) < 0 || to_str(r, &a, &a) < 0)
            return FAIL;
        char *s = scratch(r, a.n);
        if (!s && a.n)
            return FAIL;
        for (size_t i = 0; i < a.n; i++)
            s[i] = (char)tolower((unsigned char)a.s[i]);
        out->t = TY_STRING;
        out->s = s ? s : "";
        out->n = a.n;
        return OK;
    }
    case B_SUBST: return subst(r, n, out);
    case B_STRTOL: {
        int64_t base;
        if (eval(r, n->kids[0], &a) < 0 || to_str(r, &a, &a) < 0 || eval(r, n->kids[1], &b) < 0 ||
            to_int(&b, &base) < 0 || base < 0 || base == 1 || base > 36)
            return FAIL;
        char buf[80];
        if (a.n == 0 || a.n >= sizeof(buf))
            return FAIL;
        memcpy(buf, a.s, a.n);
        buf[a.n] = 0;
        errno = 0;
        char *end;
        long long v = strtoll(buf, &end, (int)base);
        if (errno || *end)
            return FAIL;
        *out = vint(v);
        return OK;
    }
    case B_INT: {
        int64_t i;
        if (eval(r, n->kids[0], &a) < 0)
            return FAIL;
        if (a.t == TY_STRING) {
            if (to_num(&a) < 0)
                return FAIL;
        }
        if (to_int(&a, &i) < 0)
            return FAIL;
        *out = vint(i);
        return OK;
    }
    case B_FLOAT: {
        double f;
        if (eval(r, n->kids[0], &a) < 0 || to_float(&a, &f) < 0)
            return FAIL;
        out->t = TY_FLOAT;
        out->f = f;
        return OK;
    }
    case B_STRING:
        if (eval(r, n->kids[0], &a) < 0)
            return FAIL;
        return to_str(r, &a, out);
    case B_BOOL: {
        if (eval(r, n->kids[0], &a) < 0)
            return FAIL;
        if (a.t == TY_STRING) {
            bool bv;
            if (parse_bool(&a, &bv) < 0)
                return FAIL;
            *out = vbool(bv);
        } else
            *out = vbool(truthy(&a));
        return OK;
    }
    case B_STRPTIME: {
        if (eval(r, n->kids[0], &a) < 0 || to_str(r, &a, &a) < 0)
            return FAIL;
        lt_node *f = n->kids[1];
        int64_t ns;
        const lt_options *o = r->x->opt;
        if (lt_gotime_parse(f->str, f->slen, a.s, a.n, o ? o->override_tz : NULL,
                            o ? o->syslog_use_current_year : true, r->x->line->time_ns, &ns) < 0)
            return FAIL;
        r->x->ts_ns = ns;
        return OK;
    }
    case B_SETTIME: {
        int64_t s;
        if (eval(r, n->kids[0], &a) < 0 || to_int(&a, &s) < 0)
            return FAIL;
        if (s > INT64_MAX / 1000000000 || s < INT64_MIN / 1000000000)
            return FAIL;
        r->x->ts_ns = s * 1000000000;
        return OK;
    }
    case B_TIMESTAMP: *out = vint(r->x->ts_ns / 1000000000); return OK;
    case B_GETFILENAME: {
        const char *fn = r->x->line->filename ? r->x->line->filename : "";
        out->t = TY_STRING;
        out->s = fn;
        out->n = strlen(fn);
        return OK;
    }
    case B_DEFINED: {
        /* the checker allows only a capture group here */
        lt_node *g = n->kids[0];
        lt_rx *rx = g->rx;
        *out = vbool(rx && rx->subj && g->group < rx->n_spans &&
                     rx->spans[g->group].start != OMX_REGEX_UNSET);
        return OK;
    }
    default: return FAIL;
    }
}

/* ---- expressions ---- */

static int cond(run *r, lt_node *n, bool *res);

static int binary(run *r, lt_node *n, lt_val *out) {
    lt_val a, b;
    bool ba, bb;
    switch (n->op) {
    case T_AND:
        if (cond(r, n->a, &ba) < 0)
            return FAIL;
        if (!ba) {
            *out = vbool(false);
            return OK;
        }
        if (cond(r, n->b, &bb) < 0)
            return FAIL;
        *out = vbool(bb);
        return OK;
    case T_OR:
        if (cond(r, n->a, &ba) < 0)
            return FAIL;
        if (ba) {
            *out = vbool(true);
            return OK;
        }
        if (cond(r, n->b, &bb) < 0)
            return FAIL;
        *out = vbool(bb);
        return OK;
    case T_MATCH:
    case T_NOT_MATCH: {
        if (eval(r, n->a, &a) < 0 || to_str(r, &a, &a) < 0)
            return FAIL;
        int m = rx_match(r, n->b->rx, a.s ? a.s : "", a.n);
        *out = vbool(n->op == T_MATCH ? m == 1 : m != 1);
        return OK;
    }
    case T_ASSIGN:
    case T_ADD_ASSIGN: {
        lt_metric *m;
        if (eval(r, n->b, &b) < 0)
            return FAIL;
        lt_series *s = series_of(r, n->a, &m);
        if (!s || store(r, m, s, &b, n->op == T_ADD_ASSIGN) < 0)
            return FAIL;
        *out = b;
        return OK;
    }
    default: break;
    }
    if (eval(r, n->a, &a) < 0 || eval(r, n->b, &b) < 0)
        return FAIL;
    if (n->op == T_PLUS && a.t == TY_STRING && b.t == TY_STRING && n->type == TY_STRING) {
        char *s = scratch(r, a.n + b.n);
        if (!s && a.n + b.n)
            return FAIL;
        if (a.n)
            memcpy(s, a.s, a.n);
        if (b.n)
            memcpy(s + a.n, b.s, b.n);
        out->t = TY_STRING;
        out->s = s ? s : "";
        out->n = a.n + b.n;
        return OK;
    }
    switch (n->op) {
    case T_EQ:
    case T_NE:
    case T_LT:
    case T_GT:
    case T_LE:
    case T_GE: {
        int c;
        if (a.t == TY_STRING && b.t == TY_STRING) {
            size_t m = a.n < b.n ? a.n : b.n;
            c = m ? memcmp(a.s, b.s, m) : 0;
            if (c == 0)
                c = a.n < b.n ? -1 : a.n > b.n;
        } else {
            if (to_num(&a) < 0 || to_num(&b) < 0)
                return FAIL;
            if (a.t == TY_FLOAT || b.t == TY_FLOAT) {
                double x, y;
                to_float(&a, &x);
                to_float(&b, &y);
                c = x < y ? -1 : x > y ? 1 : 0;
                if (x != x || y != y)
                    c = 2; /* NaN: only != holds */
            } else
                c = a.i < b.i ? -1 : a.i > b.i;
        }
        bool res;
        switch (n->op) {
        case T_EQ: res = c == 0; break;
        case T_NE: res = c != 0; break;
        case T_LT: res = c == -1; break;
        case T_GT: res = c == 1; break;
        case T_LE: res = c == -1 || c == 0; break;
        default: res = c == 1 || c == 0; break;
        }
        *out = vbool(res);
        return OK;
    }
    default: break;
    }
    if (to_num(&a) < 0 || to_num(&b) < 0)
        return FAIL;
    if (a.t == TY_BOOL)
        a.t = TY_INT;
    if (b.t == TY_BOOL)
        b.t = TY_INT;
    switch (n->op) {
    case T_BITAND:
    case T_BITOR:
    case T_XOR:
    case T_SHL:
    case T_SHR: {
        int64_t x, y;
        if (to_int(&a, &x) < 0 || to_int(&b, &y) < 0)
            return FAIL;
        uint64_t ux = (uint64_t)x;
        switch (n->op) {
        case T_BITAND: *out = vint(x & y); break;
        case T_BITOR: *out = vint(x | y); break;
        case T_XOR: *out = vint(x ^ y); break;
        case T_SHL: *out = vint(y < 0 || y > 63 ? 0 : (int64_t)(ux << y)); break;
        default: *out = vint(y < 0 || y > 63 ? (x < 0 ? -1 : 0) : x >> y); break;
        }
        return OK;
    }
    default: break;
    }
    if (a.t == TY_INT && b.t == TY_INT) {
        uint64_t x = (uint64_t)a.i, y = (uint64_t)b.i;
        switch (n->op) {
        case T_PLUS: *out = vint((int64_t)(x + y)); return OK;
        case T_MINUS: *out = vint((int64_t)(x - y)); return OK;
        case T_MUL: *out = vint((int64_t)(x * y)); return OK;
        case T_DIV:
        case T_MOD:
            if (b.i == 0 || (a.i == INT64_MIN && b.i == -1))
                return FAIL;
            *out = vint(n->op == T_DIV ? a.i / b.i : a.i % b.i);
            return OK;
        case T_POW:
            if (b.i >= 0) {
                uint64_t res = 1, base = x;
                for (int64_t e = b.i; e > 0; e >>= 1) {
                    if (e & 1)
                        res *= base;
                    base *= base;
                }
                *out = vint((int64_t)res);
                return OK;
            }
            break;
        default: return FAIL;
        }
    }
    double x, y;
    if (to_float(&a, &x) < 0 || to_float(&b, &y) < 0)
        return FAIL;
    out->t = TY_FLOAT;
    switch (n->op) {
    case T_PLUS: out->f = x + y; break;
    case T_MINUS: out->f = x - y; break;
    case T_MUL: out->f = x * y; break;
    case T_DIV: out->f = x / y; break;
    case T_MOD: out->f = lt_fmod(x, y); break;
    case T_POW: out->f = lt_pow(x, y); break;
    default: return FAIL;
    }
    return OK;
}

static int eval(run *r, lt_node *n, lt_val *out) {
    memset(out, 0, sizeof(*out));
    switch (n->kind) {
    case N_INT: *out = vint(n->i); return OK;
    case N_FLOAT:
        out->t = TY_FLOAT;
        out->f = n->f;
        return OK;
    case N_STR:
        out->t = TY_STRING;
        out->s = n->str;
        out->n = n->slen;
        return OK;
    case N_PATTERN: {
        size_t len;
        const char *s = line_text(r, &len);
        *out = vbool(rx_match(r, n->rx, s, len) == 1);
        return OK;
    }
    case N_CAPREF: {
        lt_rx *rx = n->rx;
        if (!rx || n->group >= rx->n_spans)
            return FAIL;
        omx_regex_span sp = rx->spans[n->group];
        out->t = TY_STRING;
        if (sp.start == OMX_REGEX_UNSET || !rx->subj) {
            out->s = "";
            out->n = 0;
        } else {
            out->s = rx->subj + sp.start;
            out->n = sp.end - sp.start;
        }
        if (n->type == TY_INT || n->type == TY_FLOAT) {
            if (out->n == 0)
                return FAIL;
            return to_num(out);
        }
        return OK;
    }
    case N_ID:
    case N_INDEX: {
        lt_metric *m;
        lt_series *s = series_of(r, n, &m);
        if (!s)
            return FAIL;
        return metric_value(m, s, out);
    }
    case N_CALL: return call(r, n, out);
    case N_NOT: {
        bool b;
        if (cond(r, n->a, &b) < 0)
            return FAIL;
        *out = vbool(!b);
        return OK;
    }
    case N_INCDEC: {
        lt_metric *m;
        lt_series *s = series_of(r, n->a, &m);
        if (!s)
            return FAIL;
        if (m->is_float)
            s->fval += n->op == T_INC ? 1 : -1;
        else /* wraps, never undefined */
            s->ival = (int64_t)((uint64_t)s->ival + (n->op == T_INC ? 1u : UINT64_MAX));
        lt_series_touch(m, s, r->x->ts_ns);
        return metric_value(m, s, out);
    }
    case N_BIN: return binary(r, n, out);
    default: return FAIL;
    }
}

static int cond(run *r, lt_node *n, bool *res) {
    lt_val v;
    if (eval(r, n, &v) < 0)
        return FAIL;
    *res = truthy(&v);
    return OK;
}

/* ---- statements ---- */

static int exec_list(run *r, lt_node *l);

static int exec(run *r, lt_node *n, bool *matched) {
    switch (n->kind) {
    case N_DECL:
    case N_CONST:
    case N_DEF: return OK;
    case N_COND: {
        bool b;
        if (cond(r, n->a, &b) < 0)
            return FAIL;
        if (b) {
            *matched = true;
            return exec_list(r, n->b);
        }
        return n->c ? exec_list(r, n->c) : OK;
    }
    case N_OTHERWISE: return *matched ? OK : exec_list(r, n->a);
    case N_DECO: {
        if (r->nsp >= 32)
            return FAIL;
        r->nstack[r->nsp++] = n->a;
        int rc = exec_list(r, n->def->a);
        r->nsp--;
        return rc;
    }
    case N_NEXT: {
        /* the decorated block runs in the context around its decoration */
        if (r->nsp == 0)
            return OK;
        lt_node *blk = r->nstack[--r->nsp];
        int rc = exec_list(r, blk);
        r->nstack[r->nsp++] = blk;
        return rc;
    }
    case N_STOP: r->stop = true; return OK;
    case N_DEL: {
        lt_node *t = n->a;
        lt_metric *m = r->p->metrics[t->a->slot];
        lt_val keys[16];
        if (t->n_kids > 16)
            return FAIL;
        for (size_t i = 0; i < t->n_kids; i++)
            if (eval_key(r, t->kids[i], &keys[i]) < 0)
                return FAIL;
        if (n->i > 0) {
            int err;
            lt_series *s =
                lt_metric_get(m, keys, t->n_kids, r->x->opt ? r->x->opt->default_series_limit : 0,
                              r->x->ts_ns, &err);
            if (!s)
                return FAIL;
            s->expire_after_ns = n->i;
        } else
            lt_metric_del(m, keys, t->n_kids);
        return OK;
    }
    case N_LIST: return exec_list(r, n);
    default: {
        lt_val v;
        return eval(r, n, &v);
    }
    }
}

static int exec_list(run *r, lt_node *l) {
    bool matched = false;
    if (++r->depth > 1000)
        return FAIL;
    size_t n = (size_t)l->i; /* the executable statements come first */
    for (size_t i = 0; i < n && !r->stop; i++)
        if (exec(r, l->kids[i], &matched) < 0) {
            r->depth--;
            return FAIL;
        }
    r->depth--;
    return OK;
}

static int run_list(lt_prog *prog, lt_vmctx *ctx, lt_node *list) {
    run r; /* not zeroed whole: nstack is written before it is read */
    r.p = prog;
    r.x = ctx;
    r.nsp = 0;
    r.stop = false;
    r.depth = 0;
    ctx->scratch_len = 0;
    ctx->ts_ns = ctx->line->time_ns;
    if (exec_list(&r, list) < 0) {
        prog->runtime_errors++;
        return 1;
    }
    return 0;
}

int lt_vm_run(lt_prog *prog, lt_vmctx *ctx) { return run_list(prog, ctx, prog->root); }

int lt_vm_run_begin(lt_prog *prog, lt_vmctx *ctx) {
    int rc = 0;
    for (size_t i = 0; i < prog->n_begin; i++)
        rc |= run_list(prog, ctx, prog->begin[i]);
    return rc;
}

bool lt_vm_filter_allows(lt_prog *p, const char *name) {
    if (!p->n_filters)
        return true;
    if (!name)
        name = "";
    if (p->filter_for && strcmp(p->filter_for, name) == 0)
        return p->filter_ok;
    bool ok = false;
    size_t n = strlen(name);
    for (size_t i = 0; i < p->n_filters && !ok; i++) {
        int rc = omx_regex_exec(p->filters[i]->re, name, n, p->filters[i]->spans,
                                p->filters[i]->n_spans);
        ok = rc == 1;
    }
    /* without memory for the copy the answer is simply not kept */
    free(p->filter_for);
    p->filter_for = strdup(name);
    p->filter_ok = ok;
    return ok;
}
