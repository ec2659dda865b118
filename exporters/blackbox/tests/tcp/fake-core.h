/* A probe harness for the tcp, udp and icmp prober tests: one probe with the
 * core's result and log (no server), a section parsed from YAML text, and
 * lookups of what the probe recorded. */
#ifndef BB_FAKE_CORE_H
#define BB_FAKE_CORE_H

#include <stdbool.h>

#include "module.h"
#include "prober.h"

/* Sets p up for one probe of target under module m, timeout_ms from now. */
void fake_probe_init(bb_probe *p, const bb_module *m, const char *target, int timeout_ms);
/* Frees what the probe recorded. */
void fake_probe_done(bb_probe *p);
/* The value of series name{labels}; labels is "k=v,k=v" in label order (the
 * values are compared; a value may not hold ',') or NULL for the first
 * series of name. Returns false when there is none. */
bool fake_value(const bb_probe *p, const char *name, const char *labels, double *ret);
/* Whether a log line of the probe contains s. */
bool fake_log_has(const bb_probe *p, const char *s);
/* Prints the probe's metrics and log lines (for a failing test). */
void fake_print(const bb_probe *p);
/* Parses text as the prober's section with pr->parse; the error message (if
 * any) goes to err. The document stays loaded until the process exits (the
 * section may borrow its strings). Returns what parse returned. Thread-safe. */
int fake_parse(const bb_prober *pr, const char *text, void **ret, char *err, size_t errlen);
/* Dumps cfg with pr->dump (indent 2) into a malloc'ed string. */
char *fake_dump(const bb_prober *pr, const void *cfg);

#endif
