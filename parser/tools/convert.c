/* omx-check --convert: an in-memory model of the parsed document (families,
 * series by label set, values per type), replayed as a collector into a
 * libexporter registry and written with omx_registry_write(). What the
 * emitter API cannot carry (exemplars, _created, timestamps on histogram,
 * summary, stateset and info samples) is reported on stderr, never dropped
 * silently. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exporter/collector.h"
#include "exporter/error.h"
#include "exporter/registry.h"
#include "exporter/writer.h"

#include "convert.h"

typedef struct cseries {
	char **lvals;
	double value;
	bool has_value, has_ts;
	int64_t ts_ms;
	double *bounds, *cum, *qs, *qv;
	size_t nb, nq, ns;
	char **states;
	bool *set;
	double count, sum;
	bool has_count, has_sum;
} cseries;

typedef struct cfam {
	char *name, *help, *unit;
	omp_type type;
	char **lnames;
	size_t nl;
	bool lnames_known;
	cseries *series;
	size_t n, cap;
} cfam;

struct convert {
	cfam *fams;
	size_t n, cap;
	unsigned dropped_exemplars, dropped_created, dropped_ts;
};

static void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q) {
		fputs("omx-check: out of memory\n", stderr);
		exit(2);
	}
	return q;
}

static char *dupstr(omp_str s)
{
	char *d = xrealloc(NULL, s.len + 1);
	memcpy(d, s.ptr, s.len);
	d[s.len] = '\0';
	return d;
}

static char *dupval(const omp_label *l)
{
	char *d = xrealloc(NULL, l->value.len + 1);
	if (!l->escaped) {
		memcpy(d, l->value.ptr, l->value.len);
		d[l->value.len] = '\0';
	} else {
		omp_unescape(l->value, d, l->value.len + 1);
	}
	return d;
}

static bool streq(omp_str s, const char *c)
{
	return c && s.len == strlen(c) && memcmp(s.ptr, c, s.len) == 0;
}

convert *convert_new(void)
{
	return calloc(1, sizeof(convert));
}

static cfam *family(convert *c, omp_str name, omp_type type)
{
	if (c->n && streq(name, c->fams[c->n - 1].name))
		return &c->fams[c->n - 1];
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 64;
		c->fams = xrealloc(c->fams, c->cap * sizeof(cfam));
	}
	cfam *f = &c->fams[c->n++];
	memset(f, 0, sizeof(*f));
	f->name = dupstr(name);
	f->type = type;
	return f;
}

/* The label that is part of the sample kind, not of the series. */
static bool special_label(const cfam *f, const omp_entry *e, const omp_label *l)
{
	if ((f->type == OMP_TYPE_HISTOGRAM || f->type == OMP_TYPE_GAUGEHISTOGRAM) &&
	    streq(e->suffix, "_bucket") && streq(l->name, "le"))
		return true;
	if (f->type == OMP_TYPE_SUMMARY && e->suffix.len == 0 && streq(l->name, "quantile"))
		return true;
	if (f->type == OMP_TYPE_STATESET && streq(l->name, f->name))
		return true;
	return false;
}

static int fail(const char *src, const omp_entry *e, const char *msg, const char *name)
{
	fprintf(stderr, "%s:%u: cannot convert: %s %s\n", src, e->line, name, msg);
	return OMX_EVALUE;
}

