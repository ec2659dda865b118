/* Cross-file internals of the regex helper (regex.c, regex-syntax.c). */
#ifndef OMX_HELPERS_REGEX_INTERNAL_H
#define OMX_HELPERS_REGEX_INTERNAL_H

#include <stddef.h>

/* Checks that pattern uses only what RE2 (Go's regexp) accepts. Returns 0, or
 * OMX_EINVAL with "<construct> at offset N is not supported" in err. */
int omx__regex_check_re2(const char *pattern, char *err, size_t errlen);

#endif
