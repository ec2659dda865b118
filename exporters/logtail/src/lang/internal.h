/* Internals of the language shared by the lexer, parser, checker, VM and
 * metric store. Nothing here is seen by the runtime (that is lang.h). */
#ifndef LT_INTERNAL_H
#define LT_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "exporter/regex.h"
#include "lang.h"

/* ---- tokens (lex.c) ---- */
enum lt_tok {
    T_EOF,
    T_INVALID,
    T_NL,
    T_ID,
    T_BUILTIN,
    T_STRING,
    T_REGEX,
    T_CAPREF,
    T_CAPREF_NAMED,
    T_DECO,
    T_INT,
    T_FLOAT,
    T_DURATION,
    /* keywords */
    T_COUNTER,
    T_GAUGE,
    T_TIMER,
    T_TEXT,
    T_HISTOGRAM,
    T_AFTER,
    T_AS,
    T_BY,
    T_CONST,
    T_HIDDEN,
    T_DEF,
    T_DEL,
    T_NEXT,
    T_OTHERWISE,
    T_ELSE,
    T_STOP,
    T_BUCKETS,
    T_LIMIT,
    /* operators */
    T_INC,
    T_DEC,
    T_DIV,
    T_MOD,
    T_MUL,
    T_MINUS,
    T_PLUS,
    T_POW,
    T_SHL,
    T_SHR,
    T_LT,
    T_GT,
    T_LE,
    T_GE,
    T_EQ,
    T_NE,
    T_BITAND,
    T_XOR,
    T_BITOR,
    T_NOT,
    T_AND,
    T_OR,
    T_ADD_ASSIGN,
    T_ASSIGN,
    T_MATCH,
    T_NOT_MATCH,
    T_LCURLY,
    T_RCURLY,
    T_LPAREN,
    T_RPAREN,
    T_LSQUARE,
    T_RSQUARE,
    T_COMMA,
};

typedef struct lt_token {
    int kind;
    int line, col; /* 1-based */
    size_t start;  /* offset of the token in the source */
    char *text;    /* ID, STRING, REGEX, CAPREF, DECO, BUILTIN, INVALID text (malloc'ed) */
    size_t tlen;
    int64_t i; /* INT, DURATION (ns) */
    double f;  /* FLOAT */
} lt_token;

typedef struct lt_lexer {
    const char *src;
    size_t len, pos;
    int line, col;
} lt_lexer;

void lt_lex_init(lt_lexer *lx, const char *src, size_t len);
/* Scans the next token into *t (t->text malloc'ed or NULL). Never fails but
 * with T_INVALID (t->text says why). */
void lt_lex_next(lt_lexer *lx, lt_token *t);
/* Scans a regex body after the opening '/' (already consumed); stops before
 * the closing '/'. T_REGEX or T_INVALID. */
void lt_lex_regex(lt_lexer *lx, lt_token *t);
const char *lt_tok_name(int kind);

/* ---- values and types ---- */
typedef enum lt_type {
    TY_NONE = 0, /* unknown until run time (a string converted as needed) */
    TY_INT,
    TY_FLOAT,
    TY_STRING,
    TY_BOOL,
    TY_PATTERN,
} lt_type;
const char *lt_type_name(lt_type t);
/* fmod(x, y) and pow(x, y) from libm, which is loaded on the first call
 * (fmath.c); NAN if it cannot be. Thread-safe. */
double lt_fmod(double x, double y);
double lt_pow(double x, double y);

typedef struct lt_val {
    uint8_t t; /* TY_INT, TY_FLOAT, TY_STRING, TY_BOOL */
    int64_t i; /* INT, BOOL */
    double f;
    const char *s; /* STRING: not NUL-terminated, valid for the line */
    size_t n;
} lt_val;

/* ---- metrics (store.c) ---- */
enum lt_kind { K_COUNTER, K_GAUGE, K_TIMER, K_TEXT, K_HISTOGRAM };

typedef struct lt_series lt_series;
struct lt_series {
    lt_series *hnext;       /* hash chain */
    lt_series *prev, *next; /* order of last update (oldest first) */
    uint64_t hash;
    int64_t ts_ns;           /* last update (line time) */
    int64_t expire_after_ns; /* del ... after: idle time before removal; 0 = never */
    int64_t ival;
    double fval;
    char *sval;        /* text metrics */
    uint64_t *buckets; /* histogram: n_buckets+1 non-cumulative counts */
    uint64_t count;
    double sum;
    char **labels; /* n_keys values */
};

typedef struct lt_metric {
    char *name;      /* declared name */
    char *exported;  /* as "..." or name, '-' turned into '_' (Prometheus) */
    char *json_name; /* as "..." or name, as written (mtail's /json) */
    char *source;    /* "file:line:col" of the declaration (HELP) */
    char *program;
    int kind;
    bool hidden;
    bool is_float;
    char **keys;
    size_t n_keys;
    double *bounds;
    size_t n_bounds;
    size_t limit; /* 0 = none */
    int line, col;
    /* series */
    lt_series **table;
    size_t n_table, n_series;
    lt_series *oldest, *newest;
    uint64_t evicted;
    bool used;
} lt_metric;

