/* omx libexporter: regular expressions in the RE2/Go syntax Prometheus users
 * write (filter flags, blackbox fail_if_*_matches_regexp, log patterns), run by
 * PCRE2 with JIT. Constructs RE2 rejects (lookaround, backreferences, atomic
 * groups, possessive quantifiers, recursion, \C, ...) are rejected with a
 * message naming the construct and its offset. Matching never recurses without
 * bound: a pattern that backtracks past the match limit returns OMX_ELIMIT. */
#ifndef EXPORTER_REGEX_H
#define EXPORTER_REGEX_H

/* Exported from libexporter even though it is built with -fvisibility=hidden. */
#pragma GCC visibility push(default)

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct omx_regex omx_regex;

/* omx_regex_new flags. Without OMX_REGEX_ANCHORED a match may start and end
 * anywhere (Go's MatchString); with it the whole subject must match
 * (Prometheus' relabel and blackbox-style ^(?:...)$). */
#define OMX_REGEX_ANCHORED 0x1u
#define OMX_REGEX_CASELESS 0x2u

/* Compiles pattern. Returns 0 and a new regex in *ret (free with
 * omx_regex_free), or OMX_EINVAL with a one-line reason in err (errlen bytes,
 * err may be NULL) such as "lookahead (?= at offset 3 is not supported", or
 * OMX_ENOMEM. A compiled regex may be used by many threads at once. */
int omx_regex_new(const char *pattern, unsigned flags, omx_regex **ret, char *err, size_t errlen);
/* Frees re; accepts NULL; returns NULL. */
omx_regex *omx_regex_free(omx_regex *re);

/* Whether the len bytes at s match: 1, 0, or OMX_ELIMIT when the match limit
 * was reached (the subject is neither matched nor not). Thread-safe without a
 * lock: match data is kept per thread. */
int omx_regex_match(const omx_regex *re, const char *s, size_t len);

/* One capture group's byte offsets in the subject; both OMX_REGEX_UNSET when the
 * group did not take part in the match. */
#define OMX_REGEX_UNSET SIZE_MAX
typedef struct omx_regex_span {
    size_t start, end;
} omx_regex_span;

/* Like omx_regex_match, also filling spans[0] (whole match) and spans[i] (group
 * i) for i < n_spans; spans beyond the pattern's groups are set unset. */
int omx_regex_exec(const omx_regex *re, const char *s, size_t len, omx_regex_span *spans,
                   size_t n_spans);

/* Number of capture groups (not counting the whole match). */
size_t omx_regex_groups(const omx_regex *re);
/* Name of group i (1-based) or NULL when it has none; borrowed from re. */
const char *omx_regex_group_name(const omx_regex *re, size_t i);
/* Number of the group called name, or OMX_ENOENT. */
int omx_regex_group_index(const omx_regex *re, const char *name);

/* Sets the backtracking budget of matches with re (default 1000000 steps);
 * call before re is shared between threads. */
void omx_regex_set_match_limit(omx_regex *re, uint32_t limit);

#ifdef __cplusplus
}
#endif
#pragma GCC visibility pop
#endif
