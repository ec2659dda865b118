/* What RE2 rejects and PCRE2 would accept: found by one scan of the pattern
 * (escapes, classes, groups, quantifiers) before PCRE2 compiles it. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exporter/error.h"
#include "regex-internal.h"

static int reject(char *err, size_t errlen, const char *what, size_t off) {
    if (err && errlen)
        snprintf(err, errlen, "%s at offset %zu is not supported (RE2 syntax)", what, off);
    return OMX_EINVAL;
}

/* An escape RE2 has no such meaning for: backreferences, PCRE-only classes and
 * assertions. p points at the backslash; NULL when the escape is fine. */
static const char *bad_escape(const char *p) {
    char c = p[1];
    if (c >= '1' && c <= '9')
        return "backreference \\N";
    switch (c) {
    case 'k': return "named backreference \\k";
    case 'g': return "backreference or subroutine \\g";
    case 'C': return "single byte \\C";
    case 'Z': return "\\Z (use \\z)";
    case 'G': return "\\G";
    case 'K': return "\\K";
    case 'R': return "\\R";
    case 'X': return "\\X";
    case 'N': return "\\N";
    case 'h':
    case 'H':
    case 'V': return "horizontal/vertical space class";
    case 'e':
    case 'c':
    case 'o':
    case 'u':
    case 'U':
    case 'l':
    case 'L': return "PCRE escape";
    default: break;
    }
    return NULL;
}

/* The group opened at p ("(?" or "(*"); NULL when RE2 has it. */
static const char *bad_group(const char *p) {
    if (p[1] == '*')
        return "verb or option (*...)";
    if (p[1] != '?')
        return NULL;
    const char *q = p + 2;
    if (!strncmp(q, "=", 1))
        return "lookahead (?=";
    if (!strncmp(q, "!", 1))
        return "negative lookahead (?!";
    if (!strncmp(q, "<=", 2))
        return "lookbehind (?<=";
    if (!strncmp(q, "<!", 2))
        return "negative lookbehind (?<!";
    if (*q == '>')
        return "atomic group (?>";
    if (*q == '|')
        return "branch reset (?|";
    if (*q == '#')
        return "comment (?#";
    if (*q == '(')
        return "conditional (?(";
    if (*q == 'R' || (*q >= '0' && *q <= '9') || *q == '+' || *q == '&')
        return "recursion (?R";
    if (!strncmp(q, "P>", 2))
        return "recursion (?P>";
    if (!strncmp(q, "P=", 2))
        return "named backreference (?P=";
    if (*q == 'C')
        return "callout (?C";
    if (*q == '\'')
        return "quoted group name (?'";
    if (!strncmp(q, "P<", 2) || *q == '<' || *q == ':')
        return NULL;
    /* flags: (?i) (?-s) (?im:...) with RE2's i, m, s, U only */
    for (; *q && *q != ')' && *q != ':'; q++)
        if (!strchr("imsU-", *q))
            return "group flag other than i, m, s, U";
    return NULL;
}

/* Whether the '}' at i ends a repeat {n}, {n,} or {n,m} (else it is literal). */
static bool closes_repeat(const char *pattern, size_t i) {
    size_t k = i;
    while (k > 0 && ((pattern[k - 1] >= '0' && pattern[k - 1] <= '9') || pattern[k - 1] == ','))
        k--;
    return k > 0 && k < i && pattern[k - 1] == '{' && pattern[k] != ',';
}

/* Whether the repeat {n}, {n,} or {n,m} ending at i counts past RE2's limit of 1000. */
static bool repeat_too_big(const char *pattern, size_t i) {
    const char *open = pattern + i;
    while (*open != '{')
        open--;
    char *end;
    unsigned long n = strtoul(open + 1, &end, 10), m = 0;
    if (*end == ',' && end[1] != '}')
        m = strtoul(end + 1, NULL, 10);
    return n > 1000 || m > 1000; /* overflow gives ULONG_MAX: too big as well */
}

int omx__regex_check_re2(const char *pattern, char *err, size_t errlen) {
    bool in_class = false;
    size_t class_start = 0;
    for (size_t i = 0; pattern[i]; i++) {
        const char *p = pattern + i;
        if (*p == '\\') {
            if (!p[1])
                return 0;      /* PCRE2 reports the trailing backslash */
            if (p[1] == 'Q') { /* literal text up to \E */
                const char *e = strstr(p + 2, "\\E");
                if (!e)
                    return 0;
                i = (size_t)(e - pattern) + 1;
                continue;
            }
            const char *bad = bad_escape(p);
            if (bad)
                return reject(err, errlen, bad, i);
            i++;
            continue;
        }
        if (in_class) {
            if (*p == '[' && p[1] == ':') { /* [:alpha:] */
                const char *e = strstr(p + 2, ":]");
                if (e)
                    i = (size_t)(e - pattern) + 1;
            } else if (*p == ']' && i > class_start) {
                in_class = false;
            }
            continue;
        }
        switch (*p) {
        case '[':
            in_class = true;
            class_start = i + 1;
            if (p[1] == '^')
                class_start++;
            break; /* a ']' right after '[' or '[^' is literal */
        case '(': {
            const char *bad = bad_group(p);
            if (bad)
                return reject(err, errlen, bad, i);
            break;
        }
        case '*':
        case '+':
        case '?':
        case '}':
            if (*p == '}' && closes_repeat(pattern, i) && repeat_too_big(pattern, i))
                return reject(err, errlen, "repeat count above 1000", i);
            if (p[1] == '+' && (*p != '}' || closes_repeat(pattern, i)))
                return reject(err, errlen, "possessive quantifier", i);
            break;
        default: break;
        }
    }
    return 0;
}
