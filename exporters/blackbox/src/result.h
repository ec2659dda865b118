/* The metrics of one probe (see bb_result_* in prober.h): a small set of
 * gauge and counter families, written in name order with series in label
 * order as Go's registry gathers them. */
#ifndef BB_RESULT_H
#define BB_RESULT_H

#include <stdbool.h>

#include "exporter/app.h"
#include "prober.h"

/* Limits that keep a hostile target from growing a result without bound. */
#define BB_RESULT_MAX_SERIES 2000
#define BB_RESULT_MAX_LABEL_BYTES (16u << 10)

/* Returns a new empty result (caller owns it) or NULL. */
bb_result *bb_result_new(void);
bb_result *bb_result_free(bb_result *r); /* accepts NULL; returns NULL */

/* An omx_collect_fn: emits r (the userdata, borrowed) sorted. */
int bb_result_collect(omx_emitter *e, void *userdata);
/* A new registry whose one collector reads r (borrowed: r must outlive it).
 * Returns 0 (the caller frees *ret with omx_registry_free) or -ENOMEM. */
int bb_result_registry(bb_result *r, omx_registry **ret);
/* About how many bytes r takes in text: label values, names and help of
 * every series (a bound to decide whether keeping r is cheap). */
size_t bb_result_bytes(bb_result *r);
/* Appends r to out in format, exactly as bb_result_registry's registry
 * writes it; the common case (0.0.4, printable ASCII labels and help) is
 * written directly, without a registry. Returns 0 or an omx_err. */
int bb_result_write(bb_result *r, omx_format format, omx_buf *out);
/* Appends r in Prometheus 0.0.4 text to out. */
int bb_result_write_text(bb_result *r, omx_buf *out);
/* The value of the first series of family name whose labels equal the n
 * given (n 0: the first series). Returns 0 or OMX_ENOENT. For tests and callers. */
int bb_result_get(bb_result *r, const char *name, size_t n, const char *const *label_values,
                  double *ret);

#endif
