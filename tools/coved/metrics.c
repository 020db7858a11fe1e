/*
 * Metrics in the Prometheus text exposition format (version 0.0.4):
 * requests by route and status, a latency histogram per route, and named
 * counters (attestations by type and verdict, keys released, ...).  Routes
 * are normalised (ids stripped) so the label set stays small.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coved.h"

#define MAX_SERIES 128
static const double buckets[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5};
#define NB (sizeof(buckets) / sizeof(buckets[0]))

typedef struct series {
	char name[48];
	char label[96];
	int status;
	uint64_t count;
	double sum;
	uint64_t hist[NB + 1];
	bool histogram;
} series;

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static series all[MAX_SERIES];
static size_t nseries;

/* "/attest/SevSnpVm" stays; "/keys/NAME/release" -> "/keys/{name}/release"; "/kbs/v0/resource/..." -> prefix. */
static void normalise(const char *path, char *out, size_t cap)
{
	if (strncmp(path, "/keys/", 6) == 0) {
		const char *rest = strchr(path + 6, '/');
		snprintf(out, cap, "/keys/{name}%s", rest ? rest : "");
	} else if (strncmp(path, "/kbs/v0/resource/", 17) == 0) {
		snprintf(out, cap, "/kbs/v0/resource/{path}");
	} else if (strncmp(path, "/policies/", 10) == 0) {
		snprintf(out, cap, "%s", path);
		if (strlen(out) > 40)
			out[40] = '\0';
	} else if (strlen(path) > 40) {
		snprintf(out, cap, "{other}");
	} else {
		snprintf(out, cap, "%s", path);
	}
}

static series *find(const char *name, const char *label, int status, bool histogram)
{
	for (size_t i = 0; i < nseries; i++)
		if (all[i].status == status && strcmp(all[i].name, name) == 0 && strcmp(all[i].label, label) == 0)
			return &all[i];
	if (nseries == MAX_SERIES)
		return NULL;
	series *s = &all[nseries++];
	snprintf(s->name, sizeof(s->name), "%s", name);
	snprintf(s->label, sizeof(s->label), "%s", label);
	s->status = status;
	s->histogram = histogram;
	return s;
}

void coved_metrics_request(const char *route, int status, double seconds)
{
	char r[96];
	series *s;

	normalise(route, r, sizeof(r));
	pthread_mutex_lock(&mu);
	s = find("coved_http_requests", r, status, true);
	if (s) {
		size_t b = 0;
		s->count++;
		s->sum += seconds;
		while (b < NB && seconds > buckets[b])
			b++;
		s->hist[b]++;
	}
	pthread_mutex_unlock(&mu);
}

void coved_metrics_count(const char *name, const char *label, uint64_t n)
{
	series *s;

	pthread_mutex_lock(&mu);
	s = find(name, label ? label : "", 0, false);
	if (s)
		s->count += n;
	pthread_mutex_unlock(&mu);
}

static void append(char **buf, size_t *len, size_t *cap, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void append(char **buf, size_t *len, size_t *cap, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!*buf)
		return;
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(*buf + *len, *cap - *len, fmt, ap);
		va_end(ap);
		if (n < 0)
			return;
		if ((size_t)n < *cap - *len) {
			*len += (size_t)n;
			return;
		}
		char *nb = realloc(*buf, *cap * 2 + (size_t)n);
		if (!nb) {
			free(*buf);
			*buf = NULL;
			return;
		}
		*buf = nb;
		*cap = *cap * 2 + (size_t)n;
	}
}

char *coved_metrics_render(void)
{
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap);

	if (buf)
		buf[0] = '\0';
	pthread_mutex_lock(&mu);
	append(&buf, &len, &cap, "# HELP coved_http_requests HTTP requests by route and status.\n"
				 "# TYPE coved_http_requests counter\n");
	for (size_t i = 0; i < nseries; i++)
		if (all[i].histogram)
			append(&buf, &len, &cap, "coved_http_requests_total{route=\"%s\",status=\"%d\"} %llu\n",
			       all[i].label, all[i].status, (unsigned long long)all[i].count);
	append(&buf, &len, &cap, "# HELP coved_http_request_seconds Request latency.\n"
				 "# TYPE coved_http_request_seconds histogram\n");
	for (size_t i = 0; i < nseries; i++) {
		uint64_t cum = 0;
		if (!all[i].histogram)
			continue;
		for (size_t b = 0; b < NB; b++) {
			cum += all[i].hist[b];
			append(&buf, &len, &cap, "coved_http_request_seconds_bucket{route=\"%s\",status=\"%d\",le=\"%g\"} %llu\n",
			       all[i].label, all[i].status, buckets[b], (unsigned long long)cum);
		}
		cum += all[i].hist[NB];
		append(&buf, &len, &cap,
		       "coved_http_request_seconds_bucket{route=\"%s\",status=\"%d\",le=\"+Inf\"} %llu\n"
		       "coved_http_request_seconds_sum{route=\"%s\",status=\"%d\"} %.6f\n"
		       "coved_http_request_seconds_count{route=\"%s\",status=\"%d\"} %llu\n",
		       all[i].label, all[i].status, (unsigned long long)cum, all[i].label, all[i].status, all[i].sum,
		       all[i].label, all[i].status, (unsigned long long)all[i].count);
	}
	/* Counters, grouped by family as the format requires. */
	for (size_t i = 0; i < nseries; i++) {
		bool first = true;
		if (all[i].histogram)
			continue;
		for (size_t j = 0; j < i; j++)
			if (!all[j].histogram && strcmp(all[j].name, all[i].name) == 0)
				first = false;
		if (!first)
			continue;
		append(&buf, &len, &cap, "# TYPE %s counter\n", all[i].name);
		for (size_t j = i; j < nseries; j++)
			if (!all[j].histogram && strcmp(all[j].name, all[i].name) == 0)
				append(&buf, &len, &cap, "%s_total{kind=\"%s\"} %llu\n", all[j].name, all[j].label,
				       (unsigned long long)all[j].count);
	}
	pthread_mutex_unlock(&mu);
	return buf;
}
