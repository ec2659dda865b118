/* The parser: tokens to a tree, by recursive descent over mtail's grammar
 * (its operator levels, newline-terminated statements, brace-only blocks).
 * The first syntax error ends the parse. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define MAX_DEPTH 200

typedef struct parser {
    lt_lexer lx;
    lt_token cur;
    lt_errs *e;
    bool failed;
    bool oom;
    int depth;
} parser;

void lt_err(lt_errs *e, int line, int col, const char *fmt, ...) {
    char msg[1024];
    int n = snprintf(msg, sizeof(msg), "%s:%d:%d: ", e->file ? e->file : "-", line, col);
    va_list ap;
    va_start(ap, fmt);
    if (n > 0 && (size_t)n < sizeof(msg))
        vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
    va_end(ap);
    e->n++;
    if (e->fn)
        e->fn(e->ctx, msg);
}

lt_node *lt_node_free(lt_node *n) {
    if (!n)
        return NULL;
    lt_node_free(n->a);
    lt_node_free(n->b);
    lt_node_free(n->c);
    for (size_t i = 0; i < n->n_kids; i++)
        lt_node_free(n->kids[i]);
    free(n->kids);
    free(n->str);
    free(n->pat);
    free(n->as);
    for (size_t i = 0; i < n->n_keys; i++)
        free(n->keys[i]);
    free(n->keys);
    free(n->bounds);
    free(n);
    return NULL;
}

static void advance(parser *p) {
    free(p->cur.text);
    lt_lex_next(&p->lx, &p->cur);
}

static void fail(parser *p, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void fail(parser *p, int line, int col, const char *fmt, ...) {
    if (p->failed)
        return;
    p->failed = true;
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    lt_err(p->e, line, col, "%s", msg);
}

static const char *tokdesc(const lt_token *t, char *buf, size_t n) {
    if (t->kind == T_INVALID)
        return t->text ? t->text : "invalid input";
    if ((t->kind == T_ID || t->kind == T_BUILTIN) && t->text) {
        snprintf(buf, n, "identifier `%.60s'", t->text);
        return buf;
    }
    return lt_tok_name(t->kind);
}

static void unexpected(parser *p, const char *expecting) {
    char b[128];
    if (p->cur.kind == T_INVALID)
        fail(p, p->cur.line, p->cur.col, "%s", tokdesc(&p->cur, b, sizeof(b)));
    else if (expecting)
        fail(p, p->cur.line, p->cur.col, "syntax error: unexpected %s, expecting %s",
             tokdesc(&p->cur, b, sizeof(b)), expecting);
    else
        fail(p, p->cur.line, p->cur.col, "syntax error: unexpected %s",
             tokdesc(&p->cur, b, sizeof(b)));
}

static lt_node *mk(parser *p, int kind, int line, int col) {
    lt_node *n = calloc(1, sizeof(*n));
    if (!n) {
        p->oom = true;
        p->failed = true;
        return NULL;
    }
    n->kind = (uint8_t)kind;
    n->line = line;
    n->col = col;
    return n;
}

static bool add_kid(parser *p, lt_node *list, lt_node *kid) {
    if (!kid)
        return true;
    lt_node **k = realloc(list->kids, (list->n_kids + 1) * sizeof(*k));
    if (!k) {
        p->oom = p->failed = true;
        lt_node_free(kid);
        return false;
    }
    list->kids = k;
    list->kids[list->n_kids++] = kid;
    return true;
}

static char *take_text(lt_token *t, size_t *len) {
    char *s = t->text;
    if (len)
        *len = t->tlen;
    t->text = NULL;
    return s;
}

static void opt_nl(parser *p) {
    while (p->cur.kind == T_NL)
        advance(p);
}

static lt_node *parse_logical(parser *p);
static lt_node *parse_stmt_list(parser *p, bool braced);

/* regex literal: current token is '/' (the lexer stands after it) */
static lt_node *parse_regex(parser *p) {
    int line = p->cur.line, col = p->cur.col;
    lt_token t;
    memset(&t, 0, sizeof(t));
    lt_lex_regex(&p->lx, &t);
    if (t.kind != T_REGEX) {
        fail(p, line, col, "%s", t.text ? t.text : "bad regular expression");
        free(t.text);
        return NULL;
    }
    lt_node *n = mk(p, N_REGEX, line, col);
    if (!n) {
        free(t.text);
        return NULL;
    }
    n->str = t.text;
    n->slen = t.tlen;
    advance(p); /* the lexer stands on the closing '/': it is the next token */
    if (p->cur.kind != T_DIV) {
        unexpected(p, "'/' to end regex");
        return lt_node_free(n);
    }
    advance(p);
    return n;
}

