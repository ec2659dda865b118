/* Splitting lines into blank-separated fields and joining name parts. */
#include <string.h>

#include "exporter/text.h"

size_t omx_split_fields(char *s, char **fields, size_t max) {
    size_t n = 0;
    while (*s && n < max) {
        if ((s[0] == ' ' || s[0] == '\t') && (s[1] == ' ' || s[1] == '\t'))
            s += strspn(s, " \t"); /* column padding (snmp6, diskstats): SSE */
        while (*s == ' ' || *s == '\t')
            s++;
        if (!*s || *s == '\n')
            break;
        fields[n++] = s;
        while (*s && *s != ' ' && *s != '\t' && *s != '\n')
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
