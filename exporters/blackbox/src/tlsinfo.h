/* The TLS metrics every prober with TLS reports from a finished handshake:
 * probe_ssl_earliest_cert_expiry, probe_ssl_last_chain_expiry_timestamp_seconds,
 * probe_ssl_last_chain_info{fingerprint_sha256,subject,issuer,subjectalternative,serialnumber},
 * probe_tls_version_info{version}, probe_tls_cipher_info{cipher} — as upstream. */
#ifndef BB_TLSINFO_H
#define BB_TLSINFO_H

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <stdbool.h>
#include <stdint.h>

#include "prober.h"

/* session is borrowed (libcurl's CURLINFO_TLS_SSL_PTR gives it for http).
 * Reports every family (http's set); the chain counts as verified when GnuTLS
 * verifies the peer with the session's credentials. Returns 0 or -ENOMEM. */
int bb_tls_report(bb_probe *p, gnutls_session_t session);

/* Which families a prober reports (upstream's probers differ): */
#define BB_TLS_EARLIEST_EXPIRY 0x01u /* probe_ssl_earliest_cert_expiry */
#define BB_TLS_CHAIN_EXPIRY 0x02u    /* probe_ssl_last_chain_expiry_timestamp_seconds */
#define BB_TLS_CHAIN_INFO 0x04u      /* probe_ssl_last_chain_info{...} */
#define BB_TLS_VERSION 0x08u         /* probe_tls_version_info{version} */
#define BB_TLS_CIPHER 0x10u          /* probe_tls_cipher_info{cipher} */
#define BB_TLS_HTTP 0x1fu            /* http: all of them */
#define BB_TLS_TCP 0x0fu             /* tcp (tls and starttls): no cipher */
#define BB_TLS_GRPC 0x0du            /* grpc: no chain expiry, no cipher */

/* What the metrics need from a handshake, copied out of the session so it can
 * be reported after the connection is gone (libcurl closes it). */
typedef struct bb_tls_facts {
    int64_t earliest_expiry; /* earliest NotAfter of the certificates the peer sent */
    /* Of the verified chain (leaf up to the trust anchor): its earliest NotAfter;
     * Go's zero time (-62135596800) when nothing was verified, as upstream. */
    int64_t chain_expiry;
    char fingerprint[65];   /* sha256 of the leaf, lowercase hex */
    char serial[130];       /* lowercase hex of the serial's bytes, no leading zeros */
    char *subject, *issuer; /* leaf DNs as Go's pkix.Name.String() writes them */
    char *san;              /* the leaf's DNS names joined by "," */
    const char *version;    /* "TLS 1.2" ... or "unknown"; static */
    char cipher[96];        /* IANA name of the suite, or 0x%04X */
} bb_tls_facts;

/* Fills *ret from session (borrowed). verified says whether the peer was
 * verified (insecure_skip_verify off and the handshake succeeded). Returns 0,
 * -ENOENT when the peer sent no X.509 certificate, or -ENOMEM; on failure *ret
 * holds nothing to free. Clear with bb_tls_facts_clear. */
int bb_tls_facts_take(gnutls_session_t session, bool verified, bb_tls_facts *ret);
/* The same with the trust list (borrowed) the peer was verified against, when
 * that was not the session's own (NULL: the session's). */
int bb_tls_facts_take_trust(gnutls_session_t session, bool verified, gnutls_x509_trust_list_t tl,
                            bb_tls_facts *ret);
void bb_tls_facts_clear(bb_tls_facts *f); /* accepts a zeroed or cleared struct */
/* Adds the families in what (BB_TLS_*) to the probe. Returns 0 or -ENOMEM. */
int bb_tls_facts_report(bb_probe *p, const bb_tls_facts *f, unsigned what);
/* take + report + clear in one call; -ENOENT (nothing reported) without a
 * certificate. */
int bb_tls_report_some(bb_probe *p, gnutls_session_t session, unsigned what, bool verified);

/* Writes dn (borrowed) as Go's pkix.Name.String() would: attributes grouped
 * by type in Go's order, last first, RFC 2253 escaping, unknown types as
 * OID=#hex of their DER. Returns a malloc'ed string (caller frees) or NULL on
 * allocation failure. */
char *bb_tls_dn_string(gnutls_x509_dn_t dn);

#endif
