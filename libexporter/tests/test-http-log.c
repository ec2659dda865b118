/* Log line formatting: logfmt quoting/escaping, JSON escaping, level/format parsing. */
#include "exporter/error.h"
#include "log-internal.h"
#include "omx-test.h"

static const char *fmt(omx_log_format f, omx_log_level l, const char *msg, const char *const *kv,
                       size_t n) {
    static char buf[1024];
    omx__log_format_line(buf, sizeof buf, f, l, "2026-11-23T10:00:00.123Z", msg, kv, n);
    return buf;
}

int main(void) {
    omx_log_level lv;
    omx_log_format lf;
    ASSERT(omx_log_parse_level("debug", &lv) == 0 && lv == OMX_LOG_DEBUG);
    ASSERT(omx_log_parse_level("warn", &lv) == 0 && lv == OMX_LOG_WARN);
    ASSERT(omx_log_parse_level("error", &lv) == 0 && lv == OMX_LOG_ERROR);
    ASSERT(omx_log_parse_level("WARN", &lv) == OMX_EINVAL);
    ASSERT(omx_log_parse_level(NULL, &lv) == OMX_EINVAL);
    ASSERT(omx_log_parse_format("json", &lf) == 0 && lf == OMX_LOG_JSON);
    ASSERT(omx_log_parse_format("logfmt", &lf) == 0 && lf == OMX_LOG_LOGFMT);
    ASSERT(omx_log_parse_format("text", &lf) == OMX_EINVAL);

    ASSERT_STR_EQ(fmt(OMX_LOG_LOGFMT, OMX_LOG_INFO, "Listening on",
                      (const char *const[]){"address", "[::]:9100"}, 2),
                  "ts=2026-11-23T10:00:00.123Z level=info msg=\"Listening on\" address=[::]:9100");
    ASSERT_STR_EQ(fmt(OMX_LOG_LOGFMT, OMX_LOG_ERROR, "x",
                      (const char *const[]){"a", "has space", "b", "q\"uote", "c", "k=v", "d", "",
                                            "e", "back\\slash", "f", "line\nbreak", "g", "\x01"},
                      14),
                  "ts=2026-11-23T10:00:00.123Z level=error msg=x a=\"has space\" b=\"q\\\"uote\" "
                  "c=\"k=v\" d=\"\" e=\"back\\\\slash\" f=\"line\\nbreak\" g=\"\\u0001\"");
    /* A key with odd characters cannot break the line structure. */
    ASSERT_STR_EQ(
        fmt(OMX_LOG_LOGFMT, OMX_LOG_DEBUG, "m", (const char *const[]){"bad key=", "v"}, 2),
        "ts=2026-11-23T10:00:00.123Z level=debug msg=m bad_key_=v");
    /* An odd count gives the last key an empty value. */
    ASSERT_STR_EQ(fmt(OMX_LOG_LOGFMT, OMX_LOG_WARN, "m", (const char *const[]){"k"}, 1),
                  "ts=2026-11-23T10:00:00.123Z level=warn msg=m k=\"\"");
    ASSERT_STR_EQ(
        fmt(OMX_LOG_JSON, OMX_LOG_WARN, "say \"hi\"",
            (const char *const[]){"file", "/a b", "err", "tab\there"}, 4),
        "{\"ts\":\"2026-11-23T10:00:00.123Z\",\"level\":\"warn\",\"msg\":\"say \\\"hi\\\"\","
        "\"file\":\"/a b\",\"err\":\"tab\\there\"}");
    /* UTF-8 passes through untouched. */
    ASSERT_STR_EQ(
        fmt(OMX_LOG_LOGFMT, OMX_LOG_INFO, "m", (const char *const[]){"k", "h\xc3\xa9"}, 2),
        "ts=2026-11-23T10:00:00.123Z level=info msg=m k=h\xc3\xa9");

    /* Truncation keeps the buffer NUL-terminated and within bounds. */
    char small[16];
    size_t n = omx__log_format_line(small, sizeof small, OMX_LOG_LOGFMT, OMX_LOG_INFO,
                                    "2026-11-23T10:00:00.123Z", "long message", NULL, 0);
    ASSERT(n == sizeof small - 1 && small[n] == '\0');

    /* The pair writer alone: a space before all but the first pair, NULL as
     * empty, and a full buffer stays terminated. */
    char pairs[40];
    size_t pl = omx_logfmt_append(pairs, sizeof pairs, 0, "module", "http_2xx");
    pl = omx_logfmt_append(pairs, sizeof pairs, pl, "target", "a b");
    pl = omx_logfmt_append(pairs, sizeof pairs, pl, "x", NULL);
    ASSERT_STR_EQ(pairs, "module=http_2xx target=\"a b\" x=\"\"");
    ASSERT_EQ(pl, strlen(pairs));
    pl = omx_logfmt_append(pairs, sizeof pairs, pl, "more", "0123456789");
    ASSERT(pl == sizeof pairs - 1 && pairs[pl] == '\0');
    ASSERT_EQ(omx_logfmt_append(pairs, 0, 0, "k", "v"), 0);

    char ts[32];
    omx_log_timestamp(ts);
    ASSERT(strlen(ts) == 24 && ts[10] == 'T' && ts[19] == '.' && ts[23] == 'Z');

    /* JOURNAL_STREAM must match stderr's dev:inode. */
    setenv("JOURNAL_STREAM", "1:2", 1);
    ASSERT(!omx__log_stderr_is_journal());
    unsetenv("JOURNAL_STREAM");
    ASSERT(!omx__log_stderr_is_journal());
    TEST_DONE();
}
