/* omx-blackbox-wire.so: live captures and --passive.read-file with libpcap. */
#include "plugin.h"
#include "wire.h"

__attribute__((visibility("default"))) const bb_plugin bb_plugin_wire = {
    .abi = BB_PLUGIN_ABI,
    .version = OMX_VERSION,
    .wire_start = wire_start,
    .wire_stop = wire_stop,
    .wire_read_file = wire_read_file,
};
