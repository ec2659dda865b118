/* Accept-Encoding negotiation, the gzip sink, listen addresses and scrape deadlines. */
#include <time.h>
#include <zlib.h>

#include "app-internal.h"
#include "exporter/error.h"
#include "gzip.h"
#include "omx-test.h"

typedef struct sink {
    unsigned char data[1 << 20];
    size_t len;
    int fail_after;
} sink;

static int sink_write(void *ctx, const char *data, size_t len) {
    sink *s = ctx;
    if (s->fail_after >= 0 && s->len + len > (size_t)s->fail_after)
        return -EPIPE;
    if (s->len + len > sizeof s->data)
        return -EPIPE;
    memcpy(s->data + s->len, data, len);
    s->len += len;
    return 0;
}

int main(void) {
    static const struct {
        const char *h;
        int want;
    } ae[] = {
        {NULL, 0},
        {"", 0},
        {"gzip", 1},
        {"GZIP", 1},
        {"x-gzip", 1},
        {"gzip, deflate, br", 1},
        {"deflate, gzip;q=1.0, *;q=0.5", 1},
        {"br;q=1, gzip;q=0.1", 1},
        {"gzip;q=0", 0},
        {"gzip; q=0", 0},
        {"gzip;q=0.0", 0},
        {"gzip;q=0.000", 0},
        {"identity", 0},
        {"deflate", 0},
        {"*", 1},
        {"*;q=0", 0},
        {"*, gzip;q=0", 0},
        {"gzip;q=0, *", 0},
        {"gzipx", 0},
        {"xgzip", 0},
        {"gzip;q=abc", 0},
        {"gzip;q=2", 0},
        {" gzip ; q=0.5 ", 1},
        {",,,", 0},
        {"gzip;level=9", 1},
    };
    for (size_t i = 0; i < sizeof ae / sizeof *ae; i++) {
        int got = omx_accepts_gzip(ae[i].h);
        if (got != ae[i].want)
            fprintf(stderr, "Accept-Encoding '%s': got %d want %d\n", ae[i].h ? ae[i].h : "(null)",
                    got, ae[i].want);
        ASSERT(got == ae[i].want);
    }

    /* gzip round trip over many small chunks. */
    static sink s;
    static char plain[200000];
    size_t plen = 0;
    s.fail_after = -1;
    omx__gzip g;
    ASSERT(omx__gzip_init(&g, sink_write, &s) == 0);
    for (int i = 0; plen + 64 < sizeof plain; i++) {
        int n = snprintf(plain + plen, 64, "metric_%d{label=\"v%d\"} %d\n", i % 97, i, i);
        ASSERT(omx__gzip_write(&g, plain + plen, (size_t)n) == 0);
        plen += (size_t)n;
    }
    ASSERT(omx__gzip_finish(&g) == 0);
    omx__gzip_end(&g);
    ASSERT(s.len > 18 && s.data[0] == 0x1f && s.data[1] == 0x8b);
    ASSERT(s.len < plen / 3);
    static char back[sizeof plain];
    z_stream z = {0};
    ASSERT(inflateInit2(&z, 15 + 16) == Z_OK);
    z.next_in = s.data;
    z.avail_in = (uInt)s.len;
    z.next_out = (unsigned char *)back;
    z.avail_out = sizeof back;
    ASSERT(inflate(&z, Z_FINISH) == Z_STREAM_END);
    ASSERT(z.total_out == plen && memcmp(back, plain, plen) == 0);
    inflateEnd(&z);

    /* An empty body is still a valid gzip stream. */
    s.len = 0;
    ASSERT(omx__gzip_init(&g, sink_write, &s) == 0);
    ASSERT(omx__gzip_finish(&g) == 0);
    omx__gzip_end(&g);
    ASSERT(s.len == 20);

    /* A failing sink makes the stream fail, sticky. */
    s.len = 0;
    s.fail_after = 10;
    ASSERT(omx__gzip_init(&g, sink_write, &s) == 0);
    int rc = 0;
    for (int i = 0; i < 1000 && rc == 0; i++)
        rc = omx__gzip_write(&g, plain, 1000);
    if (rc == 0)
        rc = omx__gzip_finish(&g);
    ASSERT(rc == -EPIPE); /* the sink's code */
    ASSERT(omx__gzip_write(&g, "x", 1) == -EPIPE);
    omx__gzip_end(&g);

    /* Listen addresses. */
    static const struct {
        const char *in, *host, *port;
    } la[] = {
        {"127.0.0.1:9100", "127.0.0.1", "9100"},
        {":9100", "", "9100"},
        {"[::1]:9100", "::1", "9100"},
        {"[::]:9100", "::", "9100"},
        {"localhost:0", "localhost", "0"},
        {"0.0.0.0:65535", "0.0.0.0", "65535"},
        {"9100", NULL, NULL},
        {"", NULL, NULL},
        {":", NULL, NULL},
        {"::1:9100", NULL, NULL},
        {"[::1]9100", NULL, NULL},
        {"[]:9100", NULL, NULL},
        {"[::1:9100", NULL, NULL},
        {"host:65536", NULL, NULL},
        {"host:123456", NULL, NULL},
        {"host:http", NULL, NULL},
        {"host:-1", NULL, NULL},
    };
    for (size_t i = 0; i < sizeof la / sizeof *la; i++) {
        char host[64] = "x", port[8] = "x";
        rc = omx__http_parse_listen(la[i].in, host, sizeof host, port, sizeof port);
        if (la[i].host) {
            ASSERT(rc == 0);
            ASSERT_STR_EQ(host, la[i].host);
            ASSERT_STR_EQ(port, la[i].port);
        } else {
            if (rc == 0)
                fprintf(stderr, "listen '%s' accepted\n", la[i].in);
            ASSERT(rc == OMX_EINVAL);
        }
    }

    /* Scrape deadlines: now + timeout - min(0.5 s, 10 %). */
    struct timespec ts;
    double secs = -1;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    int64_t now = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
    int64_t d = omx__http_deadline("10", &secs);
    ASSERT(secs == 10);
    ASSERT(d >= now + 9500000000LL && d < now + 9600000000LL);
    d = omx__http_deadline("1.5", &secs);
    ASSERT(secs == 1.5 && d >= now + 1350000000LL && d < now + 1450000000LL);
    static const char *const bad_to[] = {NULL, "", "0", "-1", "abc", "10s", "nan", "inf", "1e9"};
    for (size_t i = 0; i < sizeof bad_to / sizeof *bad_to; i++) {
        secs = -1;
        ASSERT(omx__http_deadline(bad_to[i], &secs) == 0 && secs == 0);
    }

    /* Header well-formedness. */
    ASSERT(omx__http_header_ok("Host", 4, "x", 1));
    ASSERT(omx__http_header_ok("X-Prometheus-Scrape-Timeout-Seconds", 35, "10", 2));
    ASSERT(
        omx__http_header_ok("Accept", 6, "a/b;\tq=0.1, \xc3\xa9", strlen("a/b;\tq=0.1, \xc3\xa9")));
    ASSERT(omx__http_header_ok("X-Empty", 7, "", 0));
    ASSERT(!omx__http_header_ok("Foo ", 4, "bar", 3));
    ASSERT(!omx__http_header_ok("Fo\0o", 4, "bar", 3));
    ASSERT(!omx__http_header_ok("Foo", 3, "b\0ar", 4));
    ASSERT(!omx__http_header_ok("Foo", 3, "b\rar", 4));
    ASSERT(!omx__http_header_ok("Foo", 3, "b\x7f", 2));
    ASSERT(!omx__http_header_ok("", 0, "bar", 3));
    ASSERT(!omx__http_header_ok("F(o)", 4, "bar", 3));
    ASSERT(!omx__http_header_ok(NULL, 0, NULL, 0));
    /* Values as libmicrohttpd leaves them in the request buffer. */
    const char crlf[] = "x\0\0Next\0 y\0\0\0\0";
    ASSERT(omx__http_value_ends_line(crlf, 1, crlf + 3)); /* CRLF turned into NULs */
    ASSERT(omx__http_value_ends_line(crlf + 9, 1, NULL)); /* last, then the blank line */
    const char lf[] = "x\0Next\0 y\0\n";
    ASSERT(omx__http_value_ends_line(lf, 1, lf + 2)); /* bare LF */
    ASSERT(omx__http_value_ends_line(lf + 8, 1, NULL));
    ASSERT(omx__http_value_ends_line("x\0\r\n\r\n", 1, NULL));
    ASSERT(omx__http_value_ends_line("x\0 \0\0", 1, NULL)); /* trailing blank cut */
    const char nul[] = "b\0ar\0\0Next\0 y";
    ASSERT(!omx__http_value_ends_line(nul, 1, nul + 6)); /* "b<NUL>ar" */
    ASSERT(!omx__http_value_ends_line(nul, 1, NULL));
    ASSERT(!omx__http_value_ends_line("bar", 2, NULL));

    /* Query arguments, split and decoded as libmicrohttpd does it. */
    omx__query q;
    const char qs[] = "collect%5B%5D=cpu&collect[]=a+b%2B&flag&=v&k=&K=x&%zz=%4&k%00=z&";
    ASSERT_EQ(omx__query_parse(&q, qs, strlen(qs)), 0);
    ASSERT_EQ(q.n, 8);
    ASSERT_STR_EQ(q.args[0].key, "collect[]");
    ASSERT_STR_EQ(q.args[0].value, "cpu");
    ASSERT_STR_EQ(q.args[1].value, "a b+");
    ASSERT_STR_EQ(q.args[2].key, "flag");
    ASSERT(q.args[2].value == NULL);
    ASSERT_STR_EQ(q.args[3].key, "");
    ASSERT_STR_EQ(q.args[3].value, "v");
    ASSERT_STR_EQ(q.args[4].value, "");
    ASSERT_STR_EQ(q.args[6].key, "%zz"); /* not two hex digits: kept */
    ASSERT_STR_EQ(q.args[6].value, "%4");
    ASSERT_EQ(q.args[7].key_len, 2); /* "k" and a NUL byte */
    ASSERT_STR_EQ(omx__query_get(&q, "COLLECT[]"), "cpu");
    ASSERT_STR_EQ(omx__query_get(&q, "k"), ""); /* the first, case ignored */
    ASSERT(omx__query_get(&q, "flag") == NULL);
    ASSERT(omx__query_get(&q, "absent") == NULL);
    omx__query_clear(&q);
    ASSERT(q.args == NULL && q.n == 0);
    omx__query_clear(&q);
    omx__query_clear(NULL);
    ASSERT_EQ(omx__query_parse(&q, "&&&", 3), 0);
    ASSERT_EQ(q.n, 3); /* an empty key each, as 500 '&' are 500 */
    ASSERT_STR_EQ(q.args[2].key, "");
    omx__query_clear(&q);
    ASSERT_EQ(omx__query_parse(&q, "a=b\0c=d", 7), 0); /* ends at a NUL */
    ASSERT_EQ(q.n, 1);
    omx__query_clear(&q);
    ASSERT_EQ(omx__query_parse(&q, "", 0), 0);
    ASSERT_EQ(q.n, 0);
    ASSERT(omx__query_get(&q, "a") == NULL);
    TEST_DONE();
}
