/* --passive.read-file: a pcap or pcapng file through the same dissector and
 * tables, the metrics written once at the end. */
#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "track.h"

static int write_fd(void *ctx, const char *data, size_t len) {
    int fd = *(int *)ctx;
    while (len > 0) {
        ssize_t n = write(fd, data, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        data += n;
        len -= (size_t)n;
    }
    return 0;
}

int wire_read_file(const wire_config *cfg, const char *path, bool openmetrics, int fd, char *err,
                   size_t errlen) {
    char perr[PCAP_ERRBUF_SIZE] = "";
    wire_config *def = NULL;
    if (!cfg && !(cfg = def = wire_config_new())) {
        snprintf(err, errlen, "%s: out of memory", path);
        return -ENOMEM;
    }
    int rc = 0;
    omx_registry *reg = NULL;
    wire_tracker t = {0};
    pcap_t *pc = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, perr);
    if (!pc) {
        if (strstr(perr, path)) /* libpcap names the file itself in some messages */
            snprintf(err, errlen, "%s", perr);
        else
            snprintf(err, errlen, "%s: %s", path, perr);
        rc = access(path, R_OK) < 0 ? -errno : -EINVAL;
        goto out;
    }
    int dlt = pcap_datalink(pc);
    if (!wire_dlt_supported(dlt)) {
        const char *name = pcap_datalink_val_to_name(dlt);
        snprintf(err, errlen, "%s: unsupported link type %s (%d)", path, name ? name : "?", dlt);
        rc = -EINVAL;
        goto out;
    }
    if (cfg->filter) {
        struct bpf_program prog;
        if (pcap_compile(pc, &prog, cfg->filter, 1, PCAP_NETMASK_UNKNOWN) < 0) {
            snprintf(err, errlen, "%s: bad filter: %s", path, pcap_geterr(pc));
            rc = -EINVAL;
            goto out;
        }
        rc = pcap_setfilter(pc, &prog);
        pcap_freecode(&prog);
        if (rc < 0) {
            snprintf(err, errlen, "%s: %s", path, pcap_geterr(pc));
            rc = -EINVAL;
            goto out;
        }
    }
    wire_families f;
    wire_shared *shared;
    const char *names[] = {"file"};
    if (!(reg = omx_registry_new()) ||
        (rc = wire_metrics_register(reg, cfg, names, 1, &f, &shared)) < 0 ||
        (rc = wire_tracker_init(&t, cfg, &f, &shared->cap[0], NULL, 0)) < 0) {
        snprintf(err, errlen, "%s: %s", path, omx_strerror(rc < 0 ? rc : -ENOMEM));
        rc = rc < 0 ? rc : -ENOMEM;
        goto out;
    }
    struct pcap_pkthdr *h;
    const u_char *bytes;
    int r;
    while ((r = pcap_next_ex(pc, &h, &bytes)) == 1) {
        int64_t ts = (int64_t)h->ts.tv_sec * 1000000000 + (int64_t)h->ts.tv_usec;
        wire_tracker_packet(&t, dlt, ts, bytes, h->caplen, h->len);
    }
    char trunc[PCAP_ERRBUF_SIZE + 16] = "";
    if (r == PCAP_ERROR) /* a truncated file: what was read is still written, as tcpdump -r does */
        snprintf(trunc, sizeof trunc, "%s", pcap_geterr(pc));
    wire_tracker_flush(&t);
    atomic_store(&shared->cap[0].received, t.packets);
    atomic_store(&shared->cap[0].up, 1);
    omx_write_opts wo = {.format = openmetrics ? OMX_FORMAT_OPENMETRICS : OMX_FORMAT_PROMETHEUS};
    rc = omx_registry_write(reg, &wo, write_fd, &fd);
    if (rc < 0) {
        snprintf(err, errlen, "%s: cannot write the metrics: %s", path, omx_strerror(rc));
    } else if (trunc[0]) {
        snprintf(err, errlen, "%s: %s (the metrics cover the packets before it)", path, trunc);
        rc = -EIO;
    }
out:
    wire_tracker_free(&t);
    omx_registry_free(reg);
    if (pc)
        pcap_close(pc);
    wire_config_free(def);
    return rc;
}
