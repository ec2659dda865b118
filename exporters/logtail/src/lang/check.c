/* The checker: resolves names (metrics, pattern constants, decorators,
 * capture groups in their lexical scope), infers types as mtail does, compiles
 * patterns, creates the program's metrics, and reports mtail's compile-time
 * errors (redeclaration, unused declaration, `next' outside `def', ...). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define MAX_REGEX_LEN 16384

typedef struct capsym {
    char name[64];
    size_t group;
    lt_rx *rx;
    lt_type type;
    int line, col;
    struct capsym *next;
} capsym;

typedef struct scope {
    struct scope *parent;
    capsym *caps;
    struct scope *all_next; /* every scope, for freeing */
} scope;

enum { S_VAR, S_DECO, S_CONST };

typedef struct sym {
    const char *name;
    int kind;
    lt_node *node;
    size_t slot;
    bool used;
} sym;

typedef struct ck {
    lt_prog *prog;
    lt_errs *e;
    const lt_options *opt;
    sym *syms;
    size_t n_syms;
    scope *cur, *all;
    lt_node *in_def;
    int nexts;
    bool oom;
} ck;

static const char *const sym_kind_name[] = {"variable", "decorator", "named pattern constant"};

const char *lt_type_name(lt_type t) {
    switch (t) {
    case TY_INT: return "Int";
    case TY_FLOAT: return "Float";
    case TY_STRING: return "String";
    case TY_BOOL: return "Bool";
    case TY_PATTERN: return "Pattern";
    default: return "None";
    }
}

static scope *push(ck *c, scope *parent) {
    scope *s = calloc(1, sizeof(*s));
    if (!s) {
        c->oom = true;
        return c->cur;
    }
    s->parent = parent;
    s->all_next = c->all;
    c->all = s;
    c->cur = s;
    return s;
}

static sym *find_sym(ck *c, const char *name, int kind) {
    for (size_t i = 0; i < c->n_syms; i++)
        if (c->syms[i].kind == kind && strcmp(c->syms[i].name, name) == 0)
            return &c->syms[i];
    return NULL;
}

static sym *add_sym(ck *c, const char *name, int kind, lt_node *n) {
    sym *s = realloc(c->syms, (c->n_syms + 1) * sizeof(*s));
    if (!s) {
        c->oom = true;
        return NULL;
    }
    c->syms = s;
    s = &c->syms[c->n_syms++];
    memset(s, 0, sizeof(*s));
    s->name = name;
    s->kind = kind;
    s->node = n;
    return s;
}

static capsym *find_cap(ck *c, const char *name) {
    for (scope *s = c->cur; s; s = s->parent)
        for (capsym *k = s->caps; k; k = k->next)
            if (strcmp(k->name, name) == 0)
                return k;
    return NULL;
}

static void add_cap(ck *c, const char *name, size_t group, lt_rx *rx, int line, int col) {
    if (!c->cur)
        return;
    for (capsym *k = c->cur->caps; k; k = k->next)
        if (strcmp(k->name, name) == 0) {
            if (k->rx != rx)
                lt_err(c->e, line, col,
                       "Redeclaration of capture group `%s' previously declared at %s:%d:%d", name,
                       c->e->file, line, col);
            return;
        }
    capsym *k = calloc(1, sizeof(*k));
    if (!k) {
        c->oom = true;
        return;
    }
    snprintf(k->name, sizeof(k->name), "%s", name);
    k->group = group;
    k->rx = rx;
    k->line = line;
    k->col = col;
    k->type = group ? lt_rx_capture_type(rx->pattern, group) : TY_STRING;
    k->next = c->cur->caps;
    c->cur->caps = k;
}

/* ---- patterns ---- */

static bool is_pattern(ck *c, const lt_node *n) {
    if (!n)
        return false;
    if (n->kind == N_REGEX || n->kind == N_PATTERN)
        return true;
    if (n->kind == N_ID) {
        sym *s = find_sym(c, n->str, S_CONST);
        return s != NULL;
    }
    if (n->kind == N_BIN && n->op == T_PLUS)
        return is_pattern(c, n->a) && (n->b->kind == N_REGEX || n->b->kind == N_ID);
    return false;
}

