/* Optional libraries loaded at run time (libsystemd for sd_notify, sd-bus and
 * the journal; libsensors), so a process that never needs one never maps it. */
#ifndef EXPORTER_DLSYMS_H
#define EXPORTER_DLSYMS_H

#pragma GCC visibility push(default)

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* One function to resolve: *slot receives its address. */
typedef struct omx_dlsym {
    void **slot;
    const char *name;
} omx_dlsym;

/* Opens soname (dlopen, RTLD_NOW | RTLD_LOCAL) and resolves every symbol into
 * its slot, all or nothing: when the library or any symbol is missing, every
 * slot is set to NULL, the library is closed and -ELIBACC is returned. On
 * success the library stays loaded for the life of the process. Not
 * synchronised: call it once (pthread_once) per set of slots. Returns 0,
 * -ELIBACC or -EINVAL. */
int omx_dlsyms(const char *soname, const omx_dlsym *syms, size_t n);

#ifdef __cplusplus
}
#endif
#pragma GCC visibility pop
#endif
