/*
 * Metrics in the Prometheus text exposition format 0.0.4: requests and a
 * latency histogram by route pattern (the route table's, so the label set is
 * bounded whatever clients send: unknown paths are "{unmatched}") and status,
 * and named counters (attestations by outcome, releases, ...) in a table of
 * their own.  Label values are escaped as the format requires.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coved.h"

#define MAX_REQUEST_SERIES 256 /* routes x statuses */
#define MAX_COUNTERS 64
static const double buckets[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5};
#define NB (sizeof(buckets) / sizeof(buckets[0]))

typedef struct req_series {
	char route[64];
	int status;
	uint64_t count;
	double sum;
	uint64_t hist[NB + 1];
} req_series;

typedef struct counter {
	char name[48];
	char kind[48];
	uint64_t count;
} counter;

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static req_series reqs[MAX_REQUEST_SERIES];
static size_t nreqs;
static counter counters[MAX_COUNTERS];
static size_t ncounters;

void coved_metrics_request(const char *route, int status, double seconds)
{
	req_series *s = NULL;
	size_t b = 0;

	pthread_mutex_lock(&mu);
	for (size_t i = 0; i < nreqs && !s; i++)
		if (reqs[i].status == status && strcmp(reqs[i].route, route) == 0)
			s = &reqs[i];
	if (!s && nreqs < MAX_REQUEST_SERIES) {
		s = &reqs[nreqs++];
		snprintf(s->route, sizeof(s->route), "%s", route);
		s->status = status;
	}
	if (s) {
		s->count++;
		s->sum += seconds;
		while (b < NB && seconds > buckets[b])
			b++;
		s->hist[b]++;
	}
	pthread_mutex_unlock(&mu);
}

void coved_metrics_count(const char *name, const char *kind, uint64_t n)
{
	counter *c = NULL;

	if (!kind)
		kind = "";
	pthread_mutex_lock(&mu);
	for (size_t i = 0; i < ncounters && !c; i++)
		if (strcmp(counters[i].name, name) == 0 && strcmp(counters[i].kind, kind) == 0)
			c = &counters[i];
	if (!c && ncounters < MAX_COUNTERS) {
		c = &counters[ncounters++];
		snprintf(c->name, sizeof(c->name), "%s", name);
		snprintf(c->kind, sizeof(c->kind), "%s", kind);
	}
	if (c)
		c->count += n;
	pthread_mutex_unlock(&mu);
}

typedef struct out {
	char *buf;
	size_t len, cap;
} out;

static void emit(out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void emit(out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!o->buf)
		return;
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(o->buf + o->len, o->cap - o->len, fmt, ap);
		va_end(ap);
		if (n < 0)
			return;
		if ((size_t)n < o->cap - o->len) {
			o->len += (size_t)n;
			return;
		}
		size_t cap = o->cap * 2 + (size_t)n;
		char *nb = realloc(o->buf, cap);
		if (!nb) {
			free(o->buf);
			o->buf = NULL;
			return;
		}
		o->buf = nb;
		o->cap = cap;
	}
}

/* A label value with \, " and newline escaped (exposition format 0.0.4). */
static void escape(const char *in, char *outbuf, size_t cap)
{
	size_t o = 0;
	for (; *in && o + 3 < cap; in++) {
		if (*in == '\\' || *in == '"') {
			outbuf[o++] = '\\';
			outbuf[o++] = *in;
		} else if (*in == '\n') {
			outbuf[o++] = '\\';
			outbuf[o++] = 'n';
		} else
			outbuf[o++] = *in;
	}
	outbuf[o] = '\0';
}

char *coved_metrics_render(void)
{
	out o = {malloc(4096), 0, 4096};
	char r[160];

	if (o.buf)
		o.buf[0] = '\0';
	pthread_mutex_lock(&mu);
	emit(&o, "# HELP coved_http_requests_total HTTP requests by route and status.\n"
		 "# TYPE coved_http_requests_total counter\n");
	for (size_t i = 0; i < nreqs; i++) {
		escape(reqs[i].route, r, sizeof(r));
		emit(&o, "coved_http_requests_total{route=\"%s\",status=\"%d\"} %llu\n", r, reqs[i].status,
		     (unsigned long long)reqs[i].count);
	}
	emit(&o, "# HELP coved_http_request_seconds Request latency by route and status.\n"
		 "# TYPE coved_http_request_seconds histogram\n");
	for (size_t i = 0; i < nreqs; i++) {
		uint64_t cum = 0;
		escape(reqs[i].route, r, sizeof(r));
		for (size_t b = 0; b < NB; b++) {
			cum += reqs[i].hist[b];
			emit(&o, "coved_http_request_seconds_bucket{route=\"%s\",status=\"%d\",le=\"%g\"} %llu\n", r,
			     reqs[i].status, buckets[b], (unsigned long long)cum);
		}
		cum += reqs[i].hist[NB];
		emit(&o,
		     "coved_http_request_seconds_bucket{route=\"%s\",status=\"%d\",le=\"+Inf\"} %llu\n"
		     "coved_http_request_seconds_sum{route=\"%s\",status=\"%d\"} %.6f\n"
		     "coved_http_request_seconds_count{route=\"%s\",status=\"%d\"} %llu\n",
		     r, reqs[i].status, (unsigned long long)cum, r, reqs[i].status, reqs[i].sum, r, reqs[i].status,
		     (unsigned long long)reqs[i].count);
	}
	/* Named counters, one family at a time, TYPE naming the samples exactly. */
	for (size_t i = 0; i < ncounters; i++) {
		bool first = true;
		for (size_t j = 0; j < i; j++)
			if (strcmp(counters[j].name, counters[i].name) == 0)
				first = false;
		if (!first)
			continue;
		emit(&o, "# TYPE %s_total counter\n", counters[i].name);
		for (size_t j = i; j < ncounters; j++) {
			if (strcmp(counters[j].name, counters[i].name) != 0)
				continue;
			escape(counters[j].kind, r, sizeof(r));
			emit(&o, "%s_total{kind=\"%s\"} %llu\n", counters[j].name, r, (unsigned long long)counters[j].count);
		}
	}
	pthread_mutex_unlock(&mu);
	return o.buf;
}