static bool append(ck *c, char **buf, size_t *len, const char *s, size_t n) {
    char *b = realloc(*buf, *len + n + 1);
    if (!b) {
        c->oom = true;
        return false;
    }
    memcpy(b + *len, s, n);
    *len += n;
    b[*len] = 0;
    *buf = b;
    return true;
}

static bool pattern_text(ck *c, const lt_node *n, char **buf, size_t *len) {
    switch (n->kind) {
    case N_REGEX: return append(c, buf, len, n->str, n->slen);
    case N_PATTERN: return append(c, buf, len, n->pat, strlen(n->pat));
    case N_ID: {
        sym *s = find_sym(c, n->str, S_CONST);
        if (!s) {
            if (find_sym(c, n->str, S_VAR))
                lt_err(c->e, n->line, n->col,
                       "Can't append variable `%s' to this pattern. Try using a "
                       "`const'-defined pattern fragment.",
                       n->str);
            else
                lt_err(c->e, n->line, n->col,
                       "Identifier `%s' not declared. Try adding `const %s /.../' earlier in "
                       "the program.",
                       n->str, n->str);
            return false;
        }
        s->used = true;
        if (!s->node->pat) {
            lt_err(c->e, n->line, n->col,
                   "Can't evaluate pattern fragment `%s' here. Try defining it earlier in the "
                   "program.",
                   n->str);
            return false;
        }
        return append(c, buf, len, s->node->pat, strlen(s->node->pat));
    }
    case N_BIN: return pattern_text(c, n->a, buf, len) && pattern_text(c, n->b, buf, len);
    default: lt_err(c->e, n->line, n->col, "internal error: bad pattern fragment"); return false;
    }
}

static lt_rx *compile_rx(ck *c, const char *pattern, int line, int col) {
    size_t plen = strlen(pattern);
    if (plen > MAX_REGEX_LEN) {
        lt_err(c->e, line, col,
               "Exceeded maximum regular expression pattern length of %d bytes with %zu. "
               "Excessively long patterns are likely to cause compilation and runtime "
               "performance problems.",
               MAX_REGEX_LEN, plen);
        return NULL;
    }
    lt_rx *rx = calloc(1, sizeof(*rx));
    lt_rx **arr = realloc(c->prog->rxs, (c->prog->n_rxs + 1) * sizeof(*arr));
    if (!rx || !arr) {
        free(rx);
        if (arr)
            c->prog->rxs = arr;
        c->oom = true;
        return NULL;
    }
    c->prog->rxs = arr;
    char err[256] = "";
    int r = omx_regex_new(pattern, 0, &rx->re, err, sizeof(err));
    if (r < 0) {
        lt_err(c->e, line, col, "%s", r == OMX_ENOMEM ? "out of memory" : err);
        free(rx);
        return NULL;
    }
    omx_regex_set_match_limit(
        rx->re, c->opt && c->opt->regex_match_limit ? c->opt->regex_match_limit : 100000);
    rx->pattern = strdup(pattern);
    rx->groups = omx_regex_groups(rx->re);
    rx->n_spans = rx->groups + 1;
    rx->spans = calloc(rx->n_spans, sizeof(*rx->spans));
    c->prog->rxs[c->prog->n_rxs++] = rx;
    if (!rx->pattern || !rx->spans) {
        c->oom = true;
        return NULL;
    }
    lt_rx_literals(pattern, &rx->lits);
    /* up to 8 pairs spread over the literal for the line filter */
    if (rx->lits.len >= 2) {
        size_t np = rx->lits.len - 1, step = np > 8 ? np / 8 : 1;
        for (size_t i = 0; i < np && rx->n_pairs < 8; i += step)
            rx->pairs[rx->n_pairs++] = (uint16_t)lt_pair_hash((unsigned char)rx->lits.lit[i],
                                                              (unsigned char)rx->lits.lit[i + 1]);
    }
    rx->use_pure = rx->groups == 0 && (rx->lits.pure || rx->lits.always);
    return rx;
}

/* Turns pattern expression n into N_PATTERN (compiled) and declares its
 * capture groups in the current scope. */
