/* udp_queues: bytes queued in UDP sockets, summed from <procfs>/net/udp and udp6,
 * or, on the live /proc, from a NETLINK_SOCK_DIAG dump: the same numbers (the
 * kernel fills idiag_rqueue/wqueue with what /proc/net/udp prints as rx/tx_queue)
 * for half the work, since every read(2) of /proc/net/udp walks the whole UDP
 * hash table again (two walks per file) and a dump walks it once per family. */
#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <exporter/emit.h>
#include "netlink_dump.h"
#include "util.h"

static int sum_file(const char *rel, double *tx, double *rx, bool *present) {
    char path[NODE_PATH_MAX], *data;
    int r;
    *present = false;
    if ((r = node_proc_path(path, sizeof path, "%s", rel)) < 0)
        return r;
    if (omx_read_file(path, 64u << 20, &data, NULL) < 0)
        return 0;
    *present = true;
    *tx = *rx = 0;
    char *save = NULL;
    unsigned lineno = 0;
    r = 0;
    for (char *line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (++lineno == 1)
            continue;
        char *f[6];
        char *colon;
        if (omx_split_fields(line, f, 6) < 5 || !(colon = strchr(f[4], ':'))) {
            r = omx_bad_input("udp_queues", path, lineno, "no tx_queue:rx_queue column");
            break;
        }
        *colon = '\0';
        char *e1, *e2;
        errno = 0;
        unsigned long long t = strtoull(f[4], &e1, 16), x = strtoull(colon + 1, &e2, 16);
        if (*e1 || *e2 || e1 == f[4] || e2 == colon + 1 || errno) {
            r = omx_bad_input("udp_queues", path, lineno, "bad hex queue length");
            break;
        }
        *tx += (double)t;
        *rx += (double)x;
    }
    free(data);
    return r;
}

typedef struct diag_ctx {
    int family;
    double tx, rx;
} diag_ctx;

static int diag_msg(const struct nlmsghdr *nh, void *arg) {
    diag_ctx *c = arg;
    if (nh->nlmsg_type != SOCK_DIAG_BY_FAMILY ||
        nh->nlmsg_len < NLMSG_LENGTH(sizeof(struct inet_diag_msg)))
        return -EIO;
    const struct inet_diag_msg *m = NLMSG_DATA(nh);
    if (m->idiag_family != c->family)
        return -EIO;
    c->tx += m->idiag_wqueue;
    c->rx += m->idiag_rqueue;
    return 0;
}

/* Sums the queues of every UDP socket of one family; a negative errno when the
 * dump cannot be had (no udp_diag module, no such family): read /proc then. */
static int diag_sum(int family, double *tx, double *rx) {
    struct {
        struct nlmsghdr nh;
        struct inet_diag_req_v2 req;
    } q = {
        .nh = {.nlmsg_len = sizeof q,
               .nlmsg_type = SOCK_DIAG_BY_FAMILY,
               .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
               .nlmsg_seq = 1},
        .req = {.sdiag_family = (__u8)family, .sdiag_protocol = IPPROTO_UDP, .idiag_states = ~0u}};
    diag_ctx c = {.family = family};
    int r = node_netlink_dump(NETLINK_SOCK_DIAG, &q, sizeof q, diag_msg, &c);
    if (r < 0)
        return r;
    *tx = c.tx;
    *rx = c.rx;
    return 0;
}

/* One family's sums: the dump on the live /proc, else (or when it fails) the file. */
static int family_sum(int family, const char *rel, double *tx, double *rx, bool *present) {
    if (!strcmp(node_path_roots.procfs, "/proc") && diag_sum(family, tx, rx) == 0) {
        *present = true;
        return 0;
    }
    return sum_file(rel, tx, rx, present);
}

static int collect(omx_emitter *e, void *userdata) {
    (void)userdata;
    double tx4, rx4, tx6, rx6;
    bool have4, have6;
    int r;
    if ((r = family_sum(AF_INET, "net/udp", &tx4, &rx4, &have4)) < 0 ||
        (r = family_sum(AF_INET6, "net/udp6", &tx6, &rx6, &have6)) < 0)
        return r;
    if (!have4 && !have6)
        return OMX_ENOENT;
    static const char *const labels[] = {"ip", "queue"};
    if ((r = omx_emit_family(
             e, &(omx_desc){
                    .name = "node_udp_queues",
                    .help = "Number of allocated memory in the kernel for UDP datagrams in bytes.",
                    .type = OMX_GAUGE,
                    .label_names = labels,
                    .n_labels = 2})) < 0)
        return r;
    if (have4 && ((r = omx_emit_sample(e, (const char *[]){"v4", "tx"}, tx4)) < 0 ||
                  (r = omx_emit_sample(e, (const char *[]){"v4", "rx"}, rx4)) < 0))
        return r;
    if (have6 && ((r = omx_emit_sample(e, (const char *[]){"v6", "tx"}, tx6)) < 0 ||
                  (r = omx_emit_sample(e, (const char *[]){"v6", "rx"}, rx6)) < 0))
        return r;
    return 0;
}

const node_collector node_collector_udp_queues = {
    .name = "udp_queues",
    .enabled_by_default = true,
    .collect = collect,
};
