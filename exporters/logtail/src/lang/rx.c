/* A small reading of RE2 syntax, for two questions the regex engine does not
 * answer: which type a capture group holds (mtail's inference: only digits and
 * signs is Int, with one '.' or an exponent Float, else String), and which
 * literal every match must contain (the prefilter that spares most lines a
 * regex run). Patterns it cannot read give String and no literal: that is
 * always safe. The regex engine itself (exporter/regex.h) decides validity. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

enum { R_LIT, R_CLASS, R_ANY, R_EMPTY, R_CAT, R_ALT, R_REP, R_CAP, R_GRP };

typedef struct rnode rnode;
struct rnode {
    int op;
    unsigned char c;
    uint8_t set[32]; /* R_CLASS */
    int min, max;    /* R_REP, max -1 = unbounded */
    size_t cap;      /* R_CAP */
    bool begin;      /* R_EMPTY: ^ or \A */
    rnode **sub;
    size_t n_sub;
};

typedef struct rparser {
    const char *s;
    size_t pos, len;
    size_t ncap;
    bool bad;
    bool caseless;
    int depth;
} rparser;

static void rfree(rnode *n) {
    if (!n)
        return;
    for (size_t i = 0; i < n->n_sub; i++)
        rfree(n->sub[i]);
    free(n->sub);
    free(n);
}

static rnode *rnew(rparser *p, int op) {
    rnode *n = calloc(1, sizeof(*n));
    if (!n)
        p->bad = true;
    else
        n->op = op;
    return n;
}

static bool radd(rparser *p, rnode *n, rnode *k) {
    if (!k)
        return false;
    rnode **s = realloc(n->sub, (n->n_sub + 1) * sizeof(*s));
    if (!s) {
        p->bad = true;
        rfree(k);
        return false;
    }
    n->sub = s;
    n->sub[n->n_sub++] = k;
    return true;
}

static void set_bit(uint8_t *set, unsigned c) { set[c >> 3] |= (uint8_t)(1u << (c & 7)); }
static bool has_bit(const uint8_t *set, unsigned c) { return set[c >> 3] & (1u << (c & 7)); }
static void set_range(uint8_t *set, unsigned lo, unsigned hi) {
    for (unsigned c = lo; c <= hi && c < 256; c++)
        set_bit(set, c);
}

/* Perl classes; returns false if e is not one. */
static bool perl_class(char e, uint8_t *set) {
    uint8_t t[32] = {0};
    switch (e | 0x20) {
    case 'd': set_range(t, '0', '9'); break;
    case 'w':
        set_range(t, '0', '9');
        set_range(t, 'a', 'z');
        set_range(t, 'A', 'Z');
        set_bit(t, '_');
        break;
    case 's':
        set_bit(t, ' ');
        set_range(t, '\t', '\r');
        break;
    default: return false;
    }
    bool neg = e >= 'A' && e <= 'Z';
    for (int i = 0; i < 32; i++)
        set[i] |= neg ? (uint8_t)~t[i] : t[i];
    return true;
}

static rnode *parse_alt(rparser *p);

static int esc_char(char e) {
    switch (e) {
    case 'n': return '\n';
    case 't': return '\t';
    case 'r': return '\r';
    case 'f': return '\f';
    case 'v': return '\v';
    case 'a': return 7;
    default:
        if ((e >= 'a' && e <= 'z') || (e >= 'A' && e <= 'Z') || (e >= '0' && e <= '9'))
            return -1; /* \x, \p, \b, backreferences...: not a plain literal */
        return (unsigned char)e;
    }
}

