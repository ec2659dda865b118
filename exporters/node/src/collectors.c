/* omx-node: the table of every collector (any order; users see them sorted by name). */
#include "node.h"

/* --- system collectors (engineer node-core) --- */
/* node-core: extern declarations */

/* --- hardware/storage collectors (engineer node-hw) --- */
/* node-hw: extern declarations */
extern const node_collector node_collector_hwmon;
extern const node_collector node_collector_powersupplyclass;
extern const node_collector node_collector_cpufreq;
extern const node_collector node_collector_dmi;
extern const node_collector node_collector_edac;
extern const node_collector node_collector_nvme;
extern const node_collector node_collector_rapl;
extern const node_collector node_collector_thermal_zone;


const node_collector *const node_collectors[] = {
    /* node-core: table entries */
    /* node-hw: table entries */
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