static cseries *series(cfam *f, const omp_entry *e, const char *src)
{
	size_t nl = 0;
	const omp_label *vals[256];

	if (!f->lnames_known) {
		for (size_t i = 0; i < e->n_labels; i++)
			if (!special_label(f, e, &e->labels[i]))
				nl++;
		f->lnames = xrealloc(NULL, (nl ? nl : 1) * sizeof(char *));
		f->nl = 0;
		for (size_t i = 0; i < e->n_labels; i++)
			if (!special_label(f, e, &e->labels[i]))
				f->lnames[f->nl++] = dupstr(e->labels[i].name);
		f->lnames_known = true;
	}
	/* Map this sample's labels onto the family's names. */
	for (size_t i = 0; i < f->nl && i < 256; i++)
		vals[i] = NULL;
	for (size_t i = 0; i < e->n_labels; i++) {
		size_t j;
		if (special_label(f, e, &e->labels[i]))
			continue;
		for (j = 0; j < f->nl; j++)
			if (streq(e->labels[i].name, f->lnames[j]))
				break;
		if (j == f->nl || j >= 256) {
			fail(src, e, "has series with different label names", f->name);
			return NULL;
		}
		vals[j] = &e->labels[i];
		nl++;
	}
	for (size_t j = 0; j < f->nl; j++)
		if (!vals[j]) {
			fail(src, e, "has series with different label names", f->name);
			return NULL;
		}
	/* Same series as the last one? (samples of a series are contiguous) */
	if (f->n) {
		cseries *s = &f->series[f->n - 1];
		size_t j;
		for (j = 0; j < f->nl; j++) {
			const omp_label *l = vals[j];
			char tmp[4096];
			const char *v = tmp;
			if (l->escaped && l->value.len < sizeof(tmp))
				omp_unescape(l->value, tmp, sizeof(tmp));
			else if (!l->escaped)
				v = NULL;
			if (v ? strcmp(v, s->lvals[j]) != 0
			      : (strlen(s->lvals[j]) != l->value.len ||
				 memcmp(s->lvals[j], l->value.ptr, l->value.len) != 0))
				break;
		}
		if (j == f->nl)
			return s;
	}
	if (f->n == f->cap) {
		f->cap = f->cap ? f->cap * 2 : 16;
		f->series = xrealloc(f->series, f->cap * sizeof(cseries));
	}
	cseries *s = &f->series[f->n++];
	memset(s, 0, sizeof(*s));
	s->lvals = xrealloc(NULL, (f->nl ? f->nl : 1) * sizeof(char *));
	for (size_t j = 0; j < f->nl; j++)
		s->lvals[j] = dupval(vals[j]);
	return s;
}

static const omp_label *label(const omp_entry *e, const char *name)
{
	for (size_t i = 0; i < e->n_labels; i++)
		if (streq(e->labels[i].name, name))
			return &e->labels[i];
	return NULL;
}