static bool make_pattern_(ck *c, lt_node *n, bool declare) {
    if (n->kind == N_PATTERN)
        return true;
    char *text = NULL;
    size_t len = 0;
    if (!append(c, &text, &len, "", 0) || !pattern_text(c, n, &text, &len)) {
        free(text);
        return false;
    }
    lt_rx *rx = compile_rx(c, text, n->line, n->col);
    lt_node_free(n->a);
    lt_node_free(n->b);
    n->a = n->b = NULL;
    free(n->str);
    n->str = NULL;
    n->kind = N_PATTERN;
    n->pat = text;
    n->rx = rx;
    n->type = TY_PATTERN;
    if (!rx)
        return false;
    for (size_t g = 0; declare && g <= rx->groups; g++) {
        char num[24];
        snprintf(num, sizeof(num), "%zu", g);
        add_cap(c, num, g, rx, n->line, n->col);
        const char *gn = g ? omx_regex_group_name(rx->re, g) : NULL;
        if (gn)
            add_cap(c, gn, g, rx, n->line, n->col);
    }
    return true;
}

static bool make_pattern(ck *c, lt_node *n) { return make_pattern_(c, n, true); }

/* ---- expressions ---- */

static lt_type check_expr(ck *c, lt_node *n);

static lt_type check_cond(ck *c, lt_node *n) {
    if (is_pattern(c, n)) {
        make_pattern(c, n);
        return TY_PATTERN;
    }
    if (n->kind == N_BIN && (n->op == T_AND || n->op == T_OR)) {
        check_cond(c, n->a);
        check_cond(c, n->b);
        return n->type = TY_BOOL;
    }
    if (n->kind == N_NOT) {
        check_cond(c, n->a);
        return n->type = TY_BOOL;
    }
    lt_type t = check_expr(c, n);
    if (t != TY_BOOL && t != TY_PATTERN && t != TY_NONE)
        lt_err(c->e, n->line, n->col,
               "Can't interpret %s as a boolean expression here. Try using comparison "
               "operators to make the condition explicit.",
               lt_type_name(t));
    return t;
}

static lt_metric *metric_of(ck *c, lt_node *n, bool assign) {
    lt_node *id = n->kind == N_INDEX ? n->a : n;
    if (id->kind != N_ID) {
        lt_err(c->e, n->line, n->col,
               assign ? "Can't assign to expression on left; expecting a variable here."
                      : "Can't assign to expression; expecting a variable here.");
        return NULL;
    }
    check_expr(c, n);
    sym *s = find_sym(c, id->str, S_VAR);
    if (!s)
        return NULL;
    return c->prog->metrics[s->slot];
}

static lt_type arith(lt_type a, lt_type b) {
    if (a == TY_FLOAT || b == TY_FLOAT)
        return TY_FLOAT;
    if (a == TY_INT && b == TY_INT)
        return TY_INT;
    return TY_NONE; /* decided at run time */
}

