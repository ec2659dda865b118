/* The test stand-in for the core: see fakecore.c. */
#ifndef BB_FAKECORE_H
#define BB_FAKECORE_H

#include <stdio.h>

/* Prints every series the probe added as "name{labels} value" lines. */
void fake_print_results(FILE *f);

#endif
