/* RE2-syntax regular expressions on PCRE2 with JIT (see exporter/regex.h). */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exporter/error.h"
#include "exporter/regex.h"
#include "regex-internal.h"

#define DEFAULT_MATCH_LIMIT 1000000u
#define DEPTH_LIMIT 10000u

struct omx_regex {
    pcre2_code *code;
    pcre2_match_context *mctx;
    size_t n_groups;
    bool jit;     /* JIT-compiled: matched through pcre2_jit_match, skipping its checks */
    char **names; /* n_groups + 1 entries, names[i] NULL for unnamed group i */
};

/* Match data per thread (grown to the largest group count seen): matching needs
 * no lock, and a regex shared by scrape threads needs no per-regex state. */
static pthread_key_t md_key;
static pthread_once_t md_once = PTHREAD_ONCE_INIT;
static bool md_key_ok;

static void md_free(void *md) { pcre2_match_data_free(md); }

static void md_key_init(void) { md_key_ok = pthread_key_create(&md_key, md_free) == 0; }

static pcre2_match_data *thread_md(size_t pairs) {
    pthread_once(&md_once, md_key_init);
    if (!md_key_ok)
        return NULL;
    pcre2_match_data *md = pthread_getspecific(md_key);
    if (md && pcre2_get_ovector_count(md) >= pairs)
        return md;
    pcre2_match_data *nmd = pcre2_match_data_create((uint32_t)(pairs < 16 ? 16 : pairs), NULL);
    if (!nmd)
        return NULL;
    if (pthread_setspecific(md_key, nmd) != 0) {
        pcre2_match_data_free(nmd);
        return NULL;
    }
    pcre2_match_data_free(md);
    return nmd;
}

omx_regex *omx_regex_free(omx_regex *re) {
    if (!re)
        return NULL;
    for (size_t i = 0; re->names && i <= re->n_groups; i++)
        free(re->names[i]);
    free(re->names);
    pcre2_match_context_free(re->mctx);
    pcre2_code_free(re->code);
    free(re);
    return NULL;
}

static int set_err(char *err, size_t errlen, const char *fmt, const char *a, size_t off) {
    if (err && errlen)
        snprintf(err, errlen, fmt, a, off);
    return OMX_EINVAL;
}

/* Copies the name table: group number -> name. */
static int load_names(omx_regex *re) {
    uint32_t count = 0, entry = 0, groups = 0;
    PCRE2_SPTR table;
    pcre2_pattern_info(re->code, PCRE2_INFO_CAPTURECOUNT, &groups);
    re->n_groups = groups;
    if (!(re->names = calloc(groups + 1u, sizeof *re->names)))
        return OMX_ENOMEM;
    pcre2_pattern_info(re->code, PCRE2_INFO_NAMECOUNT, &count);
    pcre2_pattern_info(re->code, PCRE2_INFO_NAMEENTRYSIZE, &entry);
    pcre2_pattern_info(re->code, PCRE2_INFO_NAMETABLE, &table);
    for (uint32_t k = 0; k < count; k++) {
        const unsigned char *e = table + (size_t)k * entry;
        size_t n = ((size_t)e[0] << 8) | e[1];
        if (n <= groups && !re->names[n] && !(re->names[n] = strdup((const char *)e + 2)))
            return OMX_ENOMEM;
    }
    return 0;
}

