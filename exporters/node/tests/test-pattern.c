/* omx-node: filter flags match as node_exporter's Go regexps do, repeatedly and
 * for many distinct names, and reject what Go rejects. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pattern.h"
#include "omx-test.h"

static node_regex shared;

/* Threads filling the shared memo at once: every answer still follows the rule. */
static void *match_many(void *arg) {
    long wrong = 0;
    for (int round = 0; round < 4; round++)
        for (int i = 0; i < 1000; i++) {
            char name[32];
            snprintf(name, sizeof name, "%s%d", (i + (int)(long)arg) % 2 ? "eth" : "lo", i);
            wrong += node_regex_match(&shared, name) != ((i + (int)(long)arg) % 2 == 1);
        }
    return (void *)wrong;
}

int main(void) {
    node_regex r, unset;
    ASSERT(node_regex_compile(&unset, "t.unset", "") == 0);
    ASSERT(!unset.set && !node_regex_match(&unset, "eth0"));
    ASSERT(node_regex_compile(&unset, "t.unset", NULL) == 0 && !unset.set);
    /* Go syntax: \d, (?:...) */
    ASSERT(node_regex_compile(&r, "t.dev", "^(?:eth|veth)\\d+$") == 0);
    ASSERT(node_regex_match(&r, "eth0") && node_regex_match(&r, "eth0"));
    ASSERT(!node_regex_match(&r, "lo") && !node_regex_match(&r, "lo"));
    ASSERT(node_regex_match(&r, "veth7") && !node_regex_match(&r, "wlan0"));
    /* 5000 names, three times: every answer, first or repeated, follows the rule */
    for (int round = 0; round < 3; round++)
        for (int i = 0; i < 5000; i++) {
            char name[32];
            snprintf(name, sizeof name, i % 3 ? "eth%d" : "tap%d", i);
            ASSERT(node_regex_match(&r, name) == (i % 3 != 0));
        }
    /* long names match too */
    char longname[200];
    memset(longname, 'x', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    memcpy(longname, "eth1", 4);
    ASSERT(!node_regex_match(&r, longname));
    node_regex_free(&r);
    ASSERT(!r.set && r.re == NULL && !node_regex_match(&r, "eth0"));
    node_regex_free(&r); /* twice is harmless */
    /* unanchored like Go's MatchString; shortcuts inside classes */
    ASSERT(node_regex_compile(&r, "t.fs", "^/(dev|proc|sys)($|/)") == 0);
    ASSERT(node_regex_match(&r, "/proc/fs/nfsd") && node_regex_match(&r, "/sys"));
    ASSERT(!node_regex_match(&r, "/system"));
    node_regex_free(&r);
    ASSERT(node_regex_compile(&r, "t.cls", "[\\d_]x") == 0);
    ASSERT(node_regex_match(&r, "a1x") && node_regex_match(&r, "_x") &&
           !node_regex_match(&r, "ax"));
    node_regex_free(&r);
    /* invalid, and valid in PCRE but not in Go */
    ASSERT(node_regex_compile(&r, "t.bad", "(") < 0 && !r.set);
    ASSERT(node_regex_compile(&r, "t.bad", "eth(?!0)") < 0 && !r.set);
    ASSERT(node_regex_compile(&shared, "t.shared", "^eth") == 0);
    pthread_t t[4];
    for (long i = 0; i < 4; i++)
        ASSERT(pthread_create(&t[i], NULL, match_many, (void *)i) == 0);
    for (int i = 0; i < 4; i++) {
        void *wrong;
        ASSERT(pthread_join(t[i], &wrong) == 0 && wrong == NULL);
    }
    node_regex_free(&shared);
    TEST_DONE();
}
