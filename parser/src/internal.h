/* Internal interfaces of libopenmetrics (omp__ prefix, not exported). */
#ifndef OMP_INTERNAL_H
#define OMP_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "openmetrics/openmetrics.h"

enum { OMP__NUM_REAL = 1, OMP__NUM_INF, OMP__NUM_NAN, OMP__NUM_HEX };

/* lexer.re */
const char *omp__lex_metricname(const char *s);
const char *omp__lex_labelname(const char *s);
/* Name character classes: bit 1 metric-name rest, 2 label-name rest,
 * 4 label-name first character ([a-zA-Z_]). */
extern const unsigned char omp__name_class[256];
/* The same with a block scan up to lim (end of readable memory). */
const char *omp__lex_metricname_to(const char *s, const char *lim);
const char *omp__lex_quoted(const char *s, bool *ret_escaped);
const char *omp__lex_text(const char *s, bool *ret_escaped, const char **ret_bad);
const char *omp__lex_number(const char *s, int *ret_kind);
const char *omp__lex_prom_number(const char *s, int *ret_kind);
const char *omp__lex_prom_timestamp(const char *s);

/* number.c: text already checked by a lexer rule of the given kind. */
int omp__to_double(const char *s, size_t len, int kind, double *ret);
/* Parses a label value as a float (le, quantile); rejects NaN and
 * infinities not spelled +Inf/-Inf. Returns 0 or -EINVAL. */
int omp__label_float(omp_str v, double *ret);

/* hashset.c: a set of 64-bit hashes with a hard cap on its size. */
typedef struct omp__set {
    uint64_t *slots;
    size_t cap; /* power of two or 0 */
    size_t count;
    size_t limit;
} omp__set;
/* Returns 1 if added, 0 if present, -E2BIG at limit, -ENOMEM. */
int omp__set_add(omp__set *s, uint64_t h);
bool omp__set_has(const omp__set *s, uint64_t h);
void omp__set_clear(omp__set *s);
void omp__set_free(omp__set *s);
uint64_t omp__hash(const void *data, size_t len, uint64_t seed);

/* Per-family validation state (OpenMetrics). Names are copied: the input
 * views may go away between chunks. */
typedef struct omp__hist {
    bool active;
    bool has_bucket, has_count, has_sum, has_gsum, neg_bucket, neg_gsum;
    double last_le, last_bucket_value, count;
    unsigned line;
} omp__hist;

typedef struct omp__family {
    char *name;
    size_t name_len, name_cap;
    omp_type type;
    bool has_type, has_help, has_unit, has_samples, active;
    bool prom_fixed;   /* 0.0.4: its type is fixed (TYPE line or a sample) */
    omp_str unit_seen; /* only its length matters after the line */
    /* current group */
    bool in_group;
    uint64_t group;
    bool group_has_ts;
    double group_ts;
    unsigned suffix_seen; /* bitmask of suffixes seen in this group w/o ts */
    omp__hist hist;
    omp__set groups;
    uint64_t n_families;
} omp__family;

struct omp_parser {
    omp_format format;
    omp_limits lim;
    /* input */
    const char *cur, *end;
    const char *safe; /* a LF lies at or after every position below this */
    const char *rend; /* end of readable memory for the current line */
    bool input_set, finished, done;
    char *carry;
    size_t carry_len, carry_cap;
    bool carry_ready, carry_used, last_no_newline;
    unsigned line;
    /* results */
    omp_label *labels, *ex_labels;
    size_t labels_cap, ex_cap;
    uint64_t samples;
    bool seen_eof;
    /* errors */
    int err;
    unsigned err_line, err_col;
    char errbuf[512];
    /* validation */
    omp__family fam;
    omp__set names;
};

/* fail.c: records err and the message (first error wins); returns p->err. */
int omp__fail(omp_parser *p, int err, const char *at_line_start, const char *at, const char *fmt,
              ...) __attribute__((format(printf, 5, 6)));
/* grow.c: makes *ptr hold at least need elements of elem bytes, at most limit.
 * Returns 0, -E2BIG past limit or -ENOMEM (then *ptr and *cap are unchanged). */
int omp__grow(void **ptr, size_t *cap, size_t need, size_t elem, size_t limit);

/* validate.c */
int omp__om_meta(omp_parser *p, omp_entry *e, const char *ls);
int omp__om_sample(omp_parser *p, omp_entry *e, const char *ls);
int omp__om_end(omp_parser *p, const char *ls, bool at_eof_line);
/* Prometheus 0.0.4: resolve the family and check the per-family metadata
 * rules; return 0 or p->err. */
int omp__prom_meta(omp_parser *p, omp_entry *e, const char *ls);
int omp__prom_sample(omp_parser *p, omp_entry *e, const char *ls);
int omp__family_set_name(omp__family *f, omp_str name, size_t limit);
void omp__family_free(omp__family *f);

#endif
