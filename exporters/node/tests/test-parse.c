/* omx-node: strict number parsing (the digits-only fast path agrees with the
 * strto* path on every kind of input) and omx_join. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "node-test.h"


int main(void) {
    uint64_t u;
    int64_t i;
    double d;
    static const struct {
        const char *s;
        int rc_u;
        uint64_t u;
    } us[] = {
        {"0", 0, 0},
        {"007", 0, 7},
        {"123456789012345", 0, 123456789012345ull},     /* 15 digits: fast path */
        {"1234567890123456", 0, 1234567890123456ull},   /* 16: strtoull */
        {"18446744073709551615", 0, 18446744073709551615ull},
        {"18446744073709551616", -ERANGE, 0},
        {"", -EINVAL, 0},
        {"12a", -EINVAL, 0},
        {"-5", -EINVAL, 0},
        {"1.5", -EINVAL, 0},
    };
    for (size_t k = 0; k < sizeof us / sizeof us[0]; k++) {
        u = 42;
        ASSERT(omx_parse_u64(us[k].s, &u) == us[k].rc_u);
        ASSERT(us[k].rc_u ? u == 42 : u == us[k].u); /* untouched on error */
    }
    ASSERT(omx_parse_i64("-5", &i) == 0 && i == -5);
    ASSERT(omx_parse_i64("9223372036854775807", &i) == 0 && i == INT64_MAX);
    ASSERT(omx_parse_i64("9223372036854775808", &i) == -ERANGE);
    ASSERT(omx_parse_i64("4x", &i) == -EINVAL);
    ASSERT(omx_parse_double("12345", &d) == 0 && d == 12345);
    ASSERT(omx_parse_double("1.5", &d) == 0 && d == 1.5);
    ASSERT(omx_parse_double("1e3", &d) == 0 && d == 1000);
    ASSERT(omx_parse_double("99999999999999999999", &d) == 0 && d == 1e20);
    ASSERT(omx_parse_double("1e999", &d) == -ERANGE);
    ASSERT(omx_parse_double("5 ", &d) == -EINVAL);
    ASSERT(omx_parse_double("", &d) == -EINVAL);

    char buf[16];
    ASSERT(omx_join(buf, sizeof buf, (const char *[]){"node_", NULL, "x", "_total"}, 4) == 12);
    ASSERT(strcmp(buf, "node_x_total") == 0);
    ASSERT(omx_join(buf, sizeof buf, (const char *[]){"0123456789", "abcdef"}, 2) == 0);
    ASSERT(buf[0] == '\0'); /* too long: nothing, not a truncated name */
    ASSERT(omx_join(buf, sizeof buf, (const char *[]){"0123456789", "abcde"}, 2) == 15);
    printf("ok\n");
    return 0;
}
