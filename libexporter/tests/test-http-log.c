/* Log line formatting: logfmt quoting/escaping, JSON escaping, level/format parsing. */
#include "exporter/error.h"
#include "log-internal.h"
#include "test-http-assert.h"

static const char *fmt(omx_log_format f, omx_log_level l, const char *msg,
                       const char *const *kv, size_t n)
{
    static char buf[1024];
    omx__log_format_line(buf, sizeof buf, f, l, "2026-11-23T10:00:00.123Z", msg, kv, n);
    return buf;
}

int main(void)
{
    omx_log_level lv;
    omx_log_format lf;
    CHECK(omx_log_parse_level("debug", &lv) == 0 && lv == OMX_LOG_DEBUG);
    CHECK(omx_log_parse_level("warn", &lv) == 0 && lv == OMX_LOG_WARN);
    CHECK(omx_log_parse_level("error", &lv) == 0 && lv == OMX_LOG_ERROR);
    CHECK(omx_log_parse_level("WARN", &lv) == OMX_EINVAL);
    CHECK(omx_log_parse_level(NULL, &lv) == OMX_EINVAL);
    CHECK(omx_log_parse_format("json", &lf) == 0 && lf == OMX_LOG_JSON);
    CHECK(omx_log_parse_format("logfmt", &lf) == 0 && lf == OMX_LOG_LOGFMT);
    CHECK(omx_log_parse_format("text", &lf) == OMX_EINVAL);

    CHECK_STR(fmt(OMX_LOG_LOGFMT, OMX_LOG_INFO, "Listening on",
                  (const char *const[]){ "address", "[::]:9100" }, 2),
              "ts=2026-11-23T10:00:00.123Z level=info msg=\"Listening on\" address=[::]:9100");
    CHECK_STR(fmt(OMX_LOG_LOGFMT, OMX_LOG_ERROR, "x",
                  (const char *const[]){ "a", "has space", "b", "q\"uote", "c", "k=v", "d", "",
                                         "e", "back\\slash", "f", "line\nbreak", "g", "\x01" },
                  14),
              "ts=2026-11-23T10:00:00.123Z level=error msg=x a=\"has space\" b=\"q\\\"uote\" "
              "c=\"k=v\" d=\"\" e=\"back\\\\slash\" f=\"line\\nbreak\" g=\"\\u0001\"");
    /* A key with odd characters cannot break the line structure. */
    CHECK_STR(fmt(OMX_LOG_LOGFMT, OMX_LOG_DEBUG, "m", (const char *const[]){ "bad key=", "v" }, 2),
              "ts=2026-11-23T10:00:00.123Z level=debug msg=m bad_key_=v");
    /* An odd count gives the last key an empty value. */
    CHECK_STR(fmt(OMX_LOG_LOGFMT, OMX_LOG_WARN, "m", (const char *const[]){ "k" }, 1),
              "ts=2026-11-23T10:00:00.123Z level=warn msg=m k=\"\"");
    CHECK_STR(fmt(OMX_LOG_JSON, OMX_LOG_WARN, "say \"hi\"",
                  (const char *const[]){ "file", "/a b", "err", "tab\there" }, 4),
              "{\"ts\":\"2026-11-23T10:00:00.123Z\",\"level\":\"warn\",\"msg\":\"say \\\"hi\\\"\","
              "\"file\":\"/a b\",\"err\":\"tab\\there\"}");
    /* UTF-8 passes through untouched. */
    CHECK_STR(fmt(OMX_LOG_LOGFMT, OMX_LOG_INFO, "m", (const char *const[]){ "k", "h\xc3\xa9" }, 2),
              "ts=2026-11-23T10:00:00.123Z level=info msg=m k=h\xc3\xa9");

    /* Truncation keeps the buffer NUL-terminated and within bounds. */
    char small[16];
    size_t n = omx__log_format_line(small, sizeof small, OMX_LOG_LOGFMT, OMX_LOG_INFO,
                                    "2026-11-23T10:00:00.123Z", "long message", NULL, 0);
    CHECK(n == sizeof small - 1 && small[n] == '\0');

    char ts[32];
    omx__log_timestamp(ts);
    CHECK(strlen(ts) == 24 && ts[10] == 'T' && ts[19] == '.' && ts[23] == 'Z');

    /* JOURNAL_STREAM must match stderr's dev:inode. */
    setenv("JOURNAL_STREAM", "1:2", 1);
    CHECK(!omx__log_stderr_is_journal());
    unsetenv("JOURNAL_STREAM");
    CHECK(!omx__log_stderr_is_journal());
    TEST_DONE();
}
