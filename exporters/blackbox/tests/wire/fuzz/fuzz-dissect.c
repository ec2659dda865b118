/* libFuzzer target: the first byte picks a link type, the rest is a frame for
 * the dissector and then for a tracker with small tables (handshake and DNS
 * state machines, volume and peers), so state built by earlier inputs is
 * exercised too. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dissect.h"
#include "track.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const int dlts[] = {WIRE_DLT_NULL,      WIRE_DLT_EN10MB,    WIRE_DLT_RAW,  WIRE_DLT_RAW_BSD,
                           WIRE_DLT_LOOP,      WIRE_LINKTYPE_RAW,  WIRE_DLT_IPV4, WIRE_DLT_IPV6,
                           WIRE_DLT_LINUX_SLL, WIRE_DLT_LINUX_SLL2};

static wire_tracker tracker;
static wire_families fams;
static int ready;
static int64_t clock_ns = 1;

static void setup(void) {
    static wire_config *cfg;
    static omx_registry *reg;
    wire_shared *shared;
    cfg = wire_config_new();
    cfg->hs_table = 64;
    cfg->dns_table = 64;
    cfg->volume = true;
    cfg->top_peers = 3;
    cfg->n_ports = 1;
    cfg->ports[0] = 80;
    cfg->nets[0].cidrs = calloc(1, sizeof(wire_cidr));
    if (!cfg->nets[0].cidrs || wire_cidr_parse("10.0.0.0/8", &cfg->nets[0].cidrs[0]) < 0)
        abort();
    cfg->nets[0].n = 1;
    strcpy(cfg->nets[0].name, "lan");
    cfg->n_nets = 1;
    reg = omx_registry_new();
    const char *names[] = {"fuzz"};
    if (wire_metrics_register(reg, cfg, names, 1, &fams, &shared) < 0 ||
        wire_tracker_init(&tracker, cfg, &fams, &shared->cap[0], NULL, 0) < 0)
        abort();
    ready = 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (!ready)
        setup();
    if (size < 1)
        return 0;
    int dlt = dlts[data[0] % (sizeof dlts / sizeof dlts[0])];
    size_t n = size - 1;
    /* an exact-size copy: any read past the frame is an ASan report */
    uint8_t *frame = malloc(n ? n : 1);
    memcpy(frame, data + 1, n);
    wire_pkt p;
    wire_dissect(dlt, frame, n, n + (data[0] >> 4) * 64, &p);
    clock_ns += (int64_t)(data[0] & 15) * 1000000000;
    wire_tracker_packet(&tracker, dlt, clock_ns, frame, n, n);
    free(frame);
    return 0;
}