/* concat_expr: regex (+ opt_nl (regex | ID))* */
static lt_node *parse_concat(parser *p) {
    lt_node *l = parse_regex(p);
    while (l && p->cur.kind == T_PLUS) {
        int line = p->cur.line, col = p->cur.col;
        advance(p);
        opt_nl(p);
        lt_node *r = NULL;
        if (p->cur.kind == T_DIV)
            r = parse_regex(p);
        else if (p->cur.kind == T_ID) {
            r = mk(p, N_ID, p->cur.line, p->cur.col);
            if (r)
                r->str = take_text(&p->cur, &r->slen);
            advance(p);
        } else
            unexpected(p, "regex or pattern constant");
        if (!r)
            return lt_node_free(l);
        lt_node *b = mk(p, N_BIN, line, col);
        if (!b) {
            lt_node_free(r);
            return lt_node_free(l);
        }
        b->op = T_PLUS;
        b->a = l;
        b->b = r;
        l = b;
    }
    return l;
}

static lt_node *parse_args(parser *p, lt_node *into, int close) {
    if (p->cur.kind == close)
        return into;
    for (;;) {
        lt_node *a = p->cur.kind == T_DIV ? parse_concat(p) : parse_logical(p);
        if (!a || !add_kid(p, into, a))
            return NULL;
        if (p->cur.kind == T_COMMA) {
            advance(p);
            continue;
        }
        return into;
    }
}

static lt_node *parse_primary(parser *p) {
    int line = p->cur.line, col = p->cur.col;
    lt_node *n = NULL;
    switch (p->cur.kind) {
    case T_DIV: return parse_concat(p);
    case T_ID:
        n = mk(p, N_ID, line, col);
        if (!n)
            return NULL;
        n->str = take_text(&p->cur, &n->slen);
        advance(p);
        if (p->cur.kind == T_LSQUARE) {
            lt_node *ix = mk(p, N_INDEX, line, col);
            if (!ix)
                return lt_node_free(n);
            ix->a = n;
            n = ix;
            while (p->cur.kind == T_LSQUARE) {
                advance(p);
                if (!parse_args(p, n, T_RSQUARE))
                    return lt_node_free(n);
                if (p->cur.kind != T_RSQUARE) {
                    unexpected(p, "']'");
                    return lt_node_free(n);
                }
                advance(p);
            }
        }
        return n;
    case T_BUILTIN:
        n = mk(p, N_CALL, line, col);
        if (!n)
            return NULL;
        n->str = take_text(&p->cur, &n->slen);
        n->builtin = lt_builtin_lookup(n->str, n->slen);
        advance(p);
        if (p->cur.kind != T_LPAREN) {
            unexpected(p, "'('");
            return lt_node_free(n);
        }
        advance(p);
        if (!parse_args(p, n, T_RPAREN))
            return lt_node_free(n);
        if (p->cur.kind != T_RPAREN) {
            unexpected(p, "')'");
            return lt_node_free(n);
        }
        advance(p);
        return n;
    case T_CAPREF:
    case T_CAPREF_NAMED:
        n = mk(p, N_CAPREF, line, col);
        if (!n)
            return NULL;
        n->str = take_text(&p->cur, &n->slen);
        n->i = p->cur.kind == T_CAPREF ? 1 : 0; /* numbered */
        advance(p);
        return n;
    case T_STRING:
        n = mk(p, N_STR, line, col);
        if (!n)
            return NULL;
        n->str = take_text(&p->cur, &n->slen);
        advance(p);
        return n;
    case T_INT:
        n = mk(p, N_INT, line, col);
        if (n)
            n->i = p->cur.i;
        advance(p);
        return n;
    case T_FLOAT:
        n = mk(p, N_FLOAT, line, col);
        if (n)
            n->f = p->cur.f;
        advance(p);
        return n;
    case T_LPAREN:
        advance(p);
        n = parse_logical(p);
        if (!n)
            return NULL;
        if (p->cur.kind != T_RPAREN) {
            unexpected(p, "')'");
            return lt_node_free(n);
        }
        advance(p);
        return n;
    default: unexpected(p, NULL); return NULL;
    }
}