/* A new empty metric (the checker fills it), or NULL. */
lt_metric *lt_metric_new(void);
/* Frees m and its series; accepts NULL; returns NULL. */
lt_metric *lt_metric_free(lt_metric *m);
/* Finds or creates the series of n_keys label values. NULL on allocation
 * failure or when the set's default limit refuses a new series (counted). */
lt_series *lt_metric_get(lt_metric *m, const lt_val *keys, size_t n, size_t default_limit,
                         int64_t now_ns, int *err);
/* Marks s updated at now (moves it to the newest end). */
void lt_series_touch(lt_metric *m, lt_series *s, int64_t now_ns);
int lt_metric_del(lt_metric *m, const lt_val *keys, size_t n);
void lt_metric_expire(lt_metric *m, int64_t now_ns);
void lt_histogram_observe(lt_metric *m, lt_series *s, double v);

/* ---- regex analysis (rx.c) ---- */
/* Static type of capture group i (1-based) of pattern, as mtail infers it:
 * TY_INT, TY_FLOAT or TY_STRING. */
lt_type lt_rx_capture_type(const char *pattern, size_t group);
/* What a pattern's literals say before any regex runs. */
typedef struct lt_rx_lits {
    char lit[64]; /* the longest literal every match contains */
    size_t len;   /* 0: none known */
    bool prefix;  /* lit must stand at the start of the subject */
    bool pure;    /* the pattern is lit alone (prefix: ^lit): no regex needed */
    bool always;  /* the pattern matches every subject ("", "^", "$") */
} lt_rx_lits;
void lt_rx_literals(const char *pattern, lt_rx_lits *out);

/* ---- AST (parse.c) ---- */
enum lt_node_kind {
    N_LIST,
    N_COND, /* a cond, b then, c else (may be NULL) */
    N_OTHERWISE,
    N_DECL,
    N_CONST, /* str name, a pattern */
    N_DEF,   /* str name, a body */
    N_DECO,  /* str name, a body */
    N_NEXT,
    N_STOP,
    N_DEL,    /* a target, i after ns */
    N_BIN,    /* op, a, b */
    N_NOT,    /* a */
    N_INCDEC, /* op T_INC / T_DEC, a */
    N_INT,
    N_FLOAT,
    N_STR,
    N_REGEX,   /* str pattern text of one literal */
    N_PATTERN, /* a: concat of N_REGEX / N_ID / N_BIN(+); compiled pattern */
    N_ID,
    N_INDEX, /* a: N_ID, kids keys */
    N_CAPREF,
    N_CALL,      /* str name, kids args */
    N_BEGIN,     /* a: block run once when the program is loaded */
    N_LOGFILTER, /* a: pattern the line's file name must match */
};

typedef struct lt_rx lt_rx;
typedef struct lt_node lt_node;
struct lt_node {
    uint8_t kind;
    uint8_t op;
    uint8_t type; /* static type (checker) */
    int line, col;
    lt_node *a, *b, *c;
    lt_node **kids;
    size_t n_kids;
    char *str;
    size_t slen;
    int64_t i;
    double f;
    /* declaration */
    int mkind;
    bool hidden;
    char *as;
    char **keys;
    size_t n_keys;
    double *bounds;
    size_t n_bounds;
    int64_t limit;
    /* resolved by the checker */
    size_t slot;       /* N_ID/N_INDEX/N_DECL: metric index in the program */
    lt_rx *rx;         /* N_PATTERN: compiled regex; N_CAPREF: the binding one */
    size_t group;      /* N_CAPREF */
    lt_node *def;      /* N_DECO: its N_DEF */
    int builtin;       /* N_CALL */
    lt_node *constpat; /* N_ID naming a const */
    char *pat;         /* N_CONST, N_PATTERN: the pattern text */
    int endcol;        /* N_DECL: last column of the name */
    void *aux;         /* checker: N_DEF's scope at its `next` */
};

lt_node *lt_node_free(lt_node *n);

