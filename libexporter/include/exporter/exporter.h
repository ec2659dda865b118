/* omx libexporter: the umbrella header of the core (registry, metrics,
 * collectors, writers, process collector). Link with `pkg-config --libs
 * libexporter`; no HTTP or TLS library comes with it. An exporter process
 * (flags, logging, HTTP server) includes exporter/app.h instead. */
#ifndef EXPORTER_EXPORTER_H
#define EXPORTER_EXPORTER_H

#include "exporter/version.h"
#include "exporter/error.h"
#include "exporter/registry.h"
#include "exporter/collector.h"
#include "exporter/writer.h"
#include "exporter/process.h"
#include "exporter/emit.h"
#include "exporter/file.h"
#include "exporter/text.h"
#include "exporter/visit.h"
#include "exporter/dlsyms.h"

#endif
