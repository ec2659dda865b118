/* Type, class and rcode names as miekg/dns (Go) spells them: upstream
 * accepts these in blackbox.yml and users' regexes match the RR text that
 * uses them. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "dns.h"

typedef struct name_code {
    const char *name;
    uint16_t code;
} name_code;

/* miekg/dns StringToType, sorted by name. */
static const name_code types[] = {
    {"A", 1},        {"AAAA", 28},     {"AFSDB", 18},  {"AMTRELAY", 260},   {"ANY", 255},
    {"APL", 42},     {"ATMA", 34},     {"AVC", 258},   {"AXFR", 252},       {"CAA", 257},
    {"CDNSKEY", 60}, {"CDS", 59},      {"CERT", 37},   {"CNAME", 5},        {"CSYNC", 62},
    {"DHCID", 49},   {"DLV", 32769},   {"DNAME", 39},  {"DNSKEY", 48},      {"DS", 43},
    {"EID", 31},     {"EUI48", 108},   {"EUI64", 109}, {"GID", 102},        {"GPOS", 27},
    {"HINFO", 13},   {"HIP", 55},      {"HTTPS", 65},  {"IPSECKEY", 45},    {"ISDN", 20},
    {"IXFR", 251},   {"KEY", 25},      {"KX", 36},     {"L32", 105},        {"L64", 106},
    {"LOC", 29},     {"LP", 107},      {"MAILA", 254}, {"MAILB", 253},      {"MB", 7},
    {"MD", 3},       {"MF", 4},        {"MG", 8},      {"MINFO", 14},       {"MR", 9},
    {"MX", 15},      {"NAPTR", 35},    {"NID", 104},   {"NIMLOC", 32},      {"NINFO", 56},
    {"NS", 2},       {"NSAP-PTR", 23}, {"NSEC", 47},   {"NSEC3", 50},       {"NSEC3PARAM", 51},
    {"NULL", 10},    {"NXNAME", 128},  {"NXT", 30},    {"None", 0},         {"OPENPGPKEY", 61},
    {"OPT", 41},     {"PTR", 12},      {"PX", 26},     {"RESINFO", 261},    {"RKEY", 57},
    {"RP", 17},      {"RRSIG", 46},    {"RT", 21},     {"Reserved", 65535}, {"SIG", 24},
    {"SMIMEA", 53},  {"SOA", 6},       {"SPF", 99},    {"SRV", 33},         {"SSHFP", 44},
    {"SVCB", 64},    {"TA", 32768},    {"TALINK", 58}, {"TKEY", 249},       {"TLSA", 52},
    {"TSIG", 250},   {"TXT", 16},      {"UID", 101},   {"UINFO", 100},      {"UNSPEC", 103},
    {"URI", 256},    {"X25", 19},      {"ZONEMD", 63},
};

/* miekg/dns StringToClass. */
static const name_code classes[] = {
    {"IN", 1}, {"CS", 2}, {"CH", 3}, {"HS", 4}, {"NONE", 254}, {"ANY", 255},
};

/* miekg/dns StringToRcode (BADVERS shares 16 with BADSIG, which wins there);
 * the first name of a code is the one printed. */
static const name_code rcodes[] = {
    {"NOERROR", 0},    {"FORMERR", 1},  {"SERVFAIL", 2},   {"NXDOMAIN", 3}, {"NOTIMP", 4},
    {"NOTIMPL", 4},    {"REFUSED", 5},  {"YXDOMAIN", 6},   {"YXRRSET", 7},  {"NXRRSET", 8},
    {"NOTAUTH", 9},    {"NOTZONE", 10}, {"DSOTYPENI", 11}, {"BADSIG", 16},  {"BADKEY", 17},
    {"BADTIME", 18},   {"BADMODE", 19}, {"BADNAME", 20},   {"BADALG", 21},  {"BADTRUNC", 22},
    {"BADCOOKIE", 23},
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const char *by_code(const name_code *t, size_t n, unsigned code) {
    for (size_t i = 0; i < n; i++)
        if (t[i].code == code)
            return t[i].name;
    return NULL;
}

static int by_name(const name_code *t, size_t n, const char *name, uint16_t *ret) {
    for (size_t i = 0; name && i < n; i++)
        if (strcmp(t[i].name, name) == 0) {
            *ret = t[i].code;
            return 0;
        }
    return OMX_ENOENT;
}

static const char *name_or(const name_code *t, size_t n, unsigned code, const char *prefix,
                           char *out, size_t len) {
    const char *s = by_code(t, n, code);
    if (s)
        snprintf(out, len, "%s", s);
    else
        snprintf(out, len, "%s%u", prefix, code);
    return out;
}

const char *bb_dns_type_name(uint16_t type, char *out, size_t len) {
    return name_or(types, N(types), type, "TYPE", out, len);
}

const char *bb_dns_class_name(uint16_t klass, char *out, size_t len) {
    return name_or(classes, N(classes), klass, "CLASS", out, len);
}

const char *bb_dns_rcode_name(int rcode, char *out, size_t len) {
    return name_or(rcodes, N(rcodes), (unsigned)rcode, "RCODE", out, len);
}

int bb_dns_type_code(const char *name, uint16_t *ret) {
    return by_name(types, N(types), name, ret);
}

int bb_dns_class_code(const char *name, uint16_t *ret) {
    return by_name(classes, N(classes), name, ret);
}

int bb_dns_rcode_code(const char *name, uint16_t *ret) {
    return by_name(rcodes, N(rcodes), name, ret);
}

bool bb_dns_name_valid(const char *name) {
    size_t wire = 1, label = 0; /* the root label's length octet */
    if (!name || !*name)
        return false;
    if (!strcmp(name, "."))
        return true;
    for (const char *s = name; *s; s++) {
        if (*s == '.') {
            if (label == 0 || label > 63)
                return false;
            wire += label + 1;
            label = 0;
            continue;
        }
        if (*s == '\\') {
            if (isdigit((unsigned char)s[1])) {
                if (!isdigit((unsigned char)s[2]) || !isdigit((unsigned char)s[3]) ||
                    (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0') > 255)
                    return false;
                s += 3;
            } else if (s[1]) {
                s++;
            } else {
                return false;
            }
        }
        label++;
    }
    if (label > 63)
        return false;
    if (label)
        wire += label + 1;
    return wire <= 255;
}
