/* omx-node: POSIX extended regexes for the collectors' filter flags. */
#ifndef NODE_PATTERN_H
#define NODE_PATTERN_H

#include <pthread.h>
#include <regex.h>
#include <stdbool.h>
#include <stddef.h>

/* A compiled filter; `set` is false when the flag was empty (matches nothing).
 * Results are memoised per input string: the names collectors filter (netstat
 * fields, devices, mount points) repeat every scrape and regexec is slow. */
typedef struct node_regex {
    regex_t re;
    bool set;
    /* glibc's regexec caches DFA states inside re (2-4 KiB each, half a MiB for
     * the default filters after one scrape), so re is compiled from ere only
     * while strings miss the memo, and freed at the next memo hit. */
    bool compiled;
    char *ere;
    pthread_mutex_t lock;
    struct node_regex_memo *memo; /* open-addressing table of memo_cap slots (grows) */
    size_t memo_cap, n_memo;
    char *keys;                   /* memoised strings, packed (not NUL-terminated) */
    size_t keys_len, keys_cap;
} node_regex;

/* Compiles pattern (node_exporter's Go syntax: the shortcuts \d \s \w \D \S \W
 * and non-capturing "(?:" are rewritten to ERE) for flag `flag`. An empty or
 * NULL pattern leaves r unset. Returns 0, or OMX_ECONFIG after logging an error
 * naming the flag. */
int node_regex_compile(node_regex *r, const char *flag, const char *pattern);
/* Whether s matches (unanchored, like Go's MatchString); false when unset.
 * Thread-safe. */
bool node_regex_match(const node_regex *r, const char *s);
/* Releases what node_regex_compile and the matches allocated; r is unset after. */
void node_regex_free(node_regex *r);

#endif
