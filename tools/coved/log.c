/*
 * Structured logs: one JSON object per line on stderr ({"ts", "level",
 * "msg", ...fields}), written with a single write(2) so lines from the
 * thread pool never interleave.  Callers put identifiers, sizes and outcomes
 * in fields - never keys, tokens, secrets or request bodies.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cove/bytes.h"
#include "coved.h"

static atomic_int log_level = COVED_LOG_INFO;
static const char *const names[] = {"error", "warn", "info", "debug"};

void coved_log_set_level(int level)
{
	atomic_store(&log_level, level);
}

bool coved_log_enabled(int level)
{
	return level <= atomic_load(&log_level);
}

void coved_log(int level, const char *msg, json_t *fields)
{
	struct timespec ts;
	struct tm tm;
	char when[40];
	json_t *o;
	char *line;

	if (level > atomic_load(&log_level)) {
		json_decref(fields);
		return;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(when + strlen(when), sizeof(when) - strlen(when), ".%03ldZ", ts.tv_nsec / 1000000);
	o = fields && json_is_object(fields) ? fields : json_object();
	if (fields && !json_is_object(fields))
		json_decref(fields);
	json_object_set_new(o, "ts", json_string(when));
	json_object_set_new(o, "level", json_string(names[level < 0 ? 0 : level > 3 ? 3 : level]));
	json_object_set_new(o, "msg", json_string(msg));
	line = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(o);
	if (!line)
		return;
	{
		size_t n = strlen(line);
		char *buf = malloc(n + 2);
		if (buf) {
			memcpy(buf, line, n);
			buf[n] = '\n';
			cove_write_all(STDERR_FILENO, buf, n + 1);
			free(buf);
		}
	}
	free(line);
}
