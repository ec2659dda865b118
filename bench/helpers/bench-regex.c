/* Filter-regex cost per name: omx_regex (PCRE2 JIT) against glibc's POSIX
 * regexec on the same ERE, for node_exporter's default device and mount-point
 * filters over the names a scrape sees. Prints one line per case:
 * bench helpers/<case>: ours <ns> ns/match; posix <ns> ns/match; <ratio>x */
#include <regex.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "exporter/regex.h"

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static const char *const names[] = {
    "sda",
    "sda1",
    "sdb",
    "nvme0n1",
    "nvme0n1p1",
    "loop0",
    "loop1",
    "ram0",
    "dm-0",
    "vda",
    "/",
    "/boot",
    "/proc",
    "/sys/fs/cgroup",
    "/run/credentials/x",
    "/home",
    "/var/lib/docker/a",
};
#define N_NAMES (sizeof names / sizeof *names)

int main(void) {
    static const struct {
        const char *name, *go, *ere;
    } cases[] = {
        {"diskstats-filter", "^(ram|loop|fd|(h|s|v|xv)d[a-z]|nvme\\d+n\\d+p)\\d+$",
         "^(ram|loop|fd|(h|s|v|xv)d[a-z]|nvme[0-9]+n[0-9]+p)[0-9]+$"},
        {"filesystem-filter", "^/(dev|proc|run/credentials/.+|sys|var/lib/docker/.+)($|/)",
         "^/(dev|proc|run/credentials/.+|sys|var/lib/docker/.+)($|/)"},
    };
    const int iters = 200000;
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        omx_regex *re;
        regex_t px;
        if (omx_regex_new(cases[c].go, 0, &re, NULL, 0) < 0 ||
            regcomp(&px, cases[c].ere, REG_EXTENDED | REG_NOSUB) != 0)
            return 1;
        size_t lens[N_NAMES];
        for (size_t i = 0; i < N_NAMES; i++)
            lens[i] = strlen(names[i]);
        long hits = 0, px_hits = 0;
        double t0 = now();
        for (int k = 0; k < iters; k++)
            for (size_t i = 0; i < N_NAMES; i++)
                hits += omx_regex_match(re, names[i], lens[i]) == 1;
        double t1 = now();
        for (int k = 0; k < iters / 10; k++)
            for (size_t i = 0; i < N_NAMES; i++)
                px_hits += regexec(&px, names[i], 0, NULL, 0) == 0;
        double t2 = now();
        double ours = (t1 - t0) / ((double)iters * N_NAMES);
        double posix = (t2 - t1) / ((double)(iters / 10) * N_NAMES);
        if (hits != px_hits * 10)
            return 1;
        printf("bench helpers/%s: ours %.1f ns/match; posix %.1f ns/match; %.1fx\n", cases[c].name,
               ours, posix, posix / ours);
        omx_regex_free(re);
        regfree(&px);
    }
    return 0;
}