static rnode *parse_class(rparser *p) {
    rnode *n = rnew(p, R_CLASS);
    if (!n)
        return NULL;
    bool neg = false;
    if (p->pos < p->len && p->s[p->pos] == '^') {
        neg = true;
        p->pos++;
    }
    bool first = true;
    while (p->pos < p->len && (p->s[p->pos] != ']' || first)) {
        first = false;
        unsigned char c = (unsigned char)p->s[p->pos++];
        if (c == '[' && p->pos < p->len && p->s[p->pos] == ':') {
            /* [:alpha:] and friends: mark everything (type String, no literal) */
            const char *end = strstr(p->s + p->pos, ":]");
            if (!end) {
                p->bad = true;
                break;
            }
            p->pos = (size_t)(end - p->s) + 2;
            memset(n->set, 0xff, sizeof(n->set));
            continue;
        }
        if (c == '\\') {
            if (p->pos >= p->len) {
                p->bad = true;
                break;
            }
            char e = p->s[p->pos++];
            if (perl_class(e, n->set))
                continue;
            int ec = esc_char(e);
            if (ec < 0) {
                memset(n->set, 0xff, sizeof(n->set));
                continue;
            }
            c = (unsigned char)ec;
        }
        unsigned hi = c;
        if (p->pos + 1 < p->len && p->s[p->pos] == '-' && p->s[p->pos + 1] != ']') {
            p->pos++;
            unsigned char d = (unsigned char)p->s[p->pos++];
            if (d == '\\' && p->pos < p->len) {
                int ec = esc_char(p->s[p->pos++]);
                d = ec < 0 ? 0xff : (unsigned char)ec;
            }
            hi = d;
        }
        set_range(n->set, c, hi);
    }
    if (p->pos >= p->len)
        p->bad = true;
    else
        p->pos++;
    if (neg)
        for (int i = 0; i < 32; i++)
            n->set[i] = (uint8_t)~n->set[i];
    return n;
}

static rnode *parse_atom(rparser *p) {
    char c = p->s[p->pos++];
    rnode *n;
    switch (c) {
    case '.': return rnew(p, R_ANY);
    case '^':
    case '$':
        n = rnew(p, R_EMPTY);
        if (n)
            n->begin = c == '^';
        return n;
    case '[': return parse_class(p);
    case '(': {
        rnode *g;
        if (p->pos < p->len && p->s[p->pos] == '?') {
            p->pos++;
            if (p->pos < p->len && (p->s[p->pos] == 'P' || p->s[p->pos] == '<')) {
                if (p->s[p->pos] == 'P')
                    p->pos++;
                const char *end = memchr(p->s + p->pos, '>', p->len - p->pos);
                if (!end) {
                    p->bad = true;
                    return NULL;
                }
                p->pos = (size_t)(end - p->s) + 1;
                g = rnew(p, R_CAP);
                if (g)
                    g->cap = ++p->ncap;
            } else {
                /* flags: (?i) (?s:...) */
                bool colon = false;
                while (p->pos < p->len && p->s[p->pos] != ')') {
                    char f = p->s[p->pos++];
                    if (f == 'i')
                        p->caseless = true;
                    if (f == ':') {
                        colon = true;
                        break;
                    }
                }
                if (!colon) {
                    if (p->pos >= p->len) {
                        p->bad = true;
                        return NULL;
                    }
                    p->pos++;
                    return rnew(p, R_EMPTY);
                }
                g = rnew(p, R_GRP);
            }
        } else {
            g = rnew(p, R_CAP);
            if (g)
                g->cap = ++p->ncap;
        }
        if (!g)
            return NULL;
        if (++p->depth > 100) {
            p->bad = true;
            rfree(g);
            return NULL;
        }
        rnode *in = parse_alt(p);
        p->depth--;
        if (!in || p->pos >= p->len || p->s[p->pos] != ')') {
            p->bad = true;
            rfree(in);
            rfree(g);
            return NULL;
        }
        p->pos++;
        radd(p, g, in);
        return g;
    }
    case '\\': {
        if (p->pos >= p->len) {
            p->bad = true;
            return NULL;
        }
        char e = p->s[p->pos++];
        if (e == 'Q') {
            rnode *cat = rnew(p, R_CAT);
            while (cat && p->pos < p->len) {
                if (p->s[p->pos] == '\\' && p->pos + 1 < p->len && p->s[p->pos + 1] == 'E') {
                    p->pos += 2;
                    break;
                }
                rnode *l = rnew(p, R_LIT);
                if (!l)
                    break;
                l->c = (unsigned char)p->s[p->pos++];
                radd(p, cat, l);
            }
            return cat;
        }
        if (e == 'b' || e == 'B' || e == 'A' || e == 'z') {
            n = rnew(p, R_EMPTY);
            if (n)
                n->begin = e == 'A';
            return n;
        }
        n = rnew(p, R_CLASS);
        if (!n)
            return NULL;
        if (perl_class(e, n->set))
            return n;
        int ec = esc_char(e);
        if (ec < 0) {
            if (e == 'x') { /* \xHH or \x{...}: some byte, not used as a literal */
                if (p->pos < p->len && p->s[p->pos] == '{') {
                    const char *end = memchr(p->s + p->pos, '}', p->len - p->pos);
                    p->pos = end ? (size_t)(end - p->s) + 1 : p->len;
                } else
                    p->pos = p->pos + 2 <= p->len ? p->pos + 2 : p->len;
            } else if ((e == 'p' || e == 'P') && p->pos < p->len && p->s[p->pos] == '{') {
                const char *end = memchr(p->s + p->pos, '}', p->len - p->pos);
                p->pos = end ? (size_t)(end - p->s) + 1 : p->len;
            } else if (e == 'p' || e == 'P')
                p->pos = p->pos < p->len ? p->pos + 1 : p->len;
            memset(n->set, 0xff, sizeof(n->set));
            return n;
        }
        n->op = R_LIT;
        n->c = (unsigned char)ec;
        return n;
    }
    default:
        n = rnew(p, R_LIT);
        if (n)
            n->c = (unsigned char)c;
        return n;
    }
}

