/*
 * HTTP GET with bounded back-off for cove's collateral clients (see
 * http.h), on libcurl's easy interface.  Moved here from src/kds so that
 * the AMD KDS and Intel PCS / PCCS clients share one implementation.
 *
 * Both services throttle: AMD KDS with HTTP 429 (about one VCEK per ~10 s
 * per address, shared/research/snp.md section f; trustee #456,
 * go-sev-guest's retrying getter), Intel PCS with 429 and Retry-After.
 * Retry-After (RFC 9110 section 10.2.3: delay-seconds or an HTTP-date) is
 * honoured when present; otherwise the delay doubles from retry_delay_ms.
 * Both the number of retries and the total time spent waiting are capped,
 * and a wait that would exceed the budget fails at once instead of
 * sleeping first.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "net/http.h"

struct cove_http {
	cove_http_opts o;
	char *service, *user_agent, *ca_file; /* owned copies of the option strings */
	CURL *curl; /* reused so that connections are kept alive */
	char errbuf[CURL_ERROR_SIZE];
};

typedef struct sink {
	cove_buf *body;
	size_t max;
	bool overflow;
	bool nomem;
} sink;

static size_t on_data(char *ptr, size_t size, size_t nmemb, void *ud)
{
	sink *s = ud;
	size_t n = size * nmemb;
	if (n > s->max || s->body->len > s->max - n) {
		s->overflow = true;
		return 0; /* makes curl abort with CURLE_WRITE_ERROR */
	}
	if (cove_buf_append(s->body, ptr, n, NULL) != COVE_OK) {
		s->nomem = true;
		return 0;
	}
	return n;
}

static bool copy_opt(const char *in, const char *fallback, char **out)
{
	const char *s = in ? in : fallback;
	*out = NULL;
	if (!s)
		return true;
	*out = strdup(s);
	return *out != NULL;
}

cove_err cove_http_new(const cove_http_opts *o, cove_http **out, cove_error *e)
{
	*out = NULL;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return cove_error_set(e, COVE_ERR_INTERNAL, "libcurl initialisation failed");
	cove_http *h = calloc(1, sizeof(*h));
	if (!h) {
		curl_global_cleanup();
		return cove_error_set(e, COVE_ERR_NOMEM, "out of memory");
	}
	h->o = *o;
	if (!copy_opt(o->service, "the server", &h->service) || !copy_opt(o->user_agent, "cove/0.1", &h->user_agent) ||
	    !copy_opt(o->ca_file, NULL, &h->ca_file)) {
		cove_http_free(h);
		return cove_error_set(e, COVE_ERR_NOMEM, "out of memory");
	}
	h->o.service = h->service;
	h->o.user_agent = h->user_agent;
	h->o.ca_file = h->ca_file;
	h->curl = curl_easy_init();
	if (!h->curl) {
		cove_http_free(h);
		return cove_error_set(e, COVE_ERR_INTERNAL, "cannot create a libcurl handle");
	}
	*out = h;
	return COVE_OK;
}

void cove_http_free(cove_http *h)
{
	if (!h)
		return;
	if (h->curl)
		curl_easy_cleanup(h->curl);
	free(h->service);
	free(h->user_agent);
	free(h->ca_file);
	free(h);
	curl_global_cleanup();
}

/* The Retry-After of the last response in milliseconds; false when absent or unreadable. */
static bool retry_after_ms(CURL *curl, unsigned long long *out)
{
	struct curl_header *hdr = NULL;
	if (curl_easy_header(curl, "Retry-After", 0, CURLH_HEADER, -1, &hdr) != CURLHE_OK || !hdr->value)
		return false;
	const char *v = hdr->value;
	while (*v == ' ' || *v == '\t')
		v++;
	if (isdigit((unsigned char)*v)) {
		unsigned long long s = 0;
		for (; isdigit((unsigned char)*v); v++) {
			s = s * 10 + (unsigned)(*v - '0');
			if (s > 86400ull * 365)
				s = 86400ull * 365; /* longer than any budget; avoids overflow */
		}
		while (*v == ' ' || *v == '\t')
			v++;
		if (*v)
			return false;
		*out = s * 1000;
		return true;
	}
	time_t when = curl_getdate(v, NULL);
	if (when == (time_t)-1)
		return false;
	time_t now = time(NULL);
	*out = when > now ? (unsigned long long)(when - now) * 1000 : 0;
	return true;
}

