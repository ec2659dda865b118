/* The lexer: program text to tokens. Newlines are tokens (they end
 * statements); regex bodies are scanned on the parser's request, since '/' is
 * division or a pattern depending on where it stands. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static const struct {
    const char *w;
    int tok;
} keywords[] = {
    {"counter", T_COUNTER},     {"gauge", T_GAUGE},         {"timer", T_TIMER}, {"text", T_TEXT},
    {"histogram", T_HISTOGRAM}, {"after", T_AFTER},         {"as", T_AS},       {"by", T_BY},
    {"const", T_CONST},         {"hidden", T_HIDDEN},       {"def", T_DEF},     {"del", T_DEL},
    {"next", T_NEXT},           {"otherwise", T_OTHERWISE}, {"else", T_ELSE},   {"stop", T_STOP},
    {"buckets", T_BUCKETS},     {"limit", T_LIMIT},
};

static const char *const builtins[] = {
    [B_LEN] = "len",
    [B_TOLOWER] = "tolower",
    [B_SUBST] = "subst",
    [B_STRTOL] = "strtol",
    [B_INT] = "int",
    [B_FLOAT] = "float",
    [B_STRING] = "string",
    [B_BOOL] = "bool",
    [B_STRPTIME] = "strptime",
    [B_SETTIME] = "settime",
    [B_TIMESTAMP] = "timestamp",
    [B_GETFILENAME] = "getfilename",
    [B_DEFINED] = "defined",
};

int lt_builtin_lookup(const char *name, size_t len) {
    for (size_t i = 0; i < sizeof(builtins) / sizeof(builtins[0]); i++)
        if (strlen(builtins[i]) == len && memcmp(builtins[i], name, len) == 0)
            return (int)i;
    return -1;
}

const char *lt_tok_name(int k) {
    static const char *const names[] = {
        [T_EOF] = "end of file",
        [T_INVALID] = "invalid input",
        [T_NL] = "newline",
        [T_ID] = "identifier",
        [T_BUILTIN] = "builtin",
        [T_STRING] = "string",
        [T_REGEX] = "regex",
        [T_CAPREF] = "capture group",
        [T_CAPREF_NAMED] = "capture group",
        [T_DECO] = "decorator",
        [T_INT] = "integer",
        [T_FLOAT] = "float",
        [T_DURATION] = "duration",
        [T_COUNTER] = "counter",
        [T_GAUGE] = "gauge",
        [T_TIMER] = "timer",
        [T_TEXT] = "text",
        [T_HISTOGRAM] = "histogram",
        [T_AFTER] = "after",
        [T_AS] = "as",
        [T_BY] = "by",
        [T_CONST] = "const",
        [T_HIDDEN] = "hidden",
        [T_DEF] = "def",
        [T_DEL] = "del",
        [T_NEXT] = "next",
        [T_OTHERWISE] = "otherwise",
        [T_ELSE] = "else",
        [T_STOP] = "stop",
        [T_BUCKETS] = "buckets",
        [T_LIMIT] = "limit",
        [T_INC] = "'++'",
        [T_DEC] = "'--'",
        [T_DIV] = "'/'",
        [T_MOD] = "'%'",
        [T_MUL] = "'*'",
        [T_MINUS] = "'-'",
        [T_PLUS] = "'+'",
        [T_POW] = "'**'",
        [T_SHL] = "'<<'",
        [T_SHR] = "'>>'",
        [T_LT] = "'<'",
        [T_GT] = "'>'",
        [T_LE] = "'<='",
        [T_GE] = "'>='",
        [T_EQ] = "'=='",
        [T_NE] = "'!='",
        [T_BITAND] = "'&'",
        [T_XOR] = "'^'",
        [T_BITOR] = "'|'",
        [T_NOT] = "'!'",
        [T_AND] = "'&&'",
        [T_OR] = "'||'",
        [T_ADD_ASSIGN] = "'+='",
        [T_ASSIGN] = "'='",
        [T_MATCH] = "'=~'",
        [T_NOT_MATCH] = "'!~'",
        [T_LCURLY] = "'{'",
        [T_RCURLY] = "'}'",
        [T_LPAREN] = "'('",
        [T_RPAREN] = "')'",
        [T_LSQUARE] = "'['",
        [T_RSQUARE] = "']'",
        [T_COMMA] = "','",
    };
    if (k < 0 || (size_t)k >= sizeof(names) / sizeof(names[0]) || !names[k])
        return "token";
    return names[k];
}

void lt_lex_init(lt_lexer *lx, const char *src, size_t len) {
    memset(lx, 0, sizeof(*lx));
    lx->src = src;
    lx->len = len;
    lx->line = 1;
    lx->col = 1;
}

static int peekc(const lt_lexer *lx, size_t ahead) {
    return lx->pos + ahead < lx->len ? (unsigned char)lx->src[lx->pos + ahead] : -1;
}

static int getc_(lt_lexer *lx) {
    if (lx->pos >= lx->len)
        return -1;
    int c = (unsigned char)lx->src[lx->pos++];
    if (c == '\n') {
        lx->line++;
        lx->col = 1;
    } else if ((c & 0xC0) != 0x80) {
        lx->col++; /* columns count characters, not UTF-8 continuation bytes */
    }
    return c;
}