static lt_type check_call(ck *c, lt_node *n) {
    static const struct {
        int min, max;
        lt_type ret;
    } sig[] = {
        [B_LEN] = {1, 1, TY_INT},       [B_TOLOWER] = {1, 1, TY_STRING},
        [B_SUBST] = {3, 3, TY_STRING},  [B_STRTOL] = {2, 2, TY_INT},
        [B_INT] = {1, 1, TY_INT},       [B_FLOAT] = {1, 1, TY_FLOAT},
        [B_STRING] = {1, 1, TY_STRING}, [B_BOOL] = {1, 1, TY_BOOL},
        [B_STRPTIME] = {2, 2, TY_NONE}, [B_SETTIME] = {1, 1, TY_NONE},
        [B_TIMESTAMP] = {0, 0, TY_INT}, [B_GETFILENAME] = {0, 0, TY_STRING},
        [B_DEFINED] = {1, 1, TY_BOOL},
    };
    int b = n->builtin;
    if (b < 0) {
        lt_err(c->e, n->line, n->col, "unknown builtin `%s'", n->str);
        return TY_NONE;
    }
    if ((int)n->n_kids < sig[b].min || (int)n->n_kids > sig[b].max) {
        lt_err(c->e, n->line, n->col, "call to `%s': expecting %d argument%s, got %zu", n->str,
               sig[b].min, sig[b].min == 1 ? "" : "s", n->n_kids);
        return sig[b].ret;
    }
    if (b == B_DEFINED && n->kids[0]->kind != N_CAPREF) {
        lt_err(c->e, n->kids[0]->line, n->kids[0]->col,
               "Expecting a capture group for argument 1 of defined().");
        return TY_BOOL;
    }
    for (size_t i = 0; i < n->n_kids; i++) {
        lt_node *a = n->kids[i];
        if (b == B_SUBST && i == 0 && is_pattern(c, a)) {
            make_pattern_(c, a, false); /* its groups are not visible to the program */
            continue;
        }
        lt_type t = check_expr(c, a);
        if (t == TY_PATTERN && !(b == B_SUBST && i == 0))
            lt_err(c->e, a->line, a->col, "call to `%s': a pattern is not a value here", n->str);
    }
    if (b == B_STRPTIME) {
        lt_node *f = n->kids[1];
        if (f->kind != N_STR)
            lt_err(c->e, f->line, f->col,
                   "Expecting a format string for argument 2 of strptime(), not %s.",
                   lt_type_name((lt_type)f->type));
        else if (lt_gotime_check(f->str, f->slen) < 0)
            lt_err(c->e, f->line, f->col,
                   "invalid time format string \"%s\" Refer to the documentation at "
                   "https://golang.org/pkg/time/#pkg-constants for advice.",
                   f->str);
    }
    if (b == B_TOLOWER && n->kids[0]->type != TY_STRING && n->kids[0]->type != TY_NONE)
        lt_err(c->e, n->kids[0]->line, n->kids[0]->col,
               "Expecting a String for argument 1 of tolower(), not %s.",
               lt_type_name((lt_type)n->kids[0]->type));
    return sig[b].ret;
}

