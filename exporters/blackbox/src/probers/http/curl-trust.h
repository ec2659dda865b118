/* Trust anchors loaded once and verified here instead of by libcurl: 7.88's
 * GnuTLS back-end parses its whole CA bundle at every handshake (14 ms of CPU
 * for Debian's 144 certificates). A probe takes a reference to the parsed
 * list of its CA source (tls_config.ca_file, the inline ca, or libcurl's
 * default bundle), libcurl is told not to verify, and the peer's chain and
 * host name are checked against that list once the handshake is done, before
 * the request is sent (CURLOPT_PREREQFUNCTION). The lists are kept in one
 * small cache shared by all threads (locked); a file is stat'ed at each probe
 * and parsed again when it changed, so a CA file replaced on disk is seen at
 * the next probe as with libcurl. */
#ifndef BB_CURL_TRUST_H
#define BB_CURL_TRUST_H

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <stddef.h>

typedef struct bb_curl_trust bb_curl_trust;

/* A reference to the trust list of ca_file (a path), else of ca_pem (inline
 * PEM text), else of the system's CA bundle (libcurl's built-in bundle, else
 * $SSL_CERT_FILE or the first of the files Go looks for, as upstream). Both strings are borrowed.
 * Returns 0 with *ret set (release with bb_curl_trust_put), or a negative
 * code with a reason in why: -ENOENT/-EACCES... when the file cannot be read,
 * OMX_EVALUE when it holds no certificate, -ENOMEM. */
int bb_curl_trust_get(const char *ca_file, const char *ca_pem, bb_curl_trust **ret, char *why,
                      size_t whylen);
/* The path of that system bundle (static; the file may not exist). */
const char *bb_curl_trust_system_bundle(void);
/* Drops a reference; NULL-safe; returns NULL. */
bb_curl_trust *bb_curl_trust_put(bb_curl_trust *t);
/* The parsed list (borrowed while the reference is held). */
gnutls_x509_trust_list_t bb_curl_trust_list(const bb_curl_trust *t);

/* Verifies the peer of session (borrowed) as libcurl would with VERIFYPEER and
 * VERIFYHOST on: the chain it sent up to an anchor of t (dates, signatures,
 * CA constraints; X.509 v1 CAs allowed as libcurl allows them) and host (a
 * name or an address literal, no brackets) against the leaf. A chain that
 * verified before against t is only checked for its dates and the host
 * (t remembers the last 64; safe from any thread). Returns 0, or OMX_EVALUE
 * with the reason in why. */
int bb_curl_trust_verify(bb_curl_trust *t, gnutls_session_t session, const char *host, char *why,
                         size_t whylen);

#endif