static void set_text(lt_token *t, const char *s, size_t n) {
    t->text = malloc(n + 1);
    if (t->text) {
        memcpy(t->text, s, n);
        t->text[n] = 0;
        t->tlen = n;
    }
}

static void invalid(lt_token *t, const char *fmt, const char *arg, size_t n) {
    char buf[256];
    snprintf(buf, sizeof(buf), fmt, (int)(n > 120 ? 120 : n), arg);
    t->kind = T_INVALID;
    set_text(t, buf, strlen(buf));
}

static bool is_ident(int c) { return c >= 0 && (isalnum(c) || c == '_' || c >= 0x80); }

static bool is_dur_suffix(int c) { return c == 's' || c == 'm' || c == 'h' || c == 'd'; }

static void lex_number(lt_lexer *lx, lt_token *t) {
    size_t st = lx->pos;
    if (peekc(lx, 0) == '-')
        getc_(lx);
    bool isfloat = false;
    while (peekc(lx, 0) >= 0 && isdigit(peekc(lx, 0)))
        getc_(lx);
    if (peekc(lx, 0) == '.') {
        isfloat = true;
        getc_(lx);
        while (peekc(lx, 0) >= 0 && isdigit(peekc(lx, 0)))
            getc_(lx);
    }
    if ((peekc(lx, 0) == 'e' || peekc(lx, 0) == 'E') &&
        (isdigit(peekc(lx, 1)) || ((peekc(lx, 1) == '-' || peekc(lx, 1) == '+') &&
                                   peekc(lx, 2) >= 0 && isdigit(peekc(lx, 2))))) {
        isfloat = true;
        getc_(lx);
        getc_(lx);
        while (peekc(lx, 0) >= 0 && isdigit(peekc(lx, 0)))
            getc_(lx);
    }
    if (is_dur_suffix(peekc(lx, 0)) || (peekc(lx, 0) == 'u' && peekc(lx, 1) == 's') ||
        (peekc(lx, 0) == 'n' && peekc(lx, 1) == 's')) {
        /* a Go duration: 1h30m, 1.5s, 100ms */
        while (peekc(lx, 0) >= 0 && (isalnum(peekc(lx, 0)) || peekc(lx, 0) == '.'))
            getc_(lx);
        char buf[64];
        size_t n = lx->pos - st;
        if (n >= sizeof(buf) || lx->src[st] == '-') {
            invalid(t, "invalid duration \"%.*s\"", lx->src + st, n);
            return;
        }
        memcpy(buf, lx->src + st, n);
        buf[n] = 0;
        int64_t ns;
        /* 'd' is not a Go unit but mtail's lexer accepts it: a day */
        char *d = strchr(buf, 'd');
        if (d && d[1] == 0 && d > buf) {
            *d = 0;
            char *end;
            double v = strtod(buf, &end);
            if (*end || v < 0 || v > 1e5) {
                invalid(t, "invalid duration \"%.*s\"", lx->src + st, n);
                return;
            }
            ns = (int64_t)(v * 86400e9);
        } else if (omx_parse_duration(buf, &ns) < 0) {
            invalid(t, "invalid duration \"%.*s\"", lx->src + st, n);
            return;
        }
        t->kind = T_DURATION;
        t->i = ns;
        return;
    }
    char buf[64];
    size_t n = lx->pos - st;
    if (n >= sizeof(buf) || (n == 1 && lx->src[st] == '.')) {
        invalid(t, "invalid number \"%.*s\"", lx->src + st, n);
        return;
    }
    memcpy(buf, lx->src + st, n);
    buf[n] = 0;
    if (isfloat) {
        t->kind = T_FLOAT;
        t->f = strtod(buf, NULL);
    } else {
        errno = 0;
        char *end;
        long long v = strtoll(buf, &end, 10);
        if (errno || *end) {
            invalid(t, "integer out of range \"%.*s\"", lx->src + st, n);
            return;
        }
        t->kind = T_INT;
        t->i = v;
    }
}

