/* omx-node: filter flags on libexporter's RE2-syntax regexes. */
#include "pattern.h"

#include <string.h>

#include <exporter/app.h>

int node_regex_compile(node_regex *r, const char *flag, const char *pattern) {
    r->re = NULL;
    r->set = false;
    if (!pattern || !*pattern)
        return 0;
    char err[256];
    int rc = omx_regex_new(pattern, 0, &r->re, err, sizeof err);
    if (rc == OMX_ENOMEM)
        return rc;
    if (rc < 0) {
        omx_log(OMX_LOG_ERROR, "invalid regular expression", "flag", flag, "regex", pattern,
                "err", err, NULL);
        return OMX_ECONFIG;
    }
    r->set = true;
    return 0;
}

bool node_regex_match(const node_regex *r, const char *s) {
    /* names are short: JIT matching costs less than a memo lookup would (bench/helpers.sh) */
    return r->set && omx_regex_match(r->re, s, strlen(s)) == 1;
}

void node_regex_free(node_regex *r) {
    r->re = omx_regex_free(r->re);
    r->set = false;
}
