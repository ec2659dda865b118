/* Included first (-include) by every source of libexporter-http and nowhere
 * else. The server defines the request API of exporter/app.h under these
 * names: the app layer's omx_request_* and omx_respond* (request.c) forward to
 * them through the server's table, so a program links against libexporter-app
 * alone and both can sit in one static archive without clashing. */
#ifndef OMX_HTTP_SERVER_NAMES_H
#define OMX_HTTP_SERVER_NAMES_H

#define omx_request_path omx__srv_request_path
#define omx_request_method omx__srv_request_method
#define omx_request_query omx__srv_request_query
#define omx_request_header omx__srv_request_header
#define omx_request_query_values omx__srv_request_query_values
#define omx_request_timeout_seconds omx__srv_request_timeout_seconds
#define omx_request_deadline_ns omx__srv_request_deadline_ns
#define omx_respond omx__srv_respond
#define omx_respond_registry omx__srv_respond_registry

#endif