int omx_regex_new(const char *pattern, unsigned flags, omx_regex **ret, char *err, size_t errlen) {
    if (err && errlen)
        err[0] = '\0';
    if (!pattern || !ret)
        return set_err(err, errlen, "%s%zu", "no pattern", 0);
    *ret = NULL;
    int rc = omx__regex_check_re2(pattern, err, errlen);
    if (rc < 0)
        return rc;
    omx_regex *re = calloc(1, sizeof *re);
    pcre2_compile_context *cctx = pcre2_compile_context_create(NULL);
    if (!re || !cctx) {
        free(re);
        pcre2_compile_context_free(cctx);
        return OMX_ENOMEM;
    }
    /* Go's semantics: "." and "$" know only \n, "$" is the very end without (?m) */
    pcre2_set_newline(cctx, PCRE2_NEWLINE_LF);
    uint32_t opts =
        PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | PCRE2_DOLLAR_ENDONLY | PCRE2_NEVER_BACKSLASH_C;
    if (flags & OMX_REGEX_ANCHORED)
        opts |= PCRE2_ANCHORED | PCRE2_ENDANCHORED;
    if (flags & OMX_REGEX_CASELESS)
        opts |= PCRE2_CASELESS;
    int code;
    PCRE2_SIZE off;
    re->code = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, opts, &code, &off, cctx);
    pcre2_compile_context_free(cctx);
    if (!re->code) {
        char msg[256];
        pcre2_get_error_message(code, (PCRE2_UCHAR *)msg, sizeof msg);
        omx_regex_free(re);
        return set_err(err, errlen, "%s at offset %zu", msg, (size_t)off);
    }
    /* no JIT (e.g. W^X policy) only costs speed: the interpreter obeys the same limits */
    re->jit = pcre2_jit_compile(re->code, PCRE2_JIT_COMPLETE) == 0;
    if (!(re->mctx = pcre2_match_context_create(NULL)) || (rc = load_names(re)) < 0) {
        omx_regex_free(re);
        return OMX_ENOMEM;
    }
    pcre2_set_match_limit(re->mctx, DEFAULT_MATCH_LIMIT);
    pcre2_set_depth_limit(re->mctx, DEPTH_LIMIT);
    *ret = re;
    return 0;
}

void omx_regex_set_match_limit(omx_regex *re, uint32_t limit) {
    if (re)
        pcre2_set_match_limit(re->mctx, limit ? limit : 1);
}

int omx_regex_exec(const omx_regex *re, const char *s, size_t len, omx_regex_span *spans,
                   size_t n_spans) {
    if (!re || (!s && len))
        return OMX_EINVAL;
    pcre2_match_data *md = thread_md(re->n_groups + 1);
    if (!md)
        return OMX_ENOMEM;
    /* the same result either way (PCRE2_MATCH_INVALID_UTF needs no UTF check);
     * the JIT entry only skips the option checks of every call */
    int r = re->jit ? pcre2_jit_match(re->code, (PCRE2_SPTR)(s ? s : ""), len, 0, 0, md, re->mctx)
                    : pcre2_match(re->code, (PCRE2_SPTR)(s ? s : ""), len, 0, 0, md, re->mctx);
    for (size_t i = 0; i < n_spans; i++)
        spans[i].start = spans[i].end = OMX_REGEX_UNSET;
    if (r == PCRE2_ERROR_NOMATCH)
        return 0;
    if (r == PCRE2_ERROR_MATCHLIMIT || r == PCRE2_ERROR_DEPTHLIMIT || r == PCRE2_ERROR_HEAPLIMIT ||
        r == PCRE2_ERROR_JIT_STACKLIMIT)
        return OMX_ELIMIT;
    if (r == PCRE2_ERROR_NOMEMORY)
        return OMX_ENOMEM;
    if (r < 0)
        return OMX_EINVAL;
    const PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
    size_t n = re->n_groups + 1 < n_spans ? re->n_groups + 1 : n_spans;
    for (size_t i = 0; i < n; i++)
        if (ov[2 * i] != PCRE2_UNSET) {
            spans[i].start = ov[2 * i];
            spans[i].end = ov[2 * i + 1];
        }
    return 1;
}

int omx_regex_match(const omx_regex *re, const char *s, size_t len) {
    return omx_regex_exec(re, s, len, NULL, 0);
}

size_t omx_regex_groups(const omx_regex *re) { return re ? re->n_groups : 0; }

const char *omx_regex_group_name(const omx_regex *re, size_t i) {
    return re && i >= 1 && i <= re->n_groups ? re->names[i] : NULL;
}

int omx_regex_group_index(const omx_regex *re, const char *name) {
    for (size_t i = 1; re && name && i <= re->n_groups; i++)
        if (re->names[i] && !strcmp(re->names[i], name))
            return (int)i;
    return OMX_ENOENT;
}
