/* wire_start on an interface that does not exist: started, reported as
 * wire_capture_up 0 with its families registered; wire_stop cleans up. */
#include <string.h>

#include "omx-test.h"
#include "wire-int.h"

int main(void) {
    omx_log_setup(OMX_LOG_ERROR, OMX_LOG_LOGFMT);
    char err[512];
    omx_yaml *y = NULL;
    const char *text = "interfaces: [nonexistent0]\nservice_ports: [80]\n";
    ASSERT_OK(omx_yaml_load_string("bb.yml", text, strlen(text), &y, err, sizeof err));
    wire_config *c = NULL;
    ASSERT_OK(wire_config_parse(y, omx_yaml_root(y), &c));
    omx_yaml_free(y);
    omx_registry *r = omx_registry_new();
    wire *w = NULL;
    ASSERT_OK(wire_start(c, r, &w));
    wire_config_free(c); /* copied by wire_start */
    ASSERT(w != NULL);
    omx_buf b;
    omx_buf_init(&b, 1 << 20);
    ASSERT_OK(omx_registry_write(r, NULL, omx_buf_write_fn, &b));
    ASSERT(strstr(b.data, "wire_capture_up{interface=\"nonexistent0\"} 0\n"));
    ASSERT(strstr(b.data, "wire_table_size{table=\"handshake\"} 32768\n"));
    ASSERT(wire_stop(w) == NULL);
    ASSERT(wire_stop(NULL) == NULL);
    /* a second start in the same registry: the names are taken */
    ASSERT(wire_start(NULL, r, &w) < 0);
    ASSERT(w == NULL);
    omx_buf_free(&b);
    omx_registry_free(r);
    TEST_DONE();
}
