/* The push queue's bounds (samples, bytes: oldest dropped and counted), age
 * expiry; the back-off schedule (doubling, cap, jitter range, Retry-After);
 * Retry-After parsing; Pushgateway group URLs (base64url for '/'). */
#include <stdlib.h>
#include <string.h>

#include "exporter/exporter.h"
#include "omx-test.h"
#include "push-internal.h"

static uint8_t *blob(size_t n) {
    uint8_t *p = malloc(n);
    ASSERT(p);
    memset(p, 'x', n);
    return p;
}

static void queue_tests(void) {
    omx__push_queue q = {.max_samples = 100, .max_bytes = 1000};
    size_t dropped = 0;
    ASSERT_OK(omx__push_queue_add(&q, blob(10), 10, 40, 1000, &dropped));
    ASSERT_OK(omx__push_queue_add(&q, blob(10), 10, 40, 2000, &dropped));
    ASSERT_EQ(dropped, 0);
    ASSERT_EQ(q.samples, 80);
    /* 80 + 40 > 100: the oldest goes */
    ASSERT_OK(omx__push_queue_add(&q, blob(10), 10, 40, 3000, &dropped));
    ASSERT_EQ(dropped, 40);
    ASSERT_EQ(q.n, 2);
    ASSERT_EQ(q.head->ts_ms, 2000);
    /* bytes: 20 + 991 > 1000 drops both older */
    ASSERT_OK(omx__push_queue_add(&q, blob(991), 991, 1, 4000, &dropped));
    ASSERT_EQ(dropped, 120);
    ASSERT_EQ(q.n, 1);
    ASSERT_EQ(q.bytes, 991);
    /* one request over a cap alone is kept (it is the newest data) */
    ASSERT_OK(omx__push_queue_add(&q, blob(5), 5, 500, 5000, &dropped));
    ASSERT_EQ(dropped, 121);
    ASSERT_EQ(q.n, 1);
    ASSERT_EQ(q.samples, 500);
    ASSERT_OK(omx__push_queue_add(&q, blob(5), 5, 1, 6000, &dropped));
    ASSERT_OK(omx__push_queue_add(&q, blob(5), 5, 1, 7000, &dropped));
    ASSERT_EQ(dropped, 621);
    ASSERT_EQ(omx__push_queue_expire(&q, 7000), 1);
    ASSERT_EQ(q.n, 1);
    ASSERT_EQ(omx__push_queue_pop(&q), 1);
    ASSERT_EQ(omx__push_queue_pop(&q), 0);
    ASSERT(!q.head && !q.tail && q.bytes == 0 && q.samples == 0);
    /* many adds under the cap: memory follows the cap, never the count */
    for (int i = 0; i < 10000; i++)
        ASSERT_OK(omx__push_queue_add(&q, blob(8), 8, 10, i, &dropped));
    ASSERT_EQ(q.samples, 100);
    ASSERT_EQ(q.n, 10);
    ASSERT_EQ(omx__push_queue_clear(&q), 100);
}

static void backoff_tests(void) {
    /* jitter 0.5 is the midpoint: exactly the doubled delay */
    ASSERT_DBL_EQ(omx__push_backoff(1, 0.5, 30, 0.5, 0), 0.5);
    ASSERT_DBL_EQ(omx__push_backoff(2, 0.5, 30, 0.5, 0), 1);
    ASSERT_DBL_EQ(omx__push_backoff(3, 0.5, 30, 0.5, 0), 2);
    ASSERT_DBL_EQ(omx__push_backoff(7, 0.5, 30, 0.5, 0), 30); /* 32 capped */
    ASSERT_DBL_EQ(omx__push_backoff(1000, 0.5, 30, 0.5, 0), 30);
    ASSERT_DBL_EQ(omx__push_backoff(3, 0.5, 30, 0, 0), 1.5); /* -25 % */
    ASSERT_DBL_EQ(omx__push_backoff(3, 0.5, 30, 0.99, 0) < 2.5, 1);
    ASSERT_DBL_EQ(omx__push_backoff(9, 0.5, 30, 0.99, 0), 30); /* never above the cap */
    /* Retry-After wins when longer, capped at 10 minutes */
    ASSERT_DBL_EQ(omx__push_backoff(1, 0.5, 30, 0.5, 7), 7);
    ASSERT_DBL_EQ(omx__push_backoff(7, 0.5, 30, 0.5, 7), 30);
    ASSERT_DBL_EQ(omx__push_backoff(1, 0.5, 30, 0.5, 1e9), 600);

    ASSERT_DBL_EQ(omx__push_parse_retry_after(" 120\r\n", 0), 120);
    ASSERT_DBL_EQ(omx__push_parse_retry_after("1.5", 0), 1.5);
    ASSERT_DBL_EQ(omx__push_parse_retry_after("12x", 0), 0);
    ASSERT_DBL_EQ(omx__push_parse_retry_after("", 0), 0);
    ASSERT_DBL_EQ(omx__push_parse_retry_after(NULL, 0), 0);
    ASSERT_DBL_EQ(omx__push_parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", 784111767), 10);
    ASSERT_DBL_EQ(omx__push_parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", 784111787), 0);
    ASSERT_DBL_EQ(omx__push_parse_retry_after("garbage", 0), 0);
}

static void gateway_tests(void) {
    omx_buf b;
    omx_buf_init(&b, 4096);
    omx_gateway_opts o = {.url = "http://gw:9091/", .job = "backup"};
    ASSERT_OK(omx__push_gateway_path(&b, &o));
    ASSERT_STR_EQ(b.data, "http://gw:9091/metrics/job/backup");
    static const char *const n[] = {"path", "host", "empty"}, *const v[] = {"/var/tmp", "a b", ""};
    o = (omx_gateway_opts){
        .url = "http://gw:9091", .job = "a/b", .label_names = n, .label_values = v, .n_labels = 3};
    omx_buf_reset(&b);
    ASSERT_OK(omx__push_gateway_path(&b, &o));
    ASSERT_STR_EQ(b.data, "http://gw:9091/metrics/job@base64/YS9i/path@base64/L3Zhci90bXA=/host/"
                          "a%20b/empty@base64/=");
    static const char *const bad[] = {"0bad"};
    o.label_names = bad;
    o.n_labels = 1;
    omx_buf_reset(&b);
    ASSERT_EQ(omx__push_gateway_path(&b, &o), OMX_EINVAL);
    omx_buf_free(&b);
}

int main(void) {
    queue_tests();
    backoff_tests();
    gateway_tests();
    TEST_DONE();
}
