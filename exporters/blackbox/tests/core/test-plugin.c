/* The plugin table (plugin.h) in a program that links every plugin's code:
 * the linked copies are used, all from this build; a restricted mask loads
 * nothing; a config naming a prober opens its plugin at load. */
#include <string.h>

#include "config.h"
#include "omx-test.h"
#include "plugin.h"

static void test_names(void) {
    ASSERT(!strcmp(bb_plugin_file(BB_PLUGIN_HTTP), "omx-blackbox-http.so"));
    ASSERT(!strcmp(bb_plugin_file(BB_PLUGIN_DNS), "omx-blackbox-dns.so"));
    ASSERT(!strcmp(bb_plugin_file(BB_PLUGIN_WIRE), "omx-blackbox-wire.so"));
    ASSERT(!strcmp(bb_plugin_file(BB_PLUGIN_NONE), ""));
    ASSERT(!strcmp(bb_plugin_file(BB_N_PLUGINS), ""));
    char err[256] = "";
    ASSERT(bb_plugin_load(BB_PLUGIN_NONE, err, sizeof err) == 0);
    ASSERT(bb_plugin_get(BB_PLUGIN_NONE) == NULL);
}

/* Only the wire plugin allowed (--passive.read-file): a config with http and
 * dns modules loads, and neither plugin is opened. */
static void test_mask(void) {
    static const char text[] = "modules:\n"
                               "  h:\n    prober: http\n"
                               "  d:\n    prober: dns\n    dns:\n      query_name: example.com\n";
    char err[1024] = "";
    bb_config *c = NULL;
    bb_plugin_allow(1u << BB_PLUGIN_WIRE);
    ASSERT_MSG(bb_config_load_string("bb.yml", text, strlen(text), &c, err, sizeof err) == 0, "%s",
               err);
    ASSERT(bb_plugin_get(BB_PLUGIN_HTTP) == NULL);
    ASSERT(bb_plugin_get(BB_PLUGIN_DNS) == NULL);
    bb_config_unref(c);
    bb_plugin_allow(~0u);
}

static void test_linked(void) {
    static const char text[] = "modules:\n  g:\n    prober: grpc\n";
    char err[1024] = "";
    bb_config *c = NULL;
    ASSERT_MSG(bb_config_load_string("bb.yml", text, strlen(text), &c, err, sizeof err) == 0, "%s",
               err);
    const bb_plugin *h = bb_plugin_get(BB_PLUGIN_HTTP);
    ASSERT(h && h->abi == BB_PLUGIN_ABI && !strcmp(h->version, OMX_VERSION));
    ASSERT(h->run_http && h->run_grpc && !h->run_dns && !h->wire_start);
    bb_config_unref(c);
    const bb_plugin *d = bb_plugin_get(BB_PLUGIN_DNS);
    ASSERT(d && d->run_dns && !d->run_http);
    const bb_plugin *w = bb_plugin_get(BB_PLUGIN_WIRE);
    ASSERT(w && w->wire_start && w->wire_stop && w->wire_read_file);
    ASSERT(bb_plugin_get(BB_PLUGIN_HTTP) == h); /* loaded once */
    ASSERT(bb_wire_stop(NULL) == NULL);
}

int main(void) {
    test_names();
    test_mask();
    test_linked();
    TEST_DONE();
}