typedef struct lt_errs {
    const char *file;
    lt_error_fn *fn;
    void *ctx;
    int n;
} lt_errs;
void lt_err(lt_errs *e, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Parses src into a statement list; errors go to e. Returns the tree (even
 * with errors, for the checker to report more), NULL on allocation failure. */
lt_node *lt_parse(const char *src, size_t len, lt_errs *e);

/* A prefilter that almost never rejects a line only costs its search: it is
 * left out for a while once it rejected fewer than 1 in 32 of a sample of
 * lines, then sampled again. */
typedef struct lt_skip {
    uint16_t tries, rejects;
    uint16_t skip; /* lines left to run without the prefilter */
} lt_skip;
#define LT_SKIP_SAMPLE 256
#define LT_SKIP_RUN 4096
/* Whether to run the prefilter on this line. */
static inline bool lt_skip_test(lt_skip *k) {
    if (k->skip) {
        k->skip--;
        return false;
    }
    return true;
}
/* Records one run of the prefilter (rejected: it ruled the line out). */
static inline void lt_skip_note(lt_skip *k, bool rejected) {
    k->rejects += rejected;
    if (++k->tries < LT_SKIP_SAMPLE)
        return;
    if (k->rejects < LT_SKIP_SAMPLE / 32)
        k->skip = LT_SKIP_RUN;
    k->tries = k->rejects = 0;
}

/* ---- compiled regex ---- */
struct lt_rx {
    omx_regex *re;
    char *pattern;
    size_t groups;
    lt_rx_lits lits;
    bool use_pure;     /* no captures used: lits.pure/always decide alone */
    uint16_t pairs[8]; /* hashed byte pairs of lits.lit (the line filter) */
    uint8_t n_pairs;
    uint64_t lit_ok_seq; /* the line (lt_vmctx.seq) whose text holds lits.lit */
    lt_skip lit_skip;    /* the literal search before the regex, while it rejects lines */
    /* spans of the last match on this line */
    omx_regex_span *spans;
    size_t n_spans;
    const char *subj;
};

/* ---- a program ---- */
typedef struct lt_prog {
    char *name;
    char *text;
    size_t text_len;
    lt_node *root;
    lt_metric **metrics;
    size_t n_metrics;
    lt_rx **rxs;
    size_t n_rxs;
    uint64_t runtime_errors;
    uint64_t loads, load_errors;
    /* When the program is only pattern blocks (no else, no otherwise), each
     * with a known literal, a line holding none of the literals skips the
     * program without entering the VM. n_gate 0: always run. */
    lt_rx **gate;
    size_t n_gate;
    lt_skip gate_skip;
    /* begin { }: run once at load; NULL: none */
    lt_node **begin;
    size_t n_begin;
    /* log_filter /re/: the program runs only on lines whose file name
     * matches one of them (none: every line). The answer for the last file
     * name is kept, as lines come in runs from one file. */
    lt_rx **filters;
    size_t n_filters;
    char *filter_for; /* malloc'ed copy of the file name last tested */
    bool filter_ok;
} lt_prog;

/* Checks and compiles a parsed tree into prog (metrics, regexes). Returns the
 * number of errors reported. */
int lt_check(lt_prog *prog, lt_errs *e, const lt_options *opt);
lt_prog *lt_prog_free(lt_prog *p);

/* ---- VM (vm.c) ---- */
#define LT_PAIR_BITS 4096
static inline unsigned lt_pair_hash(unsigned char a, unsigned char b) {
    return ((unsigned)a * 67u ^ b) & (LT_PAIR_BITS - 1);
}
typedef struct lt_vmctx {
    const lt_options *opt;
    const lt_line *line;
    int64_t ts_ns;
    char *scratch; /* strings built during the line */
    size_t scratch_len, scratch_cap;
    /* One pass over the line marks every pair of adjacent bytes; a literal
     * with a pair the line lacks cannot occur in it. Built on the first
     * literal test of a line, shared by all programs. */
    uint64_t pairset[LT_PAIR_BITS / 64];
    /* Lines are numbered from 1 (0: no sharing between tests). The set is
     * built only for the second literal a line is tested for: with one
     * literal, a search alone is cheaper than the pass. */
    uint64_t seq;
    uint64_t pairs_seq;  /* the line the set was built for */
    uint64_t tested_seq; /* the line that had one literal tested */
} lt_vmctx;
/* Runs prog on one line. Returns 0, or 1 for a runtime error (counted). */
int lt_vm_run(lt_prog *prog, lt_vmctx *ctx);
/* Runs prog's begin blocks once against ctx's (empty) line; as lt_vm_run. */
int lt_vm_run_begin(lt_prog *prog, lt_vmctx *ctx);
/* Whether prog's log_filter patterns let lines of file name through. */
bool lt_vm_filter_allows(lt_prog *prog, const char *name);
/* Whether rx's literal may occur in the line of ctx (false: rx cannot match);
 * when it was found, rx remembers it for the rest of the line. */
bool lt_vm_literal_may_match(lt_vmctx *ctx, lt_rx *rx);
/* Sets prog->gate from its top-level statements (after lt_check). */
int lt_prog_gate(lt_prog *prog);

/* ---- strptime (gotime.c) ---- */
/* Checks a Go layout as mtail does (it parses itself): 0 or -EINVAL. */
int lt_gotime_check(const char *layout, size_t len);
/* Parses s with Go layout into ns since the epoch; tz (NULL = local) when the
 * layout has no zone; returns 0 or -EINVAL. */
int lt_gotime_parse(const char *layout, size_t llen, const char *s, size_t slen, const char *tz,
                    bool current_year, int64_t now_ns, int64_t *ret_ns);

/* ---- builtins ---- */
enum lt_builtin {
    B_LEN,
    B_TOLOWER,
    B_SUBST,
    B_STRTOL,
    B_INT,
    B_FLOAT,
    B_STRING,
    B_BOOL,
    B_STRPTIME,
    B_SETTIME,
    B_TIMESTAMP,
    B_GETFILENAME,
    B_DEFINED,
};
int lt_builtin_lookup(const char *name, size_t len);

#endif
