/* omx-node: the collectors' filter flags (--collector.*.include/exclude,
 * ignored-devices...), compiled as RE2-syntax regexes (exporter/regex.h). */
#ifndef NODE_PATTERN_H
#define NODE_PATTERN_H

#include <stdbool.h>

#include <exporter/regex.h>

/* A compiled filter; `set` is false when the flag was empty (matches nothing).
 * memo keeps the answers for names already matched (owned). */
typedef struct node_regex {
    omx_regex *re;
    struct node_memo *memo;
    bool set;
} node_regex;

/* Compiles pattern (node_exporter's Go syntax) for flag `flag`. An empty or
 * NULL pattern leaves r unset. Returns 0, or OMX_ECONFIG after logging an error
 * naming the flag. */
int node_regex_compile(node_regex *r, const char *flag, const char *pattern);
/* Whether s matches (unanchored, like Go's MatchString); false when unset or
 * when the match gives up (match limit). Thread-safe; the answer for a name is
 * remembered (up to 768 names per filter). */
bool node_regex_match(const node_regex *r, const char *s);
/* Releases what node_regex_compile allocated; r is unset after. */
void node_regex_free(node_regex *r);

#endif