static lt_node *parse_postfix(parser *p) {
    lt_node *n = parse_primary(p);
    while (n && (p->cur.kind == T_INC || p->cur.kind == T_DEC)) {
        lt_node *u = mk(p, N_INCDEC, p->cur.line, p->cur.col);
        if (!u)
            return lt_node_free(n);
        u->op = (uint8_t)p->cur.kind;
        u->a = n;
        n = u;
        advance(p);
    }
    return n;
}

static lt_node *parse_unary(parser *p) {
    if (p->cur.kind == T_NOT) {
        int line = p->cur.line, col = p->cur.col;
        if (++p->depth > MAX_DEPTH) {
            fail(p, line, col, "Expression exceeded maximum recursion depth of %d", MAX_DEPTH);
            return NULL;
        }
        advance(p);
        lt_node *a = parse_unary(p);
        p->depth--;
        if (!a)
            return NULL;
        lt_node *n = mk(p, N_NOT, line, col);
        if (!n)
            return lt_node_free(a);
        n->a = a;
        return n;
    }
    lt_node *n = parse_postfix(p);
    /* match_expr: primary (=~|!~) opt_nl (pattern | primary) */
    if (n && (p->cur.kind == T_MATCH || p->cur.kind == T_NOT_MATCH)) {
        lt_node *b = mk(p, N_BIN, p->cur.line, p->cur.col);
        if (!b)
            return lt_node_free(n);
        b->op = (uint8_t)p->cur.kind;
        advance(p);
        opt_nl(p);
        b->a = n;
        b->b = parse_primary(p);
        if (!b->b)
            return lt_node_free(b);
        return b;
    }
    return n;
}

static int level_of(int tok) {
    switch (tok) {
    case T_AND:
    case T_OR: return 1;
    case T_BITAND:
    case T_BITOR:
    case T_XOR: return 2;
    case T_LT:
    case T_GT:
    case T_LE:
    case T_GE:
    case T_EQ:
    case T_NE: return 3;
    case T_SHL:
    case T_SHR: return 4;
    case T_PLUS:
    case T_MINUS: return 5;
    case T_MUL:
    case T_DIV:
    case T_MOD:
    case T_POW: return 6;
    default: return 0;
    }
}

/* Binary levels, all left-associative, as mtail's grammar has them. */
static lt_node *parse_level(parser *p, int level) {
    if (level > 6)
        return parse_unary(p);
    if (++p->depth > MAX_DEPTH) {
        fail(p, p->cur.line, p->cur.col, "Expression exceeded maximum recursion depth of %d",
             MAX_DEPTH);
        return NULL;
    }
    lt_node *l = parse_level(p, level + 1);
    while (l && level_of(p->cur.kind) == level) {
        lt_node *b = mk(p, N_BIN, p->cur.line, p->cur.col);
        if (!b) {
            l = lt_node_free(l);
            break;
        }
        b->op = (uint8_t)p->cur.kind;
        advance(p);
        opt_nl(p);
        b->a = l;
        b->b = parse_level(p, level + 1);
        l = b;
        if (!b->b)
            l = lt_node_free(l);
    }
    p->depth--;
    return l;
}