int convert_add(convert *c, const omp_entry *e, const char *src)
{
	cfam *f;
	cseries *s;

	if (e->kind == OMP_EOF)
		return 0;
	f = family(c, e->family, e->type);
	f->type = e->type;
	if (e->kind == OMP_HELP) {
		free(f->help);
		f->help = dupstr(e->text);
		if (e->text_escaped)
			omp_unescape(e->text, f->help, e->text.len + 1);
		return 0;
	}
	if (e->kind == OMP_UNIT) {
		free(f->unit);
		f->unit = e->text.len ? dupstr(e->text) : NULL;
		return 0;
	}
	if (e->kind != OMP_SAMPLE)
		return 0;
	if (e->has_exemplar)
		c->dropped_exemplars++;
	if (streq(e->suffix, "_created")) {
		c->dropped_created++;
		return 0;
	}
	s = series(f, e, src);
	if (!s)
		return OMX_EVALUE; /* series() said why */
	switch (f->type) {
	case OMP_TYPE_HISTOGRAM:
	case OMP_TYPE_GAUGEHISTOGRAM:
		if (e->has_timestamp)
			c->dropped_ts++;
		if (streq(e->suffix, "_bucket")) {
			const omp_label *le = label(e, "le");
			char buf[64];
			double b;
			if (!le || le->value.len >= sizeof(buf))
				return fail(src, e, "has a bucket without a usable le", f->name);
			memcpy(buf, le->value.ptr, le->value.len);
			buf[le->value.len] = '\0';
			b = strtod(buf, NULL);
			if (e->value < 0 || e->value != floor(e->value) || e->value > 9007199254740992.0)
				return fail(src, e, "has a bucket count that is not a non-negative integer", f->name);
			s->bounds = xrealloc(s->bounds, (s->nb + 1) * sizeof(double));
			s->cum = xrealloc(s->cum, (s->nb + 1) * sizeof(double));
			s->bounds[s->nb] = b;
			s->cum[s->nb++] = e->value;
		} else if (streq(e->suffix, "_count") || streq(e->suffix, "_gcount")) {
			s->count = e->value;
			s->has_count = true;
		} else if (streq(e->suffix, "_sum") || streq(e->suffix, "_gsum")) {
			s->sum = e->value;
			s->has_sum = true;
		}
		return 0;
	case OMP_TYPE_SUMMARY:
		if (e->has_timestamp)
			c->dropped_ts++;
		if (e->suffix.len == 0) {
			const omp_label *q = label(e, "quantile");
			char buf[64];
			if (!q || q->value.len >= sizeof(buf))
				return fail(src, e, "has a quantile sample without a usable quantile", f->name);
			memcpy(buf, q->value.ptr, q->value.len);
			buf[q->value.len] = '\0';
			s->qs = xrealloc(s->qs, (s->nq + 1) * sizeof(double));
			s->qv = xrealloc(s->qv, (s->nq + 1) * sizeof(double));
			s->qs[s->nq] = strtod(buf, NULL);
			s->qv[s->nq++] = e->value;
		} else if (streq(e->suffix, "_count")) {
			s->count = e->value;
			s->has_count = true;
		} else if (streq(e->suffix, "_sum")) {
			s->sum = e->value;
			s->has_sum = true;
		}
		return 0;
	case OMP_TYPE_STATESET: {
		const omp_label *st = label(e, f->name);
		if (e->has_timestamp)
			c->dropped_ts++;
		s->states = xrealloc(s->states, (s->ns + 1) * sizeof(char *));
		s->set = xrealloc(s->set, (s->ns + 1) * sizeof(bool));
		s->states[s->ns] = dupval(st);
		s->set[s->ns++] = e->value != 0;
		return 0;
	}
	default:
		if (s->has_value)
			return fail(src, e, "has two samples for one label set", f->name);
		s->value = e->value;
		s->has_value = true;
		s->has_ts = e->has_timestamp;
		s->ts_ms = e->timestamp_ms;
		return 0;
	}
}

static omx_type to_omx(omp_type t)
{
	switch (t) {
	case OMP_TYPE_COUNTER: return OMX_COUNTER;
	case OMP_TYPE_GAUGE: return OMX_GAUGE;
	case OMP_TYPE_HISTOGRAM: return OMX_HISTOGRAM;
	case OMP_TYPE_GAUGEHISTOGRAM: return OMX_GAUGEHISTOGRAM;
	case OMP_TYPE_STATESET: return OMX_STATESET;
	case OMP_TYPE_INFO: return OMX_INFO;
	case OMP_TYPE_SUMMARY: return OMX_SUMMARY;
	default: return OMX_UNKNOWN;
	}
}

static int replay(omx_emitter *em, void *userdata)
{
	convert *c = userdata;

	for (size_t i = 0; i < c->n; i++) {
		cfam *f = &c->fams[i];
		omx_desc d = {
			.name = f->name, .help = f->help, .unit = f->unit, .type = to_omx(f->type),
			.label_names = (const char *const *)f->lnames, .n_labels = f->nl,
		};
		int r = omx_emit_family(em, &d);
		if (r < 0) {
			fprintf(stderr, "omx-check: cannot convert family %s: %s\n", f->name, omx_strerror(r));
			return r;
		}
		for (size_t j = 0; j < f->n; j++) {
			cseries *s = &f->series[j];
			const char *const *lv = (const char *const *)s->lvals;
			switch (f->type) {
			case OMP_TYPE_HISTOGRAM:
			case OMP_TYPE_GAUGEHISTOGRAM: {
				uint64_t *cum = xrealloc(NULL, (s->nb ? s->nb : 1) * sizeof(uint64_t));
				for (size_t k = 0; k < s->nb; k++)
					cum[k] = (uint64_t)s->cum[k];
				uint64_t count = s->has_count ? (uint64_t)s->count : s->nb ? cum[s->nb - 1] : 0;
				r = omx_emit_histogram(em, lv, s->nb, s->bounds, cum, count,
						       s->has_sum ? s->sum : NAN);
				free(cum);
				break;
			}
			case OMP_TYPE_SUMMARY:
				r = omx_emit_summary(em, lv, s->has_count ? (uint64_t)s->count : 0,
						     s->has_sum ? s->sum : 0, s->nq, s->qs, s->qv);
				break;
			case OMP_TYPE_STATESET:
				r = omx_emit_stateset(em, lv, s->ns, (const char *const *)s->states, s->set);
				break;
			default:
				r = s->has_ts ? omx_emit_sample_ts(em, lv, s->value, s->ts_ms)
					      : omx_emit_sample(em, lv, s->value);
			}
			if (r < 0) {
				fprintf(stderr, "omx-check: cannot convert a series of %s: %s\n", f->name,
					omx_strerror(r));
				return r;
			}
		}
	}
	return 0;
}

