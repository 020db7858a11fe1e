/*
 * HTTP GET with bounded back-off for the KDS client (see kds_http.h), on
 * libcurl's easy interface.
 *
 * AMD KDS throttles clients with HTTP 429 (about one VCEK per ~10 s per
 * address, shared/research/snp.md section f, items 5; trustee #456,
 * go-sev-guest's retrying getter).  Retry-After (RFC 9110 section 10.2.3:
 * delay-seconds or an HTTP-date) is honoured when present; otherwise the
 * delay doubles from retry_delay_ms.  Both the number of retries and the
 * total time spent waiting are capped, and a wait that would exceed the
 * budget fails at once instead of sleeping first.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "kds/kds_http.h"

struct cove_kds_http {
	cove_kds_http_opts o;
	CURL *curl; /* reused so that connections to KDS are kept alive */
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

cove_err cove_kds_http_new(const cove_kds_http_opts *o, cove_kds_http **out, cove_error *e)
{
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return cove_error_set(e, COVE_ERR_INTERNAL, "libcurl initialisation failed");
	cove_kds_http *h = calloc(1, sizeof(*h));
	if (!h) {
		curl_global_cleanup();
		return cove_error_set(e, COVE_ERR_NOMEM, "out of memory");
	}
	h->o = *o;
	h->curl = curl_easy_init();
	if (!h->curl) {
		free(h);
		curl_global_cleanup();
		return cove_error_set(e, COVE_ERR_INTERNAL, "cannot create a libcurl handle");
	}
	*out = h;
	return COVE_OK;
}

void cove_kds_http_free(cove_kds_http *h)
{
	if (!h)
		return;
	curl_easy_cleanup(h->curl);
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

static cove_err perform(cove_kds_http *h, const char *url, cove_buf *body, long *status, cove_error *e)
{
	CURL *c = h->curl;
	sink s = {.body = body, .max = h->o.max_response};
	curl_easy_reset(c);
	h->errbuf[0] = '\0';
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "cove/0.1 (SEV-SNP collateral)");
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

cove_err cove_kds_http_get(cove_kds_http *h, const char *url, cove_buf *body, cove_error *e)
{
	cove_err rc = COVE_OK;
	cove_buf b = {0};
	unsigned long long waited = 0, delay = h->o.retry_delay_ms;

	for (unsigned attempt = 0;; attempt++) {
		long status = 0;
		cove_buf_free(&b);
		if ((rc = perform(h, url, &b, &status, e)))
			goto out;
		if (status == 200) {
			if (!b.data && (rc = cove_buf_set(&b, "", 0, e)))
				goto out;
			cove_buf_free(body);
			*body = b;
			return COVE_OK;
		}
		if (status == 404) {
			rc = cove_error_set(e, COVE_ERR_UNAVAILABLE, "AMD KDS has no such object: HTTP 404 for %s", url);
			goto out;
		}
		if (status != 429 && status != 503) {
			rc = cove_error_set(e, COVE_ERR_UNAVAILABLE, "AMD KDS answered HTTP %ld for %s", status, url);
			goto out;
		}
		unsigned long long wait;
		bool told = retry_after_ms(h->curl, &wait);
		if (!told) {
			wait = delay;
			delay = delay > (1ull << 40) ? delay : delay * 2;
		}
		if (attempt >= h->o.max_retries) {
			rc = cove_error_set(e, COVE_ERR_UNAVAILABLE,
					    "AMD KDS is throttling: still HTTP %ld for %s after %u retr%s", status, url,
					    attempt, attempt == 1 ? "y" : "ies");
			goto out;
		}
		if (waited + wait > h->o.max_wait_ms) {
			rc = cove_error_set(e, COVE_ERR_UNAVAILABLE,
					    "AMD KDS is throttling: HTTP %ld for %s %s %llu ms, more than the %llu ms left "
					    "of the %u ms back-off budget",
					    status, url, told ? "with Retry-After" : "and the next back-off is", wait,
					    (unsigned long long)h->o.max_wait_ms - waited, h->o.max_wait_ms);
			goto out;
		}
		sleep_ms(wait);
		waited += wait;
	}
out:
	cove_buf_free(&b);
	return rc;
}