static bool parse_repeat(rparser *p, int *min, int *max) {
    char c = p->s[p->pos];
    if (c == '*' || c == '+' || c == '?') {
        p->pos++;
        *min = c == '+' ? 1 : 0;
        *max = c == '?' ? 1 : -1;
    } else if (c == '{') {
        size_t i = p->pos + 1;
        int a = 0, b;
        if (i >= p->len || p->s[i] < '0' || p->s[i] > '9')
            return false; /* a literal '{' */
        while (i < p->len && p->s[i] >= '0' && p->s[i] <= '9' && a < 100000)
            a = a * 10 + (p->s[i++] - '0');
        b = a;
        if (i < p->len && p->s[i] == ',') {
            i++;
            if (i < p->len && p->s[i] >= '0' && p->s[i] <= '9') {
                b = 0;
                while (i < p->len && p->s[i] >= '0' && p->s[i] <= '9' && b < 100000)
                    b = b * 10 + (p->s[i++] - '0');
            } else
                b = -1;
        }
        if (i >= p->len || p->s[i] != '}')
            return false;
        p->pos = i + 1;
        *min = a;
        *max = b;
    } else
        return false;
    if (p->pos < p->len && p->s[p->pos] == '?')
        p->pos++; /* lazy: same language */
    return true;
}

static rnode *parse_cat(rparser *p) {
    rnode *cat = rnew(p, R_CAT);
    while (cat && !p->bad && p->pos < p->len && p->s[p->pos] != '|' && p->s[p->pos] != ')') {
        rnode *a = parse_atom(p);
        if (!a) {
            p->bad = true;
            break;
        }
        int min, max;
        while (p->pos < p->len && parse_repeat(p, &min, &max)) {
            rnode *r = rnew(p, R_REP);
            if (!r) {
                rfree(a);
                a = NULL;
                break;
            }
            r->min = min;
            r->max = max;
            radd(p, r, a);
            a = r;
        }
        if (!a || !radd(p, cat, a))
            break;
    }
    return cat;
}

static rnode *parse_alt(rparser *p) {
    rnode *first = parse_cat(p);
    if (!first || p->pos >= p->len || p->s[p->pos] != '|')
        return first;
    rnode *alt = rnew(p, R_ALT);
    if (!alt) {
        rfree(first);
        return NULL;
    }
    radd(p, alt, first);
    while (!p->bad && p->pos < p->len && p->s[p->pos] == '|') {
        p->pos++;
        if (!radd(p, alt, parse_cat(p)))
            break;
    }
    return alt;
}

static rnode *rparse(const char *pattern, rparser *p) {
    memset(p, 0, sizeof(*p));
    p->s = pattern;
    p->len = strlen(pattern);
    rnode *n = parse_alt(p);
    if (n && !p->bad && p->pos != p->len)
        p->bad = true;
    if (p->bad) {
        rfree(n);
        return NULL;
    }
    return n;
}