static void sleep_ms(unsigned long long ms)
{
	struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static cove_err perform(cove_http *h, const char *url, cove_buf *body, long *status, cove_error *e)
{
	CURL *c = h->curl;
	sink s = {.body = body, .max = h->o.max_response};
	curl_easy_reset(c);
	h->errbuf[0] = '\0';
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_USERAGENT, h->o.user_agent);
	if (h->o.ca_file)
		curl_easy_setopt(c, CURLOPT_CAINFO, h->o.ca_file);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)h->o.timeout_ms);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)h->o.connect_timeout_ms);
	curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)h->o.max_response);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &s);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, h->errbuf);

	CURLcode cc = curl_easy_perform(c);
	if (s.nomem)
		return cove_error_set(e, COVE_ERR_NOMEM, "out of memory reading %s", url);
	if (s.overflow || cc == CURLE_FILESIZE_EXCEEDED)
		return cove_error_set(e, COVE_ERR_UNAVAILABLE, "the answer from %s is larger than the %zu bytes accepted",
				      url, h->o.max_response);
	if (cc == CURLE_OPERATION_TIMEDOUT)
		return cove_error_set(e, COVE_ERR_UNAVAILABLE, "request to %s timed out: %s", url,
				      h->errbuf[0] ? h->errbuf : curl_easy_strerror(cc));
	if (cc != CURLE_OK)
		return cove_error_set(e, COVE_ERR_UNAVAILABLE, "cannot fetch %s: %s", url,
				      h->errbuf[0] ? h->errbuf : curl_easy_strerror(cc));
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
	return COVE_OK;
}

/* The first of `names` present in the last response, copied; *out = NULL when none is. */
static cove_err read_header(cove_http *h, const char *const *names, char **out, cove_error *e)
{
	*out = NULL;
	for (; names && *names; names++) {
		struct curl_header *hdr = NULL;
		if (curl_easy_header(h->curl, *names, 0, CURLH_HEADER, -1, &hdr) != CURLHE_OK || !hdr->value)
			continue;
		if (!(*out = strdup(hdr->value)))
			return cove_error_set(e, COVE_ERR_NOMEM, "out of memory");
		return COVE_OK;
	}
	return COVE_OK;
}

cove_err cove_http_get(cove_http *h, const char *url, const char *const *headers, cove_buf *body, char **header,
		       cove_error *e)
{
	cove_err rc = COVE_OK;
	cove_buf b = {0};
	unsigned long long waited = 0, delay = h->o.retry_delay_ms;
	const char *svc = h->o.service;

	if (header)
		*header = NULL;
	for (unsigned attempt = 0;; attempt++) {
		long status = 0;
		cove_buf_free(&b);
		if ((rc = perform(h, url, &b, &status, e)))
			goto out;
		if (status == 200) {
			if (!b.data && (rc = cove_buf_set(&b, "", 0, e)))
				goto out;
			if (header && (rc = read_header(h, headers, header, e)))
				goto out;
			cove_buf_free(body);
			*body = b;
			return COVE_OK;
		}
		if (status == 404) {
			rc = cove_error_set(e, COVE_ERR_UNAVAILABLE, "%s has no such object: HTTP 404 for %s", svc, url);
			goto out;
		}
		if (status != 429 && status != 503) {
			rc = cove_error_set(e, COVE_ERR_UNAVAILABLE, "%s answered HTTP %ld for %s", svc, status, url);
			goto out;
		}
		unsigned long long wait;
		bool told = retry_after_ms(h->curl, &wait);
		if (!told) {
			wait = delay;
			delay = delay > (1ull << 40) ? delay : delay * 2;
		}
		if (attempt >= h->o.max_retries) {
			rc = cove_error_set(e, COVE_ERR_UNAVAILABLE, "%s is throttling: still HTTP %ld for %s after %u retr%s",
					    svc, status, url, attempt, attempt == 1 ? "y" : "ies");
			goto out;
		}
		if (waited + wait > h->o.max_wait_ms) {
			rc = cove_error_set(e, COVE_ERR_UNAVAILABLE,
					    "%s is throttling: HTTP %ld for %s %s %llu ms, more than the %llu ms left "
					    "of the %u ms back-off budget",
					    svc, status, url, told ? "with Retry-After" : "and the next back-off is", wait,
					    (unsigned long long)h->o.max_wait_ms - waited, h->o.max_wait_ms);
			goto out;
		}
		sleep_ms(wait);
		waited += wait;
	}
out:
	if (header) {
		free(*header);
		*header = NULL;
	}
	cove_buf_free(&b);
	return rc;
}