static lt_node *parse_logical(parser *p) { return parse_level(p, 1); }

static lt_node *parse_block(parser *p) {
    if (p->cur.kind != T_LCURLY) {
        unexpected(p, "'{'");
        return NULL;
    }
    int line = p->cur.line, col = p->cur.col;
    if (++p->depth > MAX_DEPTH) {
        fail(p, line, col, "Expression exceeded maximum recursion depth of %d", MAX_DEPTH);
        return NULL;
    }
    advance(p);
    lt_node *l = parse_stmt_list(p, true);
    p->depth--;
    if (!l)
        return NULL;
    if (p->cur.kind != T_RCURLY) {
        if (p->cur.kind == T_EOF)
            fail(p, p->cur.line, p->cur.col, "unexpected end of file, expecting '}' to end block");
        else
            unexpected(p, "'}'");
        return lt_node_free(l);
    }
    advance(p);
    return l;
}

static bool end_of_stmt(parser *p) {
    if (p->cur.kind == T_NL) {
        advance(p);
        return true;
    }
    if (p->cur.kind == T_EOF || p->cur.kind == T_RCURLY)
        return true;
    unexpected(p, "newline");
    return false;
}

static char *id_or_string(parser *p) {
    if (p->cur.kind != T_ID && p->cur.kind != T_STRING) {
        unexpected(p, "identifier or string");
        return NULL;
    }
    char *s = take_text(&p->cur, NULL);
    advance(p);
    if (!s)
        p->oom = p->failed = true;
    return s;
}

static lt_node *parse_decl(parser *p) {
    int line = p->cur.line, col = p->cur.col;
    lt_node *d = mk(p, N_DECL, line, col);
    if (!d)
        return NULL;
    if (p->cur.kind == T_HIDDEN) {
        d->hidden = true;
        advance(p);
    }
    switch (p->cur.kind) {
    case T_COUNTER: d->mkind = K_COUNTER; break;
    case T_GAUGE: d->mkind = K_GAUGE; break;
    case T_TIMER: d->mkind = K_TIMER; break;
    case T_TEXT: d->mkind = K_TEXT; break;
    case T_HISTOGRAM: d->mkind = K_HISTOGRAM; break;
    default: unexpected(p, "metric type"); return lt_node_free(d);
    }
    advance(p);
    d->line = p->cur.line;
    d->col = p->cur.col;
    d->endcol = d->col + (int)(p->lx.pos - p->cur.start) - 1;
    if (!(d->str = id_or_string(p)))
        return lt_node_free(d);
    d->slen = strlen(d->str);
    for (;;) {
        switch (p->cur.kind) {
        case T_BY:
            advance(p);
            for (;;) {
                char *k = id_or_string(p);
                if (!k)
                    return lt_node_free(d);
                char **nk = realloc(d->keys, (d->n_keys + 1) * sizeof(*nk));
                if (!nk) {
                    free(k);
                    p->oom = p->failed = true;
                    return lt_node_free(d);
                }
                d->keys = nk;
                d->keys[d->n_keys++] = k;
                if (p->cur.kind != T_COMMA)
                    break;
                advance(p);
            }
            continue;
        case T_AS:
            advance(p);
            if (p->cur.kind != T_STRING) {
                unexpected(p, "string");
                return lt_node_free(d);
            }
            free(d->as);
            d->as = take_text(&p->cur, NULL);
            advance(p);
            continue;
        case T_BUCKETS:
            advance(p);
            for (;;) {
                double v;
                if (p->cur.kind == T_INT)
                    v = (double)p->cur.i;
                else if (p->cur.kind == T_FLOAT)
                    v = p->cur.f;
                else {
                    unexpected(p, "number");
                    return lt_node_free(d);
                }
                advance(p);
                double *nb = realloc(d->bounds, (d->n_bounds + 1) * sizeof(*nb));
                if (!nb) {
                    p->oom = p->failed = true;
                    return lt_node_free(d);
                }
                d->bounds = nb;
                d->bounds[d->n_bounds++] = v;
                if (p->cur.kind != T_COMMA)
                    break;
                advance(p);
            }
            continue;
        case T_LIMIT:
            advance(p);
            if (p->cur.kind != T_INT) {
                unexpected(p, "integer");
                return lt_node_free(d);
            }
            d->limit = p->cur.i;
            advance(p);
            continue;
        default: break;
        }
        break;
    }
    if (!end_of_stmt(p))
        return lt_node_free(d);
    return d;
}