/* ---- type inference ---- */

/* Skips groups without captures and single-child concatenations. */
static const rnode *unwrap(const rnode *n) {
    while (n && ((n->op == R_CAT && n->n_sub == 1) || (n->op == R_GRP && n->n_sub == 1)))
        n = n->sub[0];
    return n;
}

static const rnode *find_cap(const rnode *n, size_t cap) {
    if (n->op == R_CAP && n->cap == cap)
        return n->n_sub ? n->sub[0] : NULL;
    for (size_t i = 0; i < n->n_sub; i++) {
        const rnode *r = find_cap(n->sub[i], cap);
        if (r)
            return r;
    }
    return NULL;
}

/* Union of the bytes n can match; *dots counts '.' literals and classes with it. */
static void charset(const rnode *n, uint8_t *set, int *dots) {
    switch (n->op) {
    case R_LIT:
        set_bit(set, n->c);
        if (n->c == '.')
            (*dots)++;
        return;
    case R_CLASS:
        for (int i = 0; i < 32; i++)
            set[i] |= n->set[i];
        if (has_bit(n->set, '.'))
            (*dots)++;
        return;
    case R_ANY:
        memset(set, 0xff, 32);
        (*dots)++;
        return;
    case R_EMPTY: return;
    default:
        for (size_t i = 0; i < n->n_sub; i++)
            charset(n->sub[i], set, dots);
    }
}

static bool only(const uint8_t *set, const char *allowed) {
    for (unsigned c = 0; c < 256; c++)
        if (has_bit(set, c) && (c == 0 || !strchr(allowed, (int)c)))
            return false;
    return true;
}

static lt_type group_type(const rnode *g) {
    uint8_t set[32] = {0};
    int dots = 0;
    charset(g, set, &dots);
    if (only(set, "+-"))
        return TY_STRING;
    if (only(set, "+-0123456789")) {
        g = unwrap(g);
        if (g->op == R_ALT || g->op == R_CLASS)
            return TY_STRING;
        return TY_INT;
    }
    if (only(set, "+-0123456789.eE"))
        return dots > 1 ? TY_STRING : TY_FLOAT;
    return TY_STRING;
}

static lt_type lub(lt_type a, lt_type b) {
    if (a == TY_NONE)
        return b;
    if (a == b)
        return a;
    if ((a == TY_INT && b == TY_FLOAT) || (a == TY_FLOAT && b == TY_INT))
        return TY_FLOAT;
    return TY_STRING;
}

lt_type lt_rx_capture_type(const char *pattern, size_t group) {
    rparser p;
    rnode *n = rparse(pattern, &p);
    if (!n)
        return TY_STRING;
    lt_type t = TY_STRING;
    const rnode *g = find_cap(n, group);
    if (g) {
        const rnode *u = unwrap(g);
        if (u->op == R_ALT) {
            t = TY_NONE;
            for (size_t i = 0; i < u->n_sub; i++)
                t = lub(t, group_type(u->sub[i]));
        } else
            t = group_type(g);
    }
    rfree(n);
    return t == TY_NONE ? TY_STRING : t;
}

/* ---- required literals ---- */

typedef struct litinfo {
    bool exact; /* matches exactly str */
    char str[64];
    size_t len;
    bool overflow;
    char req[64]; /* longest literal every match contains */
    size_t req_len;
} litinfo;

static void take_best(litinfo *r, const char *s, size_t n) {
    if (n > r->req_len && n <= sizeof(r->req)) {
        memcpy(r->req, s, n);
        r->req_len = n;
    }
}

