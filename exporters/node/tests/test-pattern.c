/* omx-node: filter regexes give the same answer memoised or not, while the memo
 * table grows from its small start to its limit and past it. */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pattern.h"
#include "omx-test.h"


int main(void) {
    node_regex r, unset;
    ASSERT(node_regex_compile(&unset, "t.unset", "") == 0);
    ASSERT(!node_regex_match(&unset, "eth0"));
    /* Go syntax rewritten: \d, (?:...) */
    ASSERT(node_regex_compile(&r, "t.dev", "^(?:eth|veth)\\d+$") == 0);
    ASSERT(node_regex_match(&r, "eth0") && node_regex_match(&r, "eth0"));
    ASSERT(!node_regex_match(&r, "lo") && !node_regex_match(&r, "lo"));
    /* the compiled regex (and glibc's DFA cache in it) lives only while strings
     * miss the memo: dropped at a hit, compiled again by the next miss */
    ASSERT(!r.compiled);
    ASSERT(node_regex_match(&r, "veth7") && r.compiled);
    ASSERT(node_regex_match(&r, "eth0") && !r.compiled);
    ASSERT(!node_regex_match(&r, "wlan0") && r.compiled && !node_regex_match(&r, "wlan0"));
    ASSERT(!r.compiled && node_regex_match(&r, "veth7"));
    /* 5000 names: the table doubles up to its limit, then stops memoising; every
     * answer, first or repeated, matches the rule */
    for (int round = 0; round < 3; round++)
        for (int i = 0; i < 5000; i++) {
            char name[32];
            snprintf(name, sizeof name, i % 3 ? "eth%d" : "tap%d", i);
            ASSERT(node_regex_match(&r, name) == (i % 3 != 0));
        }
    ASSERT(r.memo_cap >= 2 && r.memo_cap <= 2048 && r.n_memo <= r.memo_cap / 2);
    /* names too long to memoise still match */
    char longname[200];
    memset(longname, 'x', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    memcpy(longname, "eth1", 4);
    ASSERT(!node_regex_match(&r, longname));
    node_regex_free(&r);
    ASSERT(!r.set && !node_regex_match(&r, "eth0"));
    ASSERT(node_regex_compile(&r, "t.bad", "(") < 0);
    TEST_DONE();
}
