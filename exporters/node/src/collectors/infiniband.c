/* infiniband collector: InfiniBand port counters and state from
 * /sys/class/infiniband/<device>/ports/<port>. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sysfs_attr.h"
#include "util.h"

#define C(n, h) \
    { "node_infiniband_" n, h, OMX_COUNTER }
static const hw_column cols[] = {
    C("excessive_buffer_overrun_errors_total",
      "Number of times that OverrunErrors consecutive flow control update periods occurred, each having at least one overrun error."),
    C("link_downed_total",
      "Number of times the link failed to recover from an error state and went down"),
    C("link_error_recovery_total",
      "Number of times the link successfully recovered from an error state"),
    C("local_link_integrity_errors_total",
      "Number of times that the count of local physical errors exceeded the threshold specified by LocalPhyErrors."),
    C("multicast_packets_received_total",
      "Number of multicast packets received (including errors)"),
    C("multicast_packets_transmitted_total",
      "Number of multicast packets transmitted (including errors)"),
    C("port_constraint_errors_received_total",
      "Number of packets received on the switch physical port that are discarded"),
    C("port_constraint_errors_transmitted_total",
      "Number of packets not transmitted from the switch physical port"),
    C("port_data_received_bytes_total", "Number of data octets received on all links"),
    C("port_data_transmitted_bytes_total", "Number of data octets transmitted on all links"),
    C("port_discards_received_total",
      "Number of inbound packets discarded by the port because the port is down or congested"),
    C("port_discards_transmitted_total",
      "Number of outbound packets discarded by the port because the port is down or congested"),
    C("port_errors_received_total",
      "Number of packets containing an error that were received on this port"),
    C("port_packets_received_total",
      "Number of packets received on all VLs by this port (including errors)"),
    C("port_packets_transmitted_total",
      "Number of packets transmitted on all VLs from this port (including errors)"),
    C("port_receive_remote_physical_errors_total",
      "Number of packets marked with the EBP (End of Bad Packet) delimiter received on the port."),
    C("port_receive_switch_relay_errors_total",
      "Number of packets that could not be forwarded by the switch."),
    C("port_transmit_wait_total",
      "Number of ticks during which the port had data to transmit but no data was sent during the entire tick"),
    C("symbol_error_total", "Number of minor link errors detected on one or more physical lanes."),
    C("unicast_packets_received_total", "Number of unicast packets received (including errors)"),
    C("unicast_packets_transmitted_total",
      "Number of unicast packets transmitted (including errors)"),
    C("vl15_dropped_total", "Number of incoming VL15 packets dropped due to resource limitations."),
    {"node_infiniband_physical_state_id",
     "Physical state of the InfiniBand port (0: no change, 1: sleep, 2: polling, 3: disable, 4: shift, 5: link up, 6: link error recover, 7: phytest)",
     OMX_GAUGE},
    {"node_infiniband_rate_bytes_per_second", "Maximum signal transfer rate", OMX_GAUGE},
    {"node_infiniband_state_id",
     "State of the InfiniBand port (0: no change, 1: down, 2: init, 3: armed, 4: active, 5: act defer)",
     OMX_GAUGE},
};
static const char *const files[] = {
    "excessive_buffer_overrun_errors",
    "link_downed",
    "link_error_recovery",
    "local_link_integrity_errors",
    "multicast_rcv_packets",
    "multicast_xmit_packets",
    "port_rcv_constraint_errors",
    "port_xmit_constraint_errors",
    "port_rcv_data",
    "port_xmit_data",
    "port_rcv_discards",
    "port_xmit_discards",
    "port_rcv_errors",
    "port_rcv_packets",
    "port_xmit_packets",
    "port_rcv_remote_physical_errors",
    "port_rcv_switch_relay_errors",
    "port_xmit_wait",
    "symbol_error",
    "unicast_rcv_packets",
    "unicast_xmit_packets",
    "VL15_dropped",
};
#define N_COUNTERS (sizeof files / sizeof files[0])
#define N_COLS (sizeof cols / sizeof cols[0])
static const char *const labels[] = {"device", "port"};
static const char *const info_labels[] = {"board_id", "device", "firmware_version", "hca_type"};

/* "4: ACTIVE" -> 4 */
static int state_id(const char *dir, const char *attr, double *ret) {
    char buf[64];
    int r = hw_attr_str(dir, attr, buf, sizeof buf);
    if (r != 0)
        return r;
    char *colon = strchr(buf, ':');
    uint64_t v;
    if (!colon || (*colon = '\0', omx_parse_u64(buf, &v) < 0))
        return hw_fail("infiniband", dir, -EINVAL);
    *ret = (double)v;
    return 0;
}