static lt_type check_expr_(ck *c, lt_node *n) {
    switch (n->kind) {
    case N_INT: return TY_INT;
    case N_FLOAT: return TY_FLOAT;
    case N_STR: return TY_STRING;
    case N_REGEX:
    case N_PATTERN: make_pattern(c, n); return TY_PATTERN;
    case N_CAPREF: {
        capsym *k = find_cap(c, n->str);
        if (!k) {
            if (n->i)
                lt_err(c->e, n->line, n->col,
                       "Capture group `$%s' was not defined by a regular expression visible to "
                       "this scope. Check that there are at least %s pairs of parentheses.",
                       n->str, n->str);
            else
                lt_err(c->e, n->line, n->col,
                       "Capture group `$%s' was not defined by a regular expression visible to "
                       "this scope. Try using `(?P<%s>...)' to name the capture group.",
                       n->str, n->str);
            return TY_NONE;
        }
        n->rx = k->rx;
        n->group = k->group;
        return k->type;
    }
    case N_ID:
    case N_INDEX: {
        lt_node *id = n->kind == N_INDEX ? n->a : n;
        if (id->kind != N_ID) {
            lt_err(c->e, n->line, n->col, "Index taken on unindexable expression");
            return TY_NONE;
        }
        sym *s = find_sym(c, id->str, S_VAR);
        if (!s) {
            sym *k = find_sym(c, id->str, S_CONST);
            if (k && n->kind == N_ID) {
                make_pattern(c, n);
                return TY_PATTERN;
            }
            lt_err(c->e, id->line, id->col,
                   "Identifier `%s' not declared. Try adding `counter %s' to the top of the "
                   "program.",
                   id->str, id->str);
            return TY_NONE;
        }
        s->used = true;
        n->slot = id->slot = s->slot;
        lt_metric *m = c->prog->metrics[s->slot];
        for (size_t i = 0; i < n->n_kids; i++) {
            lt_type t = check_expr(c, n->kids[i]);
            if (t == TY_PATTERN)
                lt_err(c->e, n->kids[i]->line, n->kids[i]->col, "a pattern is not a key");
        }
        if (n->n_kids < m->n_keys)
            lt_err(c->e, n->line, n->col,
                   "Not enough keys for indexed expression: expecting %zu, received %zu", m->n_keys,
                   n->n_kids);
        else if (n->n_kids > m->n_keys)
            lt_err(c->e, n->line, n->col,
                   "Too many keys for indexed expression: expecting %zu, received %zu.", m->n_keys,
                   n->n_kids);
        if (m->kind == K_TEXT)
            return TY_STRING;
        return m->is_float ? TY_FLOAT : TY_INT;
    }
    case N_CALL: return check_call(c, n);
    case N_NOT: {
        lt_type t = check_expr(c, n->a);
        if (t == TY_PATTERN)
            return TY_BOOL;
        return TY_BOOL;
    }
    case N_INCDEC: {
        lt_metric *m = metric_of(c, n->a, false);
        if (m && (m->kind == K_TEXT || m->kind == K_HISTOGRAM))
            lt_err(c->e, n->line, n->col, "type mismatch: expecting an Int for %s, not %s.",
                   n->op == T_INC ? "++" : "--", m->kind == K_TEXT ? "String" : "Buckets");
        return TY_INT;
    }
    case N_BIN: break;
    default: lt_err(c->e, n->line, n->col, "unexpected statement in an expression"); return TY_NONE;
    }
    /* binary */
    switch (n->op) {
    case T_ASSIGN:
    case T_ADD_ASSIGN: {
        lt_metric *m = metric_of(c, n->a, true);
        lt_type t = check_expr(c, n->b);
        if (t == TY_PATTERN)
            lt_err(c->e, n->b->line, n->b->col, "type mismatch: can't assign a pattern");
        if (m) {
            if (t == TY_FLOAT && m->kind != K_TEXT)
                m->is_float = true;
            if (m->kind == K_HISTOGRAM && n->op == T_ADD_ASSIGN)
                lt_err(c->e, n->line, n->col,
                       "type mismatch: can't apply += to a histogram; assign to observe");
        }
        return t;
    }
    case T_MATCH:
    case T_NOT_MATCH: {
        lt_type lt = check_expr(c, n->a);
        if (lt == TY_PATTERN)
            lt_err(c->e, n->a->line, n->a->col, "type mismatch: a pattern on the left of %s",
                   n->op == T_MATCH ? "=~" : "!~");
        if (!is_pattern(c, n->b)) {
            lt_err(c->e, n->b->line, n->b->col,
                   "Parameter to %s has a type mismatch: expecting a Pattern.",
                   n->op == T_MATCH ? "=~" : "!~");
            return TY_BOOL;
        }
        make_pattern(c, n->b);
        return TY_BOOL;
    }
    case T_AND:
    case T_OR:
        check_cond(c, n->a);
        check_cond(c, n->b);
        return TY_BOOL;
    default: break;
    }
    lt_type a = check_expr(c, n->a), b = check_expr(c, n->b);
    if (a == TY_PATTERN || b == TY_PATTERN) {
        lt_err(c->e, n->line, n->col,
               "type mismatch: can't apply %s to LHS of type \"%s\" with RHS of type \"%s\".",
               lt_tok_name(n->op), lt_type_name(a), lt_type_name(b));
        return TY_NONE;
    }
    switch (n->op) {
    case T_LT:
    case T_GT:
    case T_LE:
    case T_GE:
    case T_EQ:
    case T_NE: return TY_BOOL;
    case T_DIV:
    case T_MOD:
        if ((n->b->kind == N_INT && n->b->i == 0) || (n->b->kind == N_FLOAT && n->b->f == 0))
            lt_err(c->e, n->line, n->col, "Can't divide by zero.");
        return arith(a, b);
    case T_BITAND:
    case T_BITOR:
    case T_XOR:
    case T_SHL:
    case T_SHR:
        if (a == TY_FLOAT || b == TY_FLOAT || a == TY_STRING || b == TY_STRING || a == TY_BOOL ||
            b == TY_BOOL)
            lt_err(c->e, n->line, n->col, "Integer types expected for bitwise %s, got %s and %s",
                   lt_tok_name(n->op), lt_type_name(a), lt_type_name(b));
        return TY_INT;
    case T_PLUS:
        if (a == TY_STRING && b == TY_STRING)
            return TY_STRING; /* concatenation */
        return arith(a, b);
    case T_POW: return arith(a, b) == TY_INT ? TY_INT : arith(a, b);
    default: return arith(a, b);
    }
}

