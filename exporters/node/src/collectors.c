/* omx-node: the table of every collector (any order; users see them sorted by name). */
#include "node.h"

/* system collectors */
extern const node_collector node_collector_logind;
extern const node_collector node_collector_systemd;
extern const node_collector node_collector_processes;
extern const node_collector node_collector_interrupts;
extern const node_collector node_collector_tcpstat;
extern const node_collector node_collector_textfile;
extern const node_collector node_collector_arp;
extern const node_collector node_collector_conntrack;
extern const node_collector node_collector_cpu;
extern const node_collector node_collector_diskstats;
extern const node_collector node_collector_entropy;
extern const node_collector node_collector_filefd;
extern const node_collector node_collector_filesystem;
extern const node_collector node_collector_loadavg;
extern const node_collector node_collector_meminfo;
extern const node_collector node_collector_netdev;
extern const node_collector node_collector_netstat;
extern const node_collector node_collector_os;
extern const node_collector node_collector_pressure;
extern const node_collector node_collector_schedstat;
extern const node_collector node_collector_sockstat;
extern const node_collector node_collector_softnet;
extern const node_collector node_collector_stat;
extern const node_collector node_collector_time;
extern const node_collector node_collector_timex;
extern const node_collector node_collector_udp_queues;
extern const node_collector node_collector_uname;
extern const node_collector node_collector_vmstat;

/* hardware/storage collectors */
extern const node_collector node_collector_ethtool;
extern const node_collector node_collector_btrfs;
extern const node_collector node_collector_bcache;
extern const node_collector node_collector_zfs;
extern const node_collector node_collector_xfs;
extern const node_collector node_collector_ipvs;
extern const node_collector node_collector_bonding;
extern const node_collector node_collector_tapestats;
extern const node_collector node_collector_fibrechannel;
extern const node_collector node_collector_infiniband;
extern const node_collector node_collector_nfs;
extern const node_collector node_collector_nfsd;
extern const node_collector node_collector_selinux;
extern const node_collector node_collector_mdadm;
extern const node_collector node_collector_netclass;
extern const node_collector node_collector_hwmon;
extern const node_collector node_collector_powersupplyclass;
extern const node_collector node_collector_cpufreq;
extern const node_collector node_collector_dmi;
extern const node_collector node_collector_edac;
extern const node_collector node_collector_nvme;
extern const node_collector node_collector_rapl;
extern const node_collector node_collector_thermal_zone;


const node_collector *const node_collectors[] = {
    &node_collector_logind,
    &node_collector_systemd,
    &node_collector_processes,
    &node_collector_interrupts,
    &node_collector_tcpstat,
    &node_collector_textfile,
    &node_collector_arp,
    &node_collector_conntrack,
    &node_collector_cpu,
    &node_collector_diskstats,
    &node_collector_entropy,
    &node_collector_filefd,
    &node_collector_filesystem,
    &node_collector_loadavg,
    &node_collector_meminfo,
    &node_collector_netdev,
    &node_collector_netstat,
    &node_collector_os,
    &node_collector_pressure,
    &node_collector_schedstat,
    &node_collector_sockstat,
    &node_collector_softnet,
    &node_collector_stat,
    &node_collector_time,
    &node_collector_timex,
    &node_collector_udp_queues,
    &node_collector_uname,
    &node_collector_vmstat,
    &node_collector_ethtool,
    &node_collector_btrfs,
    &node_collector_bcache,
    &node_collector_zfs,
    &node_collector_xfs,
    &node_collector_ipvs,
    &node_collector_bonding,
    &node_collector_tapestats,
    &node_collector_fibrechannel,
    &node_collector_infiniband,
    &node_collector_nfs,
    &node_collector_nfsd,
    &node_collector_selinux,
    &node_collector_mdadm,
    &node_collector_netclass,
    &node_collector_hwmon,
    &node_collector_powersupplyclass,
    &node_collector_cpufreq,
    &node_collector_dmi,
    &node_collector_edac,
    &node_collector_nvme,
    &node_collector_rapl,
    &node_collector_thermal_zone,

    NULL,
};
