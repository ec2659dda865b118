/* The tcp prober's parsed section (blackbox_exporter 0.28's tcp_probe). */
#ifndef BB_TCP_H
#define BB_TCP_H

#include <stdbool.h>
#include <stddef.h>

#include "exporter/regex.h"
#include "module.h"

typedef struct tcp_label {
    char *name, *value; /* value may hold capture references */
} tcp_label;

/* One query_response entry: read (expect or expect_bytes), then send, then starttls. */
typedef struct tcp_step {
    omx_regex *expect;  /* NULL: no expect */
    char *expect_src;   /* the pattern as written */
    char *expect_bytes; /* NULL: none */
    tcp_label *labels;
    size_t n_labels;
    const char **label_names; /* labels[i].name: the result borrows this array */
    char *send;               /* NULL: nothing to send */
    bool starttls;
} tcp_step;

typedef struct tcp_config {
    bb_ip_opts ip;
    tcp_step *steps;
    size_t n_steps;
    bool tls;
    bb_tls_config tls_config;
} tcp_config;

/* Longest line an expect step reads (bufio.Scanner's default limit). */
#define TCP_LINE_MAX 65536
/* Most query_response entries and labels per entry a config may hold. */
#define TCP_MAX_STEPS 256
#define TCP_MAX_LABELS 32

extern const tcp_config tcp_defaults;

int tcp_config_parse(omx_yaml *y, const omx_yaml_node *n, void **ret);
void tcp_config_free(void *cfg);
int tcp_config_dump(const void *cfg, omx_buf *out, int indent);

#endif