/* Quoted string: only \" is unescaped (mtail keeps other escapes as written). */
static void lex_string(lt_lexer *lx, lt_token *t) {
    size_t cap = 32, n = 0;
    char *b = malloc(cap);
    if (!b) {
        t->kind = T_INVALID;
        return;
    }
    for (;;) {
        int c = getc_(lx);
        if (c < 0 || c == '\n') {
            invalid(t, "Unterminated quoted string: \"\\\"%.*s\"", b, n);
            free(b);
            return;
        }
        if (c == '"')
            break;
        if (c == '\\') {
            int d = peekc(lx, 0);
            if (d < 0 || d == '\n') {
                invalid(t, "Unterminated quoted string: \"\\\"%.*s\"", b, n);
                free(b);
                return;
            }
            getc_(lx);
            if (d != '"') {
                if (n + 2 >= cap) {
                    char *nb = realloc(b, cap *= 2);
                    if (!nb) {
                        free(b);
                        t->kind = T_INVALID;
                        return;
                    }
                    b = nb;
                }
                b[n++] = '\\';
            }
            c = d;
        }
        if (n + 2 >= cap) {
            char *nb = realloc(b, cap *= 2);
            if (!nb) {
                free(b);
                t->kind = T_INVALID;
                return;
            }
            b = nb;
        }
        b[n++] = (char)c;
    }
    b[n] = 0;
    t->kind = T_STRING;
    t->text = b;
    t->tlen = n;
}

void lt_lex_regex(lt_lexer *lx, lt_token *t) {
    size_t cap = 32, n = 0;
    char *b = malloc(cap);
    if (!b) {
        t->kind = T_INVALID;
        return;
    }
    for (;;) {
        int c = peekc(lx, 0);
        if (c < 0 || c == '\n') {
            invalid(t, "Unterminated regular expression: \"/%.*s\"", b, n);
            free(b);
            return;
        }
        if (c == '/')
            break;
        getc_(lx);
        if (c == '\\') {
            int d = peekc(lx, 0);
            if (d < 0 || d == '\n') {
                invalid(t, "Unterminated regular expression: \"/%.*s\"", b, n);
                free(b);
                return;
            }
            getc_(lx);
            if (d != '/') {
                if (n + 2 >= cap) {
                    char *nb = realloc(b, cap *= 2);
                    if (!nb) {
                        free(b);
                        t->kind = T_INVALID;
                        return;
                    }
                    b = nb;
                }
                b[n++] = '\\';
            }
            c = d;
        }
        if (n + 2 >= cap) {
            char *nb = realloc(b, cap *= 2);
            if (!nb) {
                free(b);
                t->kind = T_INVALID;
                return;
            }
            b = nb;
        }
        b[n++] = (char)c;
    }
    b[n] = 0;
    t->kind = T_REGEX;
    t->text = b;
    t->tlen = n;
}

