/* omx-node: the table of every collector (any order; users see them sorted by name). */
#include "node.h"

/* --- system collectors (engineer node-core) --- */
/* node-core: extern declarations */

/* --- hardware/storage collectors (engineer node-hw) --- */
/* node-hw: extern declarations */

const node_collector *const node_collectors[] = {
    /* node-core: table entries */
    /* node-hw: table entries */
    NULL,
};
