/* IPv6 addresses as text the way Go's net.IP.String() writes them. */
#include <errno.h>
#include <stdio.h>

#include "exporter/text.h"

int omx_format_ip6(char *buf, size_t size, const unsigned char ip[16]) {
    if (!buf || size < OMX_IP6_TEXT_MAX || !ip)
        return -EINVAL;
    /* the first longest run of two or more zero groups becomes "::" */
    int e0 = -1, e1 = -1;
    for (int i = 0; i < 16; i += 2) {
        int j = i;
        while (j < 16 && ip[j] == 0 && ip[j + 1] == 0)
            j += 2;
        if (j > i && j - i > e1 - e0) {
            e0 = i;
            e1 = j;
            i = j;
        }
    }
    if (e1 - e0 <= 2)
        e0 = e1 = -1;
    size_t o = 0;
    for (int i = 0; i < 16; i += 2) {
        if (i == e0) {
            buf[o++] = ':';
            buf[o++] = ':';
            i = e1;
            if (i >= 16)
                break;
        } else if (i > 0) {
            buf[o++] = ':';
        }
        o += (size_t)snprintf(buf + o, size - o, "%x", (unsigned)(ip[i] << 8 | ip[i + 1]));
    }
    buf[o] = '\0';
    return (int)o;
}
