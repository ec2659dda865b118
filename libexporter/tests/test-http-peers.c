/* Per-address connection counts: the limit per address, IPv4 and its mapped
 * IPv6 form as one address, entries freed when the count drops to 0. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "http-peers.h"
#include "omx-test.h"

static struct sockaddr_in v4(const char *ip) {
    struct sockaddr_in s = {.sin_family = AF_INET, .sin_port = htons(1234)};
    inet_pton(AF_INET, ip, &s.sin_addr);
    return s;
}

static struct sockaddr_in6 v6(const char *ip) {
    struct sockaddr_in6 s = {.sin6_family = AF_INET6, .sin6_port = htons(99)};
    inet_pton(AF_INET6, ip, &s.sin6_addr);
    return s;
}

#define SA(x) ((const struct sockaddr *)&(x)), (socklen_t)sizeof(x)

int main(void) {
    omx__peers *p = omx__peers_new();
    ASSERT(p != NULL);
    struct sockaddr_in a = v4("10.0.0.1"), b = v4("10.0.0.2");
    struct sockaddr_in6 am = v6("::ffff:10.0.0.1"), c = v6("2001:db8::1");
    omx__peer *e[4];

    for (int i = 0; i < 3; i++) {
        e[i] = omx__peers_add(p, SA(a), 3);
        ASSERT(e[i] != NULL);
    }
    ASSERT(omx__peers_add(p, SA(a), 3) == NULL);  /* at the limit */
    ASSERT(omx__peers_add(p, SA(am), 3) == NULL); /* same address, mapped */
    ASSERT(omx__peers_count(p, SA(a)) == 3);
    ASSERT(omx__peers_count(p, SA(am)) == 3);
    ASSERT(omx__peers_add(p, SA(b), 3) != NULL); /* another address is apart */
    ASSERT(omx__peers_add(p, SA(c), 1) != NULL);
    ASSERT(omx__peers_add(p, SA(c), 1) == NULL);
    ASSERT(omx__peers_count(p, SA(b)) == 1);

    omx__peers_del(p, e[0]);
    ASSERT(omx__peers_count(p, SA(a)) == 2);
    e[3] = omx__peers_add(p, SA(am), 3);
    ASSERT(e[3] == e[1]); /* one entry per address */
    omx__peers_del(p, e[1]);
    omx__peers_del(p, e[2]);
    omx__peers_del(p, e[3]);
    ASSERT(omx__peers_count(p, SA(a)) == 0);
    ASSERT(omx__peers_add(p, SA(a), 0) == NULL); /* limit 0 admits nothing */

    struct sockaddr un = {.sa_family = AF_UNIX};
    ASSERT(omx__peers_add(p, &un, sizeof un, 5) == NULL);
    omx__peers_del(p, NULL);
    p = omx__peers_free(p);
    ASSERT(p == NULL);
    ASSERT(omx__peers_free(NULL) == NULL);
    TEST_DONE();
}