static lt_type check_expr(ck *c, lt_node *n) {
    lt_type t = check_expr_(c, n);
    if (n->kind != N_PATTERN)
        n->type = (uint8_t)t;
    return t;
}

/* ---- statements ---- */

static void check_list(ck *c, lt_node *l);

static void check_block_in(ck *c, lt_node *l, scope *parent) {
    scope *save = c->cur;
    push(c, parent);
    check_list(c, l);
    c->cur = save;
}

static char *exported_name(const char *s) {
    char *r = strdup(s);
    for (char *p = r; p && *p; p++)
        if (*p == '-')
            *p = '_';
    return r;
}

static void check_decl(ck *c, lt_node *n) {
    sym *old = find_sym(c, n->str, S_VAR);
    if (old) {
        lt_err(c->e, n->line, n->col,
               "Redeclaration of metric `%s' previously declared at %s:%d:%d", n->str, c->e->file,
               old->node->line, old->node->col);
        return;
    }
    if (n->n_bounds && n->mkind != K_HISTOGRAM) {
        lt_err(c->e, n->line, n->col, "Can't specify buckets for non-histogram metric `%s'.",
               n->str);
        return;
    }
    if (n->mkind == K_HISTOGRAM && n->n_bounds < 2) {
        lt_err(c->e, n->line, n->col, "a histogram need at least two boundaries");
        return;
    }
    for (size_t i = 1; i < n->n_bounds; i++)
        if (!(n->bounds[i] > n->bounds[i - 1])) {
            lt_err(c->e, n->line, n->col, "buckets boundaries must be sorted");
            return;
        }
    if (n->n_keys > 16) {
        lt_err(c->e, n->line, n->col, "metric `%s' has %zu keys; at most 16 are supported", n->str,
               n->n_keys);
        return;
    }
    if (n->limit < 0) {
        lt_err(c->e, n->line, n->col, "limit of `%s' must not be negative", n->str);
        return;
    }
    lt_metric *m = lt_metric_new();
    lt_metric **arr = m ? realloc(c->prog->metrics, (c->prog->n_metrics + 1) * sizeof(*arr)) : NULL;
    if (!arr) {
        lt_metric_free(m);
        c->oom = true;
        return;
    }
    c->prog->metrics = arr;
    size_t slot = c->prog->n_metrics++;
    arr[slot] = m;
    m->name = strdup(n->str);
    m->exported = exported_name(n->as ? n->as : n->str);
    m->json_name = strdup(n->as ? n->as : n->str);
    char src[512];
    if (n->endcol > n->col)
        snprintf(src, sizeof(src), "%s:%d:%d-%d", c->e->file, n->line, n->col, n->endcol);
    else
        snprintf(src, sizeof(src), "%s:%d:%d", c->e->file, n->line, n->col);
    m->source = strdup(src);
    m->program = strdup(c->e->file);
    m->kind = n->mkind;
    m->hidden = n->hidden;
    m->limit = (size_t)n->limit;
    m->line = n->line;
    m->col = n->col;
    if (!m->name || !m->exported || !m->json_name || !m->source || !m->program) {
        c->oom = true;
        return;
    }
    if (n->n_keys) {
        m->keys = calloc(n->n_keys, sizeof(char *));
        if (!m->keys) {
            c->oom = true;
            return;
        }
        m->n_keys = n->n_keys;
        for (size_t i = 0; i < n->n_keys; i++)
            if (!(m->keys[i] = strdup(n->keys[i])))
                c->oom = true;
    }
    if (n->n_bounds) {
        m->bounds = malloc(n->n_bounds * sizeof(double));
        if (!m->bounds) {
            c->oom = true;
            return;
        }
        memcpy(m->bounds, n->bounds, n->n_bounds * sizeof(double));
        m->n_bounds = n->n_bounds;
    }
    if (m->kind == K_HISTOGRAM)
        m->is_float = true;
    n->slot = slot;
    sym *s = add_sym(c, n->str, S_VAR, n);
    if (s)
        s->slot = slot;
}

