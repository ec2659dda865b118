/* Metric/label name rules, UTF-8 checks and label value escaping. */
#include <stdint.h>
#include <string.h>

#include "internal.h"

static bool is_alpha_(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

/* Name byte classes, one table load a byte: where a byte may stand in a
 * metric name ([a-zA-Z_:][a-zA-Z0-9_:]*) and a label name ([a-zA-Z_][a-zA-Z0-9_]*). */
enum { M_FIRST = 1, M_REST = 2, L_FIRST = 4, L_REST = 8 };
static const unsigned char name_class[256] = {
    ['a' ... 'z'] = M_FIRST | M_REST | L_FIRST | L_REST,
    ['A' ... 'Z'] = M_FIRST | M_REST | L_FIRST | L_REST,
    ['_'] = M_FIRST | M_REST | L_FIRST | L_REST,
    ['0' ... '9'] = M_REST | L_REST,
    [':'] = M_FIRST | M_REST,
};

bool omx_metric_name_valid(const char *name) {
    if (!name || !(name_class[(unsigned char)name[0]] & M_FIRST))
        return false;
    const unsigned char *p = (const unsigned char *)name + 1;
    while (name_class[*p] & M_REST)
        p++;
    return *p == '\0';
}

bool omx_label_name_valid(const char *name) {
    if (!name || !(name_class[(unsigned char)name[0]] & L_FIRST))
        return false;
    if (name[0] == '_' && name[1] == '_') /* reserved for Prometheus */
        return false;
    const unsigned char *p = (const unsigned char *)name + 1;
    while (name_class[*p] & L_REST)
        p++;
    return *p == '\0';
}

bool omx__unit_valid(const char *unit) {
    if (!unit || !*unit)
        return false;
    for (const char *p = unit; *p; p++)
        if (!is_alpha_(*p) && !is_digit(*p) && *p != ':')
            return false;
    return true;
}

bool omx__ends_with(const char *s, size_t len, const char *suffix) {
    size_t n = strlen(suffix);
    return len >= n && memcmp(s + len - n, suffix, n) == 0;
}

bool omx__utf8_valid(const char *str, size_t len) {
    const unsigned char *s = (const unsigned char *)str, *end = s + len;
    while (s < end) {
        /* ASCII (nearly every HELP text and label value) 8 bytes at a time */
        while (end - s >= 8) {
            uint64_t w;
            memcpy(&w, s, 8);
            if (w & 0x8080808080808080ull)
                break;
            s += 8;
        }
        if (s == end)
            break;
        unsigned c = *s;
        if (c < 0x80) {
            s++;
            continue;
        }
        size_t n;
        unsigned cp;
        if (c >= 0xc2 && c <= 0xdf) {
            n = 1;
            cp = c & 0x1f;
        } else if (c >= 0xe0 && c <= 0xef) {
            n = 2;
            cp = c & 0x0f;
        } else if (c >= 0xf0 && c <= 0xf4) {
            n = 3;
            cp = c & 0x07;
        } else {
            return false;
        }
        if ((size_t)(end - s) <= n)
            return false;
        for (size_t i = 1; i <= n; i++) {
            if ((s[i] & 0xc0) != 0x80)
                return false;
            cp = (cp << 6) | (s[i] & 0x3f);
        }
        if ((n == 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
            (n == 3 && (cp < 0x10000 || cp > 0x10ffff)))
            return false;
        s += n + 1;
    }
    return true;
}

size_t omx__utf8_chars(const char *s) {
    size_t n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xc0) != 0x80)
            n++;
    return n;
}

int omx__escape_label(omx_buf *b, const char *s) {
    const char *run = s;
    int r = 0;
    for (; *s; s++) {
        const char *esc = NULL;
        if (*s == '\\')
            esc = "\\\\";
        else if (*s == '"')
            esc = "\\\"";
        else if (*s == '\n')
            esc = "\\n";
        if (!esc)
            continue;
        if ((r = omx_buf_append(b, run, (size_t)(s - run))) < 0 ||
            (r = omx_buf_append(b, esc, 2)) < 0)
            return r;
        run = s + 1;
    }
    return omx_buf_append(b, run, (size_t)(s - run));
}

static const char *const hist_reserved[] = {"_bucket", "_count", "_sum",   "_created",
                                            "_gcount", "_gsum",  "_total", NULL};

int omx__check_desc(omx_type t, const char *name, const char *unit, const char *const *label_names,
                    size_t n_labels, size_t *base_len) {
    if (!name || (unsigned)t > OMX_UNKNOWN)
        return OMX_EINVAL;
    if (!omx_metric_name_valid(name))
        return OMX_ENAME;
    size_t len = strlen(name);
    if (t == OMX_COUNTER && omx__ends_with(name, len, "_total"))
        len -= 6;
    else if (t == OMX_INFO && omx__ends_with(name, len, "_info"))
        len -= 5;
    if (len == 0)
        return OMX_ENAME;
    /* Names whose samples would collide with another type's suffixed samples. */
    if (t == OMX_COUNTER &&
        (omx__ends_with(name, len, "_total") || omx__ends_with(name, len, "_created")))
        return OMX_ENAME;
    if (t == OMX_INFO && omx__ends_with(name, len, "_info"))
        return OMX_ENAME;
    if (t == OMX_HISTOGRAM || t == OMX_GAUGEHISTOGRAM || t == OMX_SUMMARY)
        for (size_t i = 0; hist_reserved[i]; i++)
            if (omx__ends_with(name, len, hist_reserved[i]))
                return OMX_ENAME;
    if (unit && *unit) {
        if (!omx__unit_valid(unit) || t == OMX_INFO || t == OMX_STATESET)
            return OMX_EUNIT;
        size_t ul = strlen(unit);
        if (len < ul + 1 || name[len - ul - 1] != '_' || memcmp(name + len - ul, unit, ul) != 0)
            return OMX_EUNIT;
    }
    if (n_labels > OMX__MAX_LABELS)
        return OMX_ELABEL;
    if (n_labels && !label_names)
        return OMX_EINVAL;
    for (size_t i = 0; i < n_labels; i++) {
        const char *l = label_names[i];
        if (!l)
            return OMX_EINVAL;
        if (!omx_label_name_valid(l))
            return OMX_ELABEL;
        if ((t == OMX_HISTOGRAM || t == OMX_GAUGEHISTOGRAM) && strcmp(l, "le") == 0)
            return OMX_ELABEL;
        if (t == OMX_SUMMARY && strcmp(l, "quantile") == 0)
            return OMX_ELABEL;
        if (t == OMX_STATESET && strlen(l) == len && memcmp(l, name, len) == 0)
            return OMX_ELABEL;
        for (size_t j = 0; j < i; j++)
            if (strcmp(l, label_names[j]) == 0)
                return OMX_ELABEL;
    }
    if (base_len)
        *base_len = len;
    return 0;
}
