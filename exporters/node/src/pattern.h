/* omx-node: POSIX extended regexes for the collectors' filter flags. */
#ifndef NODE_PATTERN_H
#define NODE_PATTERN_H

#include <regex.h>
#include <stdbool.h>

/* A compiled filter; `set` is false when the flag was empty (matches nothing). */
typedef struct node_regex {
    regex_t re;
    bool set;
} node_regex;

/* Compiles pattern (node_exporter's Go syntax: the shortcuts \d \s \w \D \S \W
 * and non-capturing "(?:" are rewritten to ERE) for flag `flag`. An empty or
 * NULL pattern leaves r unset. Returns 0, or OMX_ECONFIG after logging an error
 * naming the flag. */
int node_regex_compile(node_regex *r, const char *flag, const char *pattern);
/* Whether s matches (unanchored, like Go's MatchString); false when unset. */
bool node_regex_match(const node_regex *r, const char *s);

#endif
