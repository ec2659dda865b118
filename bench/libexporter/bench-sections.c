/* Cost of one empty read section entered from a shared library: ours
 * (libexporter's reclaim.c) and liburcu 0.13's memb and bp flavours.
 * Prints "read_section_<kind> <ns/op>". */
#include <stdio.h>
#include <string.h>
#include <time.h>

void sec_omx(void);
void sec_urcu_memb(void);
void sec_urcu_bp(void);
void sec_urcu_memb_register(void);

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double measure(void (*fn)(void)) {
    long n = 1000;
    for (;;) {
        double t0 = now();
        for (long i = 0; i < n; i++)
            fn();
        double dt = now() - t0;
        if (dt >= 0.3)
            return dt * 1e9 / (double)n;
        n = dt > 0.01 ? (long)((double)n * 0.36 / dt) : n * 10;
    }
}

int main(int argc, char **argv) {
    const char *only = argc > 1 ? argv[1] : NULL;
    sec_urcu_memb_register();
    struct {
        const char *name;
        void (*fn)(void);
    } k[] = {
        {"read_section_omx", sec_omx},
        {"read_section_urcu_memb", sec_urcu_memb},
        {"read_section_urcu_bp", sec_urcu_bp},
    };
    for (size_t i = 0; i < sizeof k / sizeof k[0]; i++)
        if (!only || strcmp(only, k[i].name) == 0)
            printf("%s %.2f -\n", k[i].name, measure(k[i].fn));
    return 0;
}