static void lits(const rnode *n, litinfo *r) {
    memset(r, 0, sizeof(*r));
    switch (n->op) {
    case R_LIT:
        r->exact = true;
        r->str[0] = (char)n->c;
        r->len = 1;
        take_best(r, r->str, 1);
        return;
    case R_EMPTY: r->exact = true; return;
    case R_CLASS: {
        int cnt = 0, last = 0;
        for (int c = 0; c < 256 && cnt < 2; c++)
            if (has_bit(n->set, (unsigned)c))
                cnt++, last = c;
        if (cnt == 1) {
            r->exact = true;
            r->str[0] = (char)last;
            r->len = 1;
            take_best(r, r->str, 1);
        }
        return;
    }
    case R_CAP:
    case R_GRP:
        if (n->n_sub)
            lits(n->sub[0], r);
        else
            r->exact = true;
        return;
    case R_REP:
        if (n->min >= 1) {
            litinfo c;
            lits(n->sub[0], &c);
            take_best(r, c.req, c.req_len);
            if (c.exact && n->min == 1 && n->max == 1)
                *r = c;
        }
        return;
    case R_CAT: {
        r->exact = true;
        char run[64];
        size_t rl = 0;
        bool run_ok = true;
        for (size_t i = 0; i < n->n_sub; i++) {
            litinfo c;
            lits(n->sub[i], &c);
            take_best(r, c.req, c.req_len);
            if (c.exact && run_ok && rl + c.len <= sizeof(run)) {
                memcpy(run + rl, c.str, c.len);
                rl += c.len;
                take_best(r, run, rl);
            } else if (c.exact && rl + c.len > sizeof(run)) {
                r->overflow = true;
                r->exact = false;
                take_best(r, run, rl);
                memcpy(run, c.str, c.len);
                rl = c.len;
            } else {
                r->exact = false;
                take_best(r, run, rl);
                rl = 0;
                /* a repeat of an exact string ends with it: keep it as a run start */
                const rnode *u = n->sub[i];
                if (u->op == R_REP && u->min >= 1) {
                    litinfo s;
                    lits(u->sub[0], &s);
                    if (s.exact && s.len) {
                        memcpy(run, s.str, s.len);
                        rl = s.len;
                    }
                }
            }
        }
        if (r->exact) {
            memcpy(r->str, run, rl);
            r->len = rl;
        }
        return;
    }
    default: return;
    }
}

void lt_rx_literals(const char *pattern, lt_rx_lits *out) {
    memset(out, 0, sizeof(*out));
    rparser p;
    rnode *n = rparse(pattern, &p);
    if (!n)
        return;
    if (p.caseless) {
        rfree(n);
        return;
    }
    litinfo r;
    lits(n, &r);
    const rnode *top = n;
    /* ^literal: a prefix test */
    size_t nsub = top->op == R_CAT ? top->n_sub : 0;
    if (nsub && top->sub[0]->op == R_EMPTY && top->sub[0]->begin) {
        char pre[64];
        size_t pl = 0;
        size_t i = 1;
        bool ok = true;
        for (; i < nsub; i++) {
            litinfo c;
            lits(top->sub[i], &c);
            if (!c.exact || (top->sub[i]->op == R_EMPTY) || pl + c.len > sizeof(pre)) {
                ok = false;
                break;
            }
            memcpy(pre + pl, c.str, c.len);
            pl += c.len;
        }
        if (pl > 0 && pl >= r.req_len / 2) {
            memcpy(out->lit, pre, pl);
            out->len = pl;
            out->prefix = true;
            out->pure = ok && i == nsub && p.ncap == 0;
            rfree(n);
            return;
        }
    }
    if (r.exact && p.ncap == 0) {
        bool anchors = false;
        for (size_t i = 0; i < nsub; i++)
            if (top->sub[i]->op == R_EMPTY)
                anchors = true;
        if (r.len == 0) {
            /* "", "^", "$", "^$"...: only "" and single anchors match everything */
            bool only_one = nsub <= 1;
            bool wordb = false;
            for (size_t i = 0; i < nsub; i++)
                if (top->sub[i]->op != R_EMPTY)
                    wordb = true;
            out->always = only_one && !wordb && !(nsub == 1 && strcmp(pattern, "\\b") == 0) &&
                          !(nsub == 1 && strcmp(pattern, "\\B") == 0);
            rfree(n);
            return;
        }
        if (!anchors && !r.overflow) {
            memcpy(out->lit, r.str, r.len);
            out->len = r.len;
            out->pure = true;
            rfree(n);
            return;
        }
    }
    memcpy(out->lit, r.req, r.req_len);
    out->len = r.req_len;
    rfree(n);
}
