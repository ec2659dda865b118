/* The language's float % and **: its only calls into libm, which costs a
 * process about 0.3 MB of resident memory once mapped (its IFUNC resolvers
 * and symbol tables are touched at load). Resolved on first use, so a run
 * whose programs never take them (most do not) never maps libm. */
#include <math.h>
#include <pthread.h>

#include "exporter/dlsyms.h"
#include "internal.h"

static struct {
    __typeof__(fmod) *fmod;
    __typeof__(pow) *pow;
} libm;

static pthread_once_t once = PTHREAD_ONCE_INIT;

static void load(void) {
    const omx_dlsym syms[] = {
        {(void **)&libm.fmod, "fmod"},
        {(void **)&libm.pow, "pow"},
    };
    omx_dlsyms("libm.so.6", syms, sizeof syms / sizeof syms[0]);
}

double lt_fmod(double x, double y) {
    pthread_once(&once, load);
    return libm.fmod ? libm.fmod(x, y) : NAN;
}

double lt_pow(double x, double y) {
    pthread_once(&once, load);
    return libm.pow ? libm.pow(x, y) : NAN;
}
