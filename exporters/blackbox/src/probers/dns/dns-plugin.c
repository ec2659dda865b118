/* omx-blackbox-dns.so: the dns prober with ldns. */
#include "dns.h"
#include "plugin.h"

__attribute__((visibility("default"))) const bb_plugin bb_plugin_dns = {
    .abi = BB_PLUGIN_ABI,
    .version = OMX_VERSION,
    .run_dns = bb_dns_run,
};
