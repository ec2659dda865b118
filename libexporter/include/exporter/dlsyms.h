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

/* Call once before curl_global_init() in a process that uses libcurl for
 * HTTP(S) only. Debian's libcurl links libssh2, whose default init (run by
 * curl_global_init) registers every OpenSSL engine and algorithm: about
 * 1.5 MB more resident memory for SSH transfers omx never makes. This
 * initialises libssh2 first without that (OpenSSL 3 initialises itself should
 * it ever be used). Returns 0, -ENOENT when libssh2 is not mapped (nothing to
 * do), -ELIBACC when it has no libssh2_init. */
int omx_curl_preinit(void);

#ifdef __cplusplus
}
#endif
#pragma GCC visibility pop
#endif