static void check_stmt(ck *c, lt_node *n) {
    switch (n->kind) {
    case N_DECL: check_decl(c, n); return;
    case N_CONST: {
        sym *old = find_sym(c, n->str, S_CONST);
        if (old) {
            lt_err(c->e, n->line, n->col,
                   "Redefinition of pattern constant `%s' previously defined at %s:%d:%d", n->str,
                   c->e->file, old->node->line, old->node->col);
            return;
        }
        char *text = NULL;
        size_t len = 0;
        if (append(c, &text, &len, "", 0) && pattern_text(c, n->a, &text, &len))
            n->pat = text;
        else
            free(text);
        add_sym(c, n->str, S_CONST, n);
        return;
    }
    case N_DEF: {
        if (find_sym(c, n->str, S_DECO)) {
            sym *old = find_sym(c, n->str, S_DECO);
            lt_err(c->e, n->line, n->col,
                   "Redeclaration of decorator `@%s' previously declared at %s:%d:%d", n->str,
                   c->e->file, old->node->line, old->node->col);
            return;
        }
        lt_node *save_def = c->in_def;
        int save_nexts = c->nexts;
        c->in_def = n;
        c->nexts = 0;
        check_block_in(c, n->a, c->cur);
        c->in_def = save_def;
        c->nexts = save_nexts;
        add_sym(c, n->str, S_DECO, n);
        return;
    }
    case N_DECO: {
        sym *d = find_sym(c, n->str, S_DECO);
        if (!d) {
            if (c->in_def && strcmp(c->in_def->str, n->str) == 0)
                lt_err(c->e, n->line, n->col,
                       "Decorator `@%s' is not completely defined yet. Try removing @%s from "
                       "here.",
                       n->str, n->str);
            else
                lt_err(c->e, n->line, n->col,
                       "Decorator `@%s' is not defined. Try adding a definition `def %s {}' "
                       "earlier in the program.",
                       n->str, n->str);
            return;
        }
        d->used = true;
        n->def = d->node;
        if (!d->node->aux) {
            lt_err(c->e, n->line, n->col,
                   "No symbols found in decorator `@%s'. Try adding a `next' statement inside "
                   "the `{}' block.",
                   n->str);
            return;
        }
        check_block_in(c, n->a, (scope *)d->node->aux);
        return;
    }
    case N_NEXT:
        if (!c->in_def) {
            lt_err(c->e, n->line, n->col, "Can't use `next' outside of a decorator.");
            return;
        }
        if (c->nexts++) {
            lt_err(c->e, n->line, n->col, "Can't use `next' statement twice in a decorator.");
            return;
        }
        c->in_def->aux = c->cur;
        return;
    case N_STOP: return;
    case N_DEL: {
        lt_node *t = n->a;
        if (t->kind == N_ID) {
            sym *s = find_sym(c, t->str, S_VAR);
            if (s && c->prog->metrics[s->slot]->n_keys) {
                lt_err(c->e, t->line, t->col,
                       "Cannot delete this. Try deleting an index from this dimensioned metric.");
                return;
            }
        }
        if (t->kind != N_INDEX) {
            lt_err(c->e, t->line, t->col,
                   "Cannot delete this. Try deleting from a dimensioned metric with this as an "
                   "index.");
            return;
        }
        check_expr(c, t);
        return;
    }
    case N_OTHERWISE: check_block_in(c, n->a, c->cur); return;
    case N_COND: {
        scope *save = c->cur;
        push(c, save);
        check_cond(c, n->a);
        check_list(c, n->b);
        c->cur = save;
        if (n->c)
            check_block_in(c, n->c, c->cur);
        return;
    }
    case N_LIST: check_block_in(c, n, c->cur); return;
    case N_BEGIN: check_block_in(c, n->a, c->cur); return;
    case N_LOGFILTER:
        if (!is_pattern(c, n->a)) {
            lt_err(c->e, n->a->line, n->a->col, "Expecting a pattern after `log_filter'.");
            return;
        }
        make_pattern_(c, n->a, false); /* matched against the file name, not the line */
        return;
    default: {
        lt_type t = check_expr(c, n);
        (void)t;
        return;
    }
    }
}

