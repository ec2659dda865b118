/* The probers a module may name, in the order of upstream's Module struct
 * (the YAML layout of /config). A test program may define bb_probers and
 * bb_n_probers itself to add fakes: the archive's copy is then not linked. */
#include "config.h"

const bb_prober_entry bb_probers[] = {
    {&bb_prober_http, true, BB_PLUGIN_HTTP},  {&bb_prober_tcp, true, BB_PLUGIN_NONE},
    {&bb_prober_icmp, true, BB_PLUGIN_NONE},  {&bb_prober_dns, true, BB_PLUGIN_DNS},
    {&bb_prober_grpc, false, BB_PLUGIN_HTTP}, {&bb_prober_udp, false, BB_PLUGIN_NONE},
};
const size_t bb_n_probers = sizeof bb_probers / sizeof bb_probers[0];
