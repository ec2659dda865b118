/* Read sections called from a shared library, as libexporter.so makes them:
 * its own (initial-exec TLS of the library) beside liburcu's flavours, whose
 * reader state is TLS of liburcu's shared library. Each function is one empty
 * section, so a loop of calls measures the section's cost plus a call. */
#define _LGPL_SOURCE 1
#include <urcu/urcu-bp.h>
#include <urcu/urcu-memb.h>

#include "internal.h"

#define EXPORT __attribute__((visibility("default")))

EXPORT void sec_omx(void);
EXPORT void sec_urcu_memb(void);
EXPORT void sec_urcu_bp(void);
EXPORT void sec_urcu_memb_register(void);

void sec_omx(void) {
    bool outer = omx__read_lock();
    __asm__ volatile("" ::: "memory");
    omx__read_unlock(outer);
}

void sec_urcu_memb(void) {
    urcu_memb_read_lock();
    __asm__ volatile("" ::: "memory");
    urcu_memb_read_unlock();
}

/* urcu-bp registers a thread on its first section, as libexporter's must. */
void sec_urcu_bp(void) {
    urcu_bp_read_lock();
    __asm__ volatile("" ::: "memory");
    urcu_bp_read_unlock();
}

void sec_urcu_memb_register(void) { urcu_memb_register_thread(); }
