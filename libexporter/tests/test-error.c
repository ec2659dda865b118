/* omx_strerror and the one error space: OMX_ codes are errno aliases or lie
 * outside the errno range, and every code has its own text. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "exporter/error.h"
#include "omx-test.h"

typedef struct {
    int code;
    const char *name;
    int err_no;       /* the errno it aliases, 0 for the library's own codes */
    const char *text; /* expected text of an own code */
} code_case;

static const code_case codes[] = {
    {OMX_EINVAL, "OMX_EINVAL", EINVAL, NULL},
    {OMX_ENOMEM, "OMX_ENOMEM", ENOMEM, NULL},
    {OMX_EIO, "OMX_EIO", EIO, NULL},
    {OMX_ENOENT, "OMX_ENOENT", ENOENT, NULL},
    {OMX_EEXIST, "OMX_EEXIST", EEXIST, NULL},
    {OMX_ETIMEOUT, "OMX_ETIMEOUT", ETIMEDOUT, NULL},
    {OMX_ENAME, "OMX_ENAME", 0, "invalid metric name"},
    {OMX_ELABEL, "OMX_ELABEL", 0, "invalid, reserved or duplicate label name"},
    {OMX_EUNIT, "OMX_EUNIT", 0, "metric name does not end with its unit"},
    {OMX_ELIMIT, "OMX_ELIMIT", 0, "limit reached"},
    {OMX_ETYPE, "OMX_ETYPE", 0, "operation not valid for this metric type"},
    {OMX_EVALUE, "OMX_EVALUE", 0, "invalid value"},
    {OMX_ESTATE, "OMX_ESTATE", 0, "call not valid in the current state"},
    {OMX_ECONFIG, "OMX_ECONFIG", 0, "bad configuration"},
};
#define N_CODES (sizeof codes / sizeof codes[0])

static void test_codes(void) {
    static char texts[N_CODES][128]; /* copies: a text may live in a per-thread buffer */
    size_t own = 0;
    for (size_t i = 0; i < N_CODES; i++) {
        const code_case *c = &codes[i];
        const char *s = omx_strerror(c->code);
        fprintf(stderr, "%-12s %6d  %s\n", c->name, c->code, s);
        ASSERT(s != NULL && s[0] != '\0');
        ASSERT(strncmp(s, "unknown error", 13) != 0);
        if (c->err_no) {
            /* an alias is the errno itself and reads as strerror() does */
            ASSERT_EQ(c->code, -c->err_no);
            ASSERT_STR_EQ(s, strerror(c->err_no));
        } else {
            ASSERT(c->code < -OMX_ERRNO_MAX);
            ASSERT(c->code <= OMX_ERR_OWN_FIRST && c->code >= OMX_ERR_OWN_LAST);
            ASSERT_STR_EQ(s, c->text);
            own++;
        }
        snprintf(texts[i], sizeof texts[i], "%s", s);
        for (size_t j = 0; j < i; j++) {
            ASSERT(codes[j].code != c->code);
            ASSERT(strcmp(texts[j], texts[i]) != 0);
        }
    }
    /* the table above holds every own code: a new one must be added to it */
    ASSERT_EQ(own, OMX_ERR_OWN_FIRST - OMX_ERR_OWN_LAST + 1);
    ASSERT(OMX_ERR_OWN_FIRST < -OMX_ERRNO_MAX);
    ASSERT_STR_EQ(omx_strerror(OMX_OK), "success");
}

static void test_errno(void) {
    ASSERT_STR_EQ(omx_strerror(-ENOENT), strerror(ENOENT));
    ASSERT_STR_EQ(omx_strerror(-ECONNREFUSED), strerror(ECONNREFUSED));
    ASSERT_STR_EQ(omx_strerror(-ENOMEM), strerror(ENOMEM));
    ASSERT_STR_EQ(omx_strerror(-EAGAIN), strerror(EAGAIN));
    /* the clash this space removes: an errno never reads as a library condition */
    char enoent[128], enomem[128];
    snprintf(enoent, sizeof enoent, "%s", omx_strerror(-ENOENT));
    snprintf(enomem, sizeof enomem, "%s", omx_strerror(-ENOMEM));
    for (size_t i = 0; i < N_CODES; i++)
        if (!codes[i].err_no) {
            ASSERT(strcmp(enoent, omx_strerror(codes[i].code)) != 0);
            ASSERT(strcmp(enomem, omx_strerror(codes[i].code)) != 0);
        }
}

static void test_unknown(void) {
    ASSERT_STR_EQ(omx_strerror(1), "unknown error 1");
    ASSERT_STR_EQ(omx_strerror(12345), "unknown error 12345");
    ASSERT_STR_EQ(omx_strerror(-OMX_ERRNO_MAX - 1), "unknown error -4096");
    ASSERT_STR_EQ(omx_strerror(OMX_ERR_OWN_LAST - 1), "unknown error -4105");
    ASSERT_STR_EQ(omx_strerror(-2147483647 - 1), "unknown error -2147483648");
    ASSERT_STR_EQ(omx_strerror(-4000), "unknown error -4000"); /* no such errno */
}

/* Unknown codes are formatted in a per-thread buffer: two threads never see
 * each other's text. */
typedef struct {
    int code;
    int bad;
} worker;

static void *work(void *arg) {
    worker *w = arg;
    char want[32];
    snprintf(want, sizeof want, "unknown error %d", w->code);
    for (int i = 0; i < 20000; i++)
        if (strcmp(omx_strerror(w->code), want) != 0 ||
            strcmp(omx_strerror(-ECONNREFUSED), "Connection refused") != 0)
            w->bad++;
    return NULL;
}

static void test_threads(void) {
    worker w[2] = {{.code = 7001}, {.code = 7002}};
    pthread_t t[2];
    for (int i = 0; i < 2; i++)
        ASSERT_OK(pthread_create(&t[i], NULL, work, &w[i]));
    for (int i = 0; i < 2; i++) {
        ASSERT_OK(pthread_join(t[i], NULL));
        ASSERT_EQ(w[i].bad, 0);
    }
}

int main(void) {
    test_codes();
    test_errno();
    test_unknown();
    test_threads();
    TEST_DONE();
}