/* The kind of the token after the current one (the lexer is not moved). */
static int peek_kind(parser *p) {
    lt_lexer copy = p->lx;
    lt_token t;
    memset(&t, 0, sizeof(t));
    lt_lex_next(&copy, &t);
    free(t.text);
    return t.kind;
}

static bool is_word(const lt_token *t, const char *w) {
    return t->kind == T_ID && t->text && strlen(w) == t->tlen && memcmp(t->text, w, t->tlen) == 0;
}

/* `begin { ... }` and `log_filter /re/` at the top level. They are words, not
 * keywords, so a metric of either name keeps its meaning elsewhere. */
static lt_node *parse_toplevel_word(parser *p, bool *taken) {
    int line = p->cur.line, col = p->cur.col;
    *taken = false;
    if (p->depth != 0)
        return NULL;
    lt_node *n = NULL;
    if (is_word(&p->cur, "begin") && peek_kind(p) == T_LCURLY) {
        *taken = true;
        advance(p);
        if (!(n = mk(p, N_BEGIN, line, col)))
            return NULL;
        if (!(n->a = parse_block(p)))
            return lt_node_free(n);
        return n;
    }
    if (is_word(&p->cur, "log_filter") && peek_kind(p) == T_DIV) {
        *taken = true;
        advance(p);
        if (!(n = mk(p, N_LOGFILTER, line, col)))
            return NULL;
        if (!(n->a = parse_concat(p)) || !end_of_stmt(p))
            return lt_node_free(n);
        return n;
    }
    return NULL;
}

