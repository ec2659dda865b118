/* The TLS metrics every prober with TLS reports from a finished handshake:
 * probe_ssl_earliest_cert_expiry, probe_ssl_last_chain_expiry_timestamp_seconds,
 * probe_ssl_last_chain_info{fingerprint_sha256,subject,issuer,subjectalternative,serialnumber},
 * probe_tls_version_info{version}, probe_tls_cipher_info{cipher} — as upstream. */
#ifndef BB_TLSINFO_H
#define BB_TLSINFO_H

#include <gnutls/gnutls.h>

#include "prober.h"

/* session is borrowed (libcurl's CURLINFO_TLS_SSL_PTR gives it for http).
 * Returns 0 or -ENOMEM. */
int bb_tls_report(bb_probe *p, gnutls_session_t session);

#endif