/* "40 Gb/sec (4X QDR)" -> bytes per second */
static int rate(const char *dir, double *ret) {
    char buf[64], *f[4];
    int r = hw_attr_str(dir, "rate", buf, sizeof buf);
    if (r != 0)
        return r;
    double v;
    if (omx_split_fields(buf, f, 4) < 2 || omx_parse_double(f[0], &v) < 0 || v < 0 ||
        strcmp(f[1], "Gb/sec"))
        return hw_fail("infiniband", dir, -EINVAL);
    *ret = v * 1e9 / 8;
    return 0;
}

static int collect_port(const char *dev, const char *port, hw_table *t) {
    char dir[NODE_PATH_MAX], cdir[NODE_PATH_MAX];
    int r = node_sys_path(dir, sizeof dir, "class/infiniband/%s/ports/%s", dev, port);
    if (r == 0)
        r = node_sys_path(cdir, sizeof cdir, "class/infiniband/%s/ports/%s/counters", dev, port);
    if (r < 0)
        return r;
    double *row = hw_table_add(t, (const char *const[]){dev, port});
    if (!row)
        return -ENOMEM;
    for (size_t i = 0; i < N_COUNTERS; i++) {
        char buf[64];
        uint64_t v;
        r = hw_attr_str(cdir, files[i], buf, sizeof buf);
        if (r < 0)
            return r;
        if (r == 1 || !strcmp(buf, "N/A (no PMA)"))
            continue;
        if (omx_parse_u64(buf, &v) < 0) {
            return hw_bad_value("infiniband", cdir, files[i], buf);
        }
        /* data counters count 32-bit words (octets / 4) */
        row[i] = (double)v * (i == 8 || i == 9 ? 4 : 1);
    }
    if ((r = state_id(dir, "phys_state", &row[N_COUNTERS])) < 0 ||
        (r = rate(dir, &row[N_COUNTERS + 1])) < 0 ||
        (r = state_id(dir, "state", &row[N_COUNTERS + 2])) < 0)
        return r;
    return 0;
}

static int collect(omx_emitter *e, void *userdata) {
    (void)userdata;
    char base[NODE_PATH_MAX], dir[NODE_PATH_MAX];
    char **names = NULL;
    int r = node_sys_path(base, sizeof base, "class/infiniband");
    if (r < 0)
        return r;
    if ((r = omx_list_dir(base, &names)) < 0)
        return hw_fail("infiniband", base, r); /* no InfiniBand: node_exporter's ErrNoData */
    size_t n = 0;
    for (char **p = names; *p; p++)
        n++;
    char(*info)[4][128] = calloc(n ? n : 1, sizeof *info);
    if (!info) {
        omx_strv_free(names);
        return -ENOMEM;
    }
    hw_table t;
    hw_table_init(&t, cols, N_COLS, labels, 2);
    size_t ni = 0;
    for (char **d = names; *d && r >= 0; d++) {
        char **ports = NULL;
        if ((r = node_sys_path(dir, sizeof dir, "class/infiniband/%s", *d)) < 0)
            break;
        static const char *const ifiles[] = {"board_id", NULL, "fw_ver", "hca_type"};
        for (size_t i = 0; i < 4 && r >= 0; i++) {
            if (!ifiles[i]) {
                snprintf(info[ni][i], sizeof info[ni][i], "%s", *d);
                continue;
            }
            r = hw_attr_str(dir, ifiles[i], info[ni][i], sizeof info[ni][i]);
            if (r == 1)
                info[ni][i][0] = '\0';
            if (r > 0)
                r = 0;
            hw_utf8_clean(info[ni][i]);
        }
        if (r < 0)
            break;
        ni++;
        if ((r = node_sys_path(dir, sizeof dir, "class/infiniband/%s/ports", *d)) < 0)
            break;
        if ((r = omx_list_dir(dir, &ports)) < 0) {
            r = hw_fail("infiniband", dir, r);
            break;
        }
        for (char **p = ports; *p && r >= 0; p++)
            r = collect_port(*d, *p, &t);
        omx_strv_free(ports);
    }
    if (r >= 0)
        r = hw_table_emit(&t, e);
    if (r >= 0 && ni > 0)
        r = omx_emit_family(
            e,
            &(omx_desc){
                .name = "node_infiniband_info",
                .help = "Non-numeric data from /sys/class/infiniband/<device>, value is always 1.",
                .type = OMX_GAUGE,
                .label_names = info_labels,
                .n_labels = 4});
    for (size_t i = 0; i < ni && r >= 0; i++)
        r = omx_emit_sample(
            e, (const char *const[]){info[i][0], info[i][1], info[i][2], info[i][3]}, 1);
    hw_table_free(&t);
    free(info);
    omx_strv_free(names);
    return r < 0 ? r : 0;
}

const node_collector node_collector_infiniband = {
    .name = "infiniband",
    .enabled_by_default = true,
    .collect = collect,
};