static lt_node *parse_stmt(parser *p) {
    int line = p->cur.line, col = p->cur.col;
    lt_node *n = NULL;
    if (p->cur.kind == T_ID) {
        bool taken;
        n = parse_toplevel_word(p, &taken);
        if (taken)
            return n;
    }
    switch (p->cur.kind) {
    case T_NL: advance(p); return NULL;
    case T_HIDDEN:
    case T_COUNTER:
    case T_GAUGE:
    case T_TIMER:
    case T_TEXT:
    case T_HISTOGRAM: return parse_decl(p);
    case T_CONST:
        advance(p);
        if (p->cur.kind != T_ID) {
            unexpected(p, "identifier");
            return NULL;
        }
        n = mk(p, N_CONST, p->cur.line, p->cur.col);
        if (!n)
            return NULL;
        n->str = take_text(&p->cur, &n->slen);
        advance(p);
        opt_nl(p);
        if (p->cur.kind != T_DIV) {
            unexpected(p, "regex");
            return lt_node_free(n);
        }
        if (!(n->a = parse_concat(p)) || !end_of_stmt(p))
            return lt_node_free(n);
        return n;
    case T_DEF:
        advance(p);
        if (p->cur.kind != T_ID) {
            unexpected(p, "identifier");
            return NULL;
        }
        n = mk(p, N_DEF, line, col);
        if (!n)
            return NULL;
        n->str = take_text(&p->cur, &n->slen);
        advance(p);
        if (!(n->a = parse_block(p)))
            return lt_node_free(n);
        return n;
    case T_DECO:
        n = mk(p, N_DECO, line, col);
        if (!n)
            return NULL;
        n->str = take_text(&p->cur, &n->slen);
        advance(p);
        if (!(n->a = parse_block(p)))
            return lt_node_free(n);
        return n;
    case T_NEXT:
    case T_STOP:
        n = mk(p, p->cur.kind == T_NEXT ? N_NEXT : N_STOP, line, col);
        advance(p);
        if (n && !end_of_stmt(p))
            return lt_node_free(n);
        return n;
    case T_DEL:
        advance(p);
        n = mk(p, N_DEL, line, col);
        if (!n)
            return NULL;
        if (!(n->a = parse_postfix(p)))
            return lt_node_free(n);
        if (p->cur.kind == T_AFTER) {
            advance(p);
            if (p->cur.kind != T_DURATION) {
                unexpected(p, "duration");
                return lt_node_free(n);
            }
            n->i = p->cur.i;
            advance(p);
        }
        if (!end_of_stmt(p))
            return lt_node_free(n);
        return n;
    case T_OTHERWISE:
        advance(p);
        n = mk(p, N_OTHERWISE, line, col);
        if (!n)
            return NULL;
        if (!(n->a = parse_block(p)))
            return lt_node_free(n);
        return n;
    default: break;
    }
    lt_node *e = parse_logical(p);
    if (!e)
        return NULL;
    if (p->cur.kind == T_ASSIGN || p->cur.kind == T_ADD_ASSIGN) {
        lt_node *b = mk(p, N_BIN, p->cur.line, p->cur.col);
        if (!b)
            return lt_node_free(e);
        b->op = (uint8_t)p->cur.kind;
        b->a = e;
        advance(p);
        opt_nl(p);
        if (!(b->b = parse_logical(p)))
            return lt_node_free(b);
        if (!end_of_stmt(p))
            return lt_node_free(b);
        return b;
    }
    if (p->cur.kind == T_LCURLY) {
        n = mk(p, N_COND, e->line, e->col);
        if (!n)
            return lt_node_free(e);
        n->a = e;
        if (!(n->b = parse_block(p)))
            return lt_node_free(n);
        if (p->cur.kind == T_ELSE) {
            advance(p);
            if (!(n->c = parse_block(p)))
                return lt_node_free(n);
        }
        return n;
    }
    if (e->kind == N_REGEX || (e->kind == N_BIN && e->op == T_PLUS && e->a->kind == N_REGEX)) {
        lt_node_free(e);
        fail(p, p->cur.line, p->cur.col,
             "statement with no effect, missing an assignment, `+' concatenation, or `{}' block?");
        return NULL;
    }
    if (!end_of_stmt(p))
        return lt_node_free(e);
    return e;
}

static lt_node *parse_stmt_list(parser *p, bool braced) {
    lt_node *l = mk(p, N_LIST, p->cur.line, p->cur.col);
    if (!l)
        return NULL;
    while (!p->failed) {
        if (p->cur.kind == T_EOF)
            break;
        if (p->cur.kind == T_RCURLY) {
            if (braced)
                break;
            unexpected(p, NULL);
            break;
        }
        lt_node *s = parse_stmt(p);
        if (s && !add_kid(p, l, s))
            break;
    }
    if (p->failed)
        return lt_node_free(l);
    return l;
}

lt_node *lt_parse(const char *src, size_t len, lt_errs *e) {
    parser p;
    memset(&p, 0, sizeof(p));
    p.e = e;
    lt_lex_init(&p.lx, src, len);
    lt_lex_next(&p.lx, &p.cur);
    lt_node *root = parse_stmt_list(&p, false);
    free(p.cur.text);
    if (p.oom && e)
        lt_err(e, 1, 1, "out of memory");
    return root;
}
