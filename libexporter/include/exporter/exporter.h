/* omx libexporter: the umbrella header. Link with `pkg-config --libs libexporter`. */
#ifndef EXPORTER_EXPORTER_H
#define EXPORTER_EXPORTER_H

#include "exporter/error.h"
#include "exporter/registry.h"
#include "exporter/collector.h"
#include "exporter/writer.h"
#include "exporter/process.h"
#include "exporter/log.h"
#include "exporter/app.h"
#include "exporter/emit.h"
#include "exporter/file.h"
#include "exporter/regex.h"
#include "exporter/text.h"
#include "exporter/yamlconf.h"

#endif