static void check_list(ck *c, lt_node *l) {
    for (size_t i = 0; i < l->n_kids && !c->oom; i++)
        check_stmt(c, l->kids[i]);
}

/* Moves declarations to the end of every statement list (order otherwise
 * kept) and records in i how many statements the VM runs. */
static void compact(lt_node *n) {
    if (!n)
        return;
    compact(n->a);
    compact(n->b);
    compact(n->c);
    for (size_t i = 0; i < n->n_kids; i++)
        compact(n->kids[i]);
    if (n->kind != N_LIST)
        return;
    size_t o = 0;
    for (size_t i = 0; i < n->n_kids; i++) {
        int k = n->kids[i]->kind;
        if (k == N_DECL || k == N_CONST || k == N_DEF || k == N_BEGIN || k == N_LOGFILTER)
            continue;
        lt_node *t = n->kids[i];
        memmove(n->kids + o + 1, n->kids + o, (i - o) * sizeof(*n->kids));
        n->kids[o++] = t;
    }
    n->i = (int64_t)o;
}

/* Lists the begin blocks and log filters of the top level, in order. */
static int collect_toplevel(lt_prog *p) {
    lt_node *root = p->root;
    for (size_t i = 0; i < root->n_kids; i++) {
        lt_node *k = root->kids[i];
        if (k->kind == N_BEGIN) {
            lt_node **nb = realloc(p->begin, (p->n_begin + 1) * sizeof(*nb));
            if (!nb)
                return -ENOMEM;
            p->begin = nb;
            p->begin[p->n_begin++] = k->a;
        } else if (k->kind == N_LOGFILTER && k->a->rx) {
            lt_rx **nf = realloc(p->filters, (p->n_filters + 1) * sizeof(*nf));
            if (!nf)
                return -ENOMEM;
            p->filters = nf;
            p->filters[p->n_filters++] = k->a->rx;
        }
    }
    return 0;
}

int lt_check(lt_prog *prog, lt_errs *e, const lt_options *opt) {
    ck c;
    memset(&c, 0, sizeof(c));
    c.prog = prog;
    c.e = e;
    c.opt = opt;
    int before = e->n;
    push(&c, NULL);
    check_list(&c, prog->root);
    for (size_t i = 0; i < c.n_syms && !c.oom; i++)
        if (!c.syms[i].used)
            lt_err(e, c.syms[i].node->line, c.syms[i].node->col,
                   "Declaration of %s `%s' here is never used.", sym_kind_name[c.syms[i].kind],
                   c.syms[i].name);
    if (c.oom)
        lt_err(e, 1, 1, "out of memory");
    if (e->n == before) {
        compact(prog->root);
        if (collect_toplevel(prog) < 0)
            lt_err(e, 1, 1, "out of memory");
    }
    /* scopes are referenced by N_DEF->aux only during the check */
    for (scope *s = c.all, *nx; s; s = nx) {
        nx = s->all_next;
        for (capsym *k = s->caps, *kn; k; k = kn) {
            kn = k->next;
            free(k);
        }
        free(s);
    }
    free(c.syms);
    return e->n - before;
}

lt_prog *lt_prog_free(lt_prog *p) {
    if (!p)
        return NULL;
    lt_node_free(p->root);
    for (size_t i = 0; i < p->n_metrics; i++)
        lt_metric_free(p->metrics[i]);
    free(p->metrics);
    for (size_t i = 0; i < p->n_rxs; i++) {
        omx_regex_free(p->rxs[i]->re);
        free(p->rxs[i]->pattern);
        free(p->rxs[i]->spans);
        free(p->rxs[i]);
    }
    free(p->rxs);
    free(p->gate);
    free(p->begin);
    free(p->filters);
    free(p->filter_for);
    free(p->name);
    free(p->text);
    free(p);
    return NULL;
}