static int to_stdout(void *ctx, const char *data, size_t len)
{
	(void)ctx;
	return fwrite(data, 1, len, stdout) == len ? 0 : OMX_EIO;
}

int convert_write(convert *c, omp_format to)
{
	omx_registry *r = omx_registry_new();
	omx_write_opts o = {
		.format = to == OMP_FORMAT_OPENMETRICS ? OMX_FORMAT_OPENMETRICS : OMX_FORMAT_PROMETHEUS,
	};
	int ok = 0;

	/* A histogram or summary without _sum/_count cannot be written as is. */
	for (size_t i = 0; i < c->n; i++)
		for (size_t j = 0; j < c->fams[i].n; j++) {
			cseries *s = &c->fams[i].series[j];
			omp_type t = c->fams[i].type;
			if ((t == OMP_TYPE_HISTOGRAM || t == OMP_TYPE_GAUGEHISTOGRAM || t == OMP_TYPE_SUMMARY) &&
			    (!s->has_sum || !s->has_count)) {
				fprintf(stderr, "omx-check: cannot convert %s: a series without _sum/_count\n",
					c->fams[i].name);
				omx_registry_free(r);
				return OMX_EVALUE;
			}
		}
	int rc = r ? omx_registry_add_collector(r, "convert", replay, c, NULL) : OMX_ENOMEM;
	if (rc < 0) {
		fprintf(stderr, "omx-check: cannot set up the registry: %s\n", omx_strerror(rc));
		omx_registry_free(r);
		return rc;
	}
	if ((rc = omx_registry_write(r, &o, to_stdout, NULL)) < 0) {
		fprintf(stderr, "omx-check: cannot write the conversion: %s\n", omx_strerror(rc));
		ok = rc;
	}
	omx_registry_free(r);
	if (c->dropped_exemplars || c->dropped_created || c->dropped_ts)
		fprintf(stderr,
			"omx-check: warning: not converted: %u exemplar(s), %u _created sample(s), %u timestamp(s) on histogram/summary/stateset samples\n",
			c->dropped_exemplars, c->dropped_created, c->dropped_ts);
	return ok;
}

convert *convert_free(convert *c)
{
	if (!c)
		return NULL;
	for (size_t i = 0; i < c->n; i++) {
		cfam *f = &c->fams[i];
		for (size_t j = 0; j < f->n; j++) {
			cseries *s = &f->series[j];
			for (size_t k = 0; k < f->nl; k++)
				free(s->lvals[k]);
			for (size_t k = 0; k < s->ns; k++)
				free(s->states[k]);
			free(s->lvals);
			free(s->states);
			free(s->set);
			free(s->bounds);
			free(s->cum);
			free(s->qs);
			free(s->qv);
		}
		for (size_t k = 0; k < f->nl; k++)
			free(f->lnames[k]);
		free(f->lnames);
		free(f->series);
		free(f->name);
		free(f->help);
		free(f->unit);
	}
	free(c->fams);
	free(c);
	return NULL;
}