void lt_lex_next(lt_lexer *lx, lt_token *t) {
    memset(t, 0, sizeof(*t));
    for (;;) {
        int c = peekc(lx, 0);
        if (c == ' ' || c == '\t' || c == '\r') {
            getc_(lx);
            continue;
        }
        if (c == '#') {
            while (peekc(lx, 0) >= 0 && peekc(lx, 0) != '\n')
                getc_(lx);
            continue;
        }
        break;
    }
    t->line = lx->line;
    t->col = lx->col;
    t->start = lx->pos;
    int c = peekc(lx, 0);
    if (c < 0) {
        t->kind = T_EOF;
        return;
    }
    if (isdigit(c) || (c == '.' && peekc(lx, 1) >= 0 && isdigit(peekc(lx, 1))) ||
        (c == '-' && peekc(lx, 1) >= 0 && isdigit(peekc(lx, 1)))) {
        lex_number(lx, t);
        return;
    }
    getc_(lx);
    int d = peekc(lx, 0);
#define TWO(ch, tk2, tk1)    \
    do {                     \
        if (d == (ch)) {     \
            getc_(lx);       \
            t->kind = (tk2); \
        } else               \
            t->kind = (tk1); \
        return;              \
    } while (0)
    switch (c) {
    case '\n': t->kind = T_NL; return;
    case '{': t->kind = T_LCURLY; return;
    case '}': t->kind = T_RCURLY; return;
    case '(': t->kind = T_LPAREN; return;
    case ')': t->kind = T_RPAREN; return;
    case '[': t->kind = T_LSQUARE; return;
    case ']': t->kind = T_RSQUARE; return;
    case ',': t->kind = T_COMMA; return;
    case '-': TWO('-', T_DEC, T_MINUS);
    case '+':
        if (d == '+') {
            getc_(lx);
            t->kind = T_INC;
        } else if (d == '=') {
            getc_(lx);
            t->kind = T_ADD_ASSIGN;
        } else
            t->kind = T_PLUS;
        return;
    case '*': TWO('*', T_POW, T_MUL);
    case '/': t->kind = T_DIV; return;
    case '%': t->kind = T_MOD; return;
    case '=':
        if (d == '=') {
            getc_(lx);
            t->kind = T_EQ;
        } else if (d == '~') {
            getc_(lx);
            t->kind = T_MATCH;
        } else
            t->kind = T_ASSIGN;
        return;
    case '!':
        if (d == '=') {
            getc_(lx);
            t->kind = T_NE;
        } else if (d == '~') {
            getc_(lx);
            t->kind = T_NOT_MATCH;
        } else
            t->kind = T_NOT;
        return;
    case '<':
        if (d == '<') {
            getc_(lx);
            t->kind = T_SHL;
        } else if (d == '=') {
            getc_(lx);
            t->kind = T_LE;
        } else
            t->kind = T_LT;
        return;
    case '>':
        if (d == '>') {
            getc_(lx);
            t->kind = T_SHR;
        } else if (d == '=') {
            getc_(lx);
            t->kind = T_GE;
        } else
            t->kind = T_GT;
        return;
    case '&': TWO('&', T_AND, T_BITAND);
    case '|': TWO('|', T_OR, T_BITOR);
    case '^': t->kind = T_XOR; return;
    case '~': t->kind = T_NOT; return;
    case '"': lex_string(lx, t); return;
    case '$':
    case '@': {
        size_t st = lx->pos;
        bool named = false;
        while (is_ident(peekc(lx, 0))) {
            if (!isdigit(peekc(lx, 0)))
                named = true;
            getc_(lx);
        }
        if (lx->pos == st) {
            invalid(t, c == '$' ? "Unexpected input: '$'%.*s" : "Unexpected input: '@'%.*s", "", 0);
            return;
        }
        set_text(t, lx->src + st, lx->pos - st);
        t->kind = c == '@' ? T_DECO : named ? T_CAPREF_NAMED : T_CAPREF;
        return;
    }
    default: break;
    }
#undef TWO
    if (c >= 0 && (isalpha(c) || c == '_' || c >= 0x80)) {
        size_t st = lx->pos - 1;
        while (is_ident(peekc(lx, 0)))
            getc_(lx);
        size_t n = lx->pos - st;
        const char *w = lx->src + st;
        for (size_t i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++)
            if (strlen(keywords[i].w) == n && memcmp(keywords[i].w, w, n) == 0) {
                t->kind = keywords[i].tok;
                return;
            }
        set_text(t, w, n);
        t->kind = lt_builtin_lookup(w, n) >= 0 ? T_BUILTIN : T_ID;
        return;
    }
    char ch[2] = {(char)c, 0};
    invalid(t, "Unexpected input: '%.*s'", ch, 1);
}
