/* omx-blackbox-http.so: the http and grpc probers with libcurl. */
#include "../grpc/grpc.h"
#include "curl-tls.h"
#include "http.h"
#include "plugin.h"

static int init(void) {
    bb_curl_global_init();
    return 0;
}

__attribute__((visibility("default"))) const bb_plugin bb_plugin_http = {
    .abi = BB_PLUGIN_ABI,
    .version = OMX_VERSION,
    .init = init,
    .run_http = bb_http_run,
    .run_grpc = bb_grpc_run,
};
