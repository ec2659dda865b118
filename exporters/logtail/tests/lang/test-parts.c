/* The parts below the VM: capture type inference, required literals,
 * Go time layouts. */
#include "lt-test.h"

static void test_inference(void) {
    static const struct {
        const char *re;
        size_t g;
        lt_type t;
    } cases[] = {
        {"(\\d+)", 1, TY_INT},
        {"(-?\\d+)", 1, TY_INT},
        {"([0-9]+)", 1, TY_INT},
        {"(\\d)", 1, TY_STRING}, /* a bare class, as mtail has it */
        {"(\\d+\\.\\d+)", 1, TY_FLOAT},
        {"(\\d+(\\.\\d+)?)", 1, TY_FLOAT},
        {"(\\d+\\.\\d+\\.\\d+)", 1, TY_STRING},
        {"(\\d+|-)", 1, TY_STRING},
        {"(\\d+|\\d+\\.\\d+)", 1, TY_FLOAT},
        {"(\\w+)", 1, TY_STRING},
        {"(.*)", 1, TY_STRING},
        {"(?P<a>\\S+) (?P<b>\\d+)", 2, TY_INT},
        {"(-)", 1, TY_STRING},
        {"(\\d+e\\d+)", 1, TY_FLOAT},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        ASSERT_MSG(lt_rx_capture_type(cases[i].re, cases[i].g) == cases[i].t, "%s group %zu: %s",
                   cases[i].re, cases[i].g,
                   lt_type_name(lt_rx_capture_type(cases[i].re, cases[i].g)));
}

static void test_literals(void) {
    static const struct {
        const char *re;
        const char *lit;
        bool prefix, pure, always;
    } cases[] = {
        {"$", "", false, false, true},
        {"", "", false, false, true},
        {"^$", "", false, false, false},
        {"foo", "foo", false, true, false},
        {"^foo", "foo", true, true, false},
        {"^foo$", "foo", true, false, false},
        {"foo(bar)?bazz", "bazz", false, false, false},
        {"a+bcd", "abcd", false, false, false},
        {"(?P<x>\\d+) GET /index", " GET /index", false, false, false},
        {"x|y", "", false, false, false},
        {"(?i)foo", "", false, false, false},
        {"sshd\\[\\d+\\]: Accepted", "]: Accepted", false, false, false},
        {"^(\\S+) - ", " - ", false, false, false},
        {"a\\.b", "a.b", false, true, false},
        {"[x]yz", "xyz", false, true, false},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        lt_rx_lits l;
        lt_rx_literals(cases[i].re, &l);
        char got[65];
        memcpy(got, l.lit, l.len);
        got[l.len] = 0;
        ASSERT_MSG(strcmp(got, cases[i].lit) == 0, "%s: literal \"%s\"", cases[i].re, got);
        ASSERT_MSG(l.prefix == cases[i].prefix, "%s: prefix", cases[i].re);
        ASSERT_MSG(l.pure == cases[i].pure, "%s: pure", cases[i].re);
        ASSERT_MSG(l.always == cases[i].always, "%s: always", cases[i].re);
    }
}

static int64_t parse(const char *layout, const char *s, const char *tz) {
    int64_t ns = -1;
    /* "now" 2026-06-01 for layouts without a year */
    int r = lt_gotime_parse(layout, strlen(layout), s, strlen(s), tz, true,
                            1780272000LL * 1000000000, &ns);
    return r < 0 ? r : ns / 1000000000;
}

static void test_gotime(void) {
    ASSERT_EQ(parse("2006-01-02T15:04:05Z07:00", "2024-01-02T03:04:05Z", NULL), 1704164645);
    ASSERT_EQ(parse("2006-01-02T15:04:05Z07:00", "2024-01-02T04:04:05+01:00", NULL), 1704164645);
    ASSERT_EQ(parse("02/Jan/2006:15:04:05 -0700", "02/Jan/2024:03:04:05 +0000", NULL), 1704164645);
    ASSERT_EQ(parse("Jan _2 15:04:05", "Jan  2 03:04:05", "UTC"), 1767323045);
    ASSERT_EQ(parse("Jan _2 15:04:05", "Jan 12 03:04:05", "UTC"), 1768187045);
    ASSERT_EQ(parse("Jan _2 15:04:05", "Jan  2 03:04:05", "+01:00"), 1767323045 - 3600);
    ASSERT_EQ(parse("Jan _2 15:04:05", "Jan  2 03:04:05", "Europe/Berlin"), 1767323045 - 3600);
    ASSERT_EQ(parse("Mon Jan 2 15:04:05 MST 2006", "Tue Jan 2 03:04:05 UTC 2024", NULL),
              1704164645);
    ASSERT_EQ(parse("2006-01-02 03:04:05 PM", "2024-01-02 03:04:05 PM", "UTC"), 1704164645 + 43200);
    ASSERT_EQ(parse("2006-01-02 15:04:05.000", "2024-01-02 03:04:05.250", "UTC"), 1704164645);
    ASSERT_EQ(parse("2006-01-02 15:04:05", "2024-01-02 03:04:05.5", "UTC"), 1704164645);
    ASSERT_EQ(parse("2006-01-02", "2024-13-02", "UTC"), -EINVAL);
    ASSERT_EQ(parse("2006-01-02", "2024-01-02x", "UTC"), -EINVAL);
    ASSERT_EQ(parse("2006-01-02", "", "UTC"), -EINVAL);
    ASSERT_EQ(lt_gotime_check("2006-13", 7), -EINVAL);
    ASSERT_OK(lt_gotime_check("garbage", 7)); /* parses itself, as mtail accepts it */
    ASSERT_OK(lt_gotime_check("15:04", 5));
    ASSERT_OK(lt_gotime_check("Jan _2 15:04:05", 15));
    ASSERT_OK(lt_gotime_check("2006-01-02T15:04:05.000Z07:00", 29));
    ASSERT_OK(lt_gotime_check("Mon Jan 2 15:04:05 MST 2006", 27));
}

int main(void) {
    test_inference();
    test_literals();
    test_gotime();
    TEST_DONE();
}
