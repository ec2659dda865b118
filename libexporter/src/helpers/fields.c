/* Splitting lines into blank-separated fields and joining name parts. */
#include <string.h>

#include "exporter/text.h"

/* Byte classes for the split: one table load a byte instead of four compares. */
enum { C_TEXT, C_BLANK, C_END }; /* C_END: NUL and newline */
static const unsigned char split_class[256] = {
    [0] = C_END, ['\n'] = C_END, [' '] = C_BLANK, ['\t'] = C_BLANK};

size_t omx_split_fields(char *s, char **fields, size_t max) {
    size_t n = 0;
    while (*s && n < max) {
        if (split_class[(unsigned char)s[0]] == C_BLANK &&
            split_class[(unsigned char)s[1]] == C_BLANK)
            s += strspn(s, " \t"); /* column padding (snmp6, diskstats): SSE */
        while (split_class[(unsigned char)*s] == C_BLANK)
            s++;
        if (split_class[(unsigned char)*s] == C_END)
            break;
        fields[n++] = s;
        while (split_class[(unsigned char)*s] == C_TEXT)
            s++;
        if (*s)
            *s++ = '\0';
    }
    return n;
}

size_t omx_join(char *buf, size_t size, const char *const *parts, size_t n) {
    if (size == 0)
        return 0;
    size_t len = 0;
    for (size_t i = 0; i < n; i++) {
        if (!parts[i])
            continue;
        size_t l = strlen(parts[i]);
        if (l >= size - len) {
            buf[0] = '\0';
            return 0;
        }
        memcpy(buf + len, parts[i], l);
        len += l;
    }
    buf[len] = '\0';
    return len;
}
