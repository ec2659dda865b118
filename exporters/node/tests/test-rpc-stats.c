/* omx-node: the /proc/net/rpc/{nfs,nfsd} line parser (rpc_stats.c): wanted
 * keys kept, unknown lines skipped, the "th" histogram's floats ignored,
 * counted lines checked, malformed numbers refused. */
#include <errno.h>
#include <string.h>

#include "collectors/rpc_stats.h"
#include "omx-test.h"

static const char *const keys[] = {"net", "rpc", "proc3", "th", NULL};

static void test_parse(void) {
    char data[] = "net 18628 0 18628 6\n"
                  "rpc 4329785 0 4338291\n"
                  "newer 1 2 3\n"
                  "\n"
                  "proc3 3 1 2 3\n"
                  "th 8 0 0.000 0.000 1.500\n";
    rpc_line l[4];
    memset(l, 0, sizeof l);
    ASSERT_OK(rpc_parse(data, "nfs", keys, l));
    ASSERT(l[0].present);
    ASSERT_STR_EQ(l[0].key, "net");
    ASSERT_EQ(l[0].n, 4);
    ASSERT_EQ(l[0].v[0], 18628);
    ASSERT_EQ(l[0].v[3], 6);
    ASSERT_EQ(l[0].lineno, 1);
    ASSERT_EQ(l[1].n, 3);
    ASSERT_EQ(l[1].v[2], 4338291);
    ASSERT_EQ(l[2].lineno, 5); /* unknown and empty lines still count */
    ASSERT_EQ(l[2].n, 4);
    /* th: threads and fullcnt only */
    ASSERT_EQ(l[3].n, 2);
    ASSERT_EQ(l[3].v[0], 8);
    ASSERT_OK(rpc_check_counted(&l[2], "nfs", 3));
}

static void test_absent(void) {
    char data[] = "rpc 1 2 3"; /* no final newline */
    rpc_line l[4];
    memset(l, 0, sizeof l);
    ASSERT_OK(rpc_parse(data, "nfs", keys, l));
    ASSERT(!l[0].present);
    ASSERT(l[1].present);
    ASSERT_EQ(l[1].v[2], 3);
    ASSERT_OK(rpc_check_counted(&l[2], "nfs", 22)); /* absent: nothing to check */
    char empty[] = "";
    ASSERT_OK(rpc_parse(empty, "nfs", keys, l));
}

static void test_malformed(void) {
    static const char *const bad[] = {
        "net 1 x 3\n",                /* not a number */
        "rpc -1\n",                   /* not unsigned */
        "proc3 3 1 2 3.5\n",          /* a float outside "th" */
        "th 8 x\n",                   /* th's integers are checked */
        "net 99999999999999999999\n", /* out of range */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char data[64];
        rpc_line l[4];
        memset(l, 0, sizeof l);
        strcpy(data, bad[i]);
        ASSERT_MSG(rpc_parse(data, "nfs", keys, l) == -EINVAL, "case %zu: %s", i, bad[i]);
    }
    /* more fields than RPC_MAX_VALUES */
    static char data[RPC_MAX_VALUES * 5 + 64];
    size_t n = (size_t)snprintf(data, sizeof data, "net");
    for (int i = 0; i < RPC_MAX_VALUES + 1; i++)
        n += (size_t)snprintf(data + n, sizeof data - n, " 1");
    rpc_line l[4];
    memset(l, 0, sizeof l);
    ASSERT_EQ(rpc_parse(data, "nfs", keys, l), -EINVAL);
    /* exactly RPC_MAX_VALUES values fit */
    n = (size_t)snprintf(data, sizeof data, "net");
    for (int i = 0; i < RPC_MAX_VALUES; i++)
        n += (size_t)snprintf(data + n, sizeof data - n, " %d", i);
    memset(l, 0, sizeof l);
    ASSERT_OK(rpc_parse(data, "nfs", keys, l));
    ASSERT_EQ(l[0].n, RPC_MAX_VALUES);
    ASSERT_EQ(l[0].v[RPC_MAX_VALUES - 1], RPC_MAX_VALUES - 1);
}

static void test_counted(void) {
    rpc_line l = {.key = "proc4", .present = 1, .lineno = 9, .n = 4, .v = {3, 1, 2, 3}};
    ASSERT_OK(rpc_check_counted(&l, "nfs", 3));
    ASSERT_EQ(rpc_check_counted(&l, "nfs", 4), -EINVAL); /* too few values */
    l.v[0] = 4;                                          /* count does not match */
    ASSERT_EQ(rpc_check_counted(&l, "nfs", 0), -EINVAL);
    l.n = 0; /* no count at all */
    ASSERT_EQ(rpc_check_counted(&l, "nfs", 0), -EINVAL);
}

int main(void) {
    test_parse();
    test_absent();
    test_malformed();
    test_counted();
    TEST_DONE();
}
