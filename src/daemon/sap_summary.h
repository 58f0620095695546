/* SPDX-License-Identifier: MIT */
/*
 * What `sessions.list` and `aes67 list` show about a discovered session: the s= name and a
 * summary of its first audio stream (encoding, rate, channels, address, port, packet time),
 * taken from the core SDP parser, plus the SAP facts (origin, hash, age). JSON via jansson.
 * Shared by aes67d and the aes67 CLI so that both print the same fields.
 */
#ifndef AES67D_SAP_SUMMARY_H
#define AES67D_SAP_SUMMARY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aes67/common.h"
#include "aes67/sap.h"
#include "aes67/sdp.h"

struct aes67d_sap_summary {
	bool parsed;			    /* the SDP parsed; the fields below are valid */
	char name[AES67_SDP_TEXT_BYTES];    /* s= */
	char encoding[AES67_SDP_ENC_BYTES]; /* as written in a=rtpmap, "" if none */
	uint32_t rate_hz;		    /* 0 if no a=rtpmap */
	uint32_t channels;		    /* 0 if no a=rtpmap */
	char address[AES67_SDP_ADDR_BYTES]; /* c= of the first media section */
	uint32_t port;			    /* of the first media section */
	uint32_t ptime_us;		    /* a=ptime in µs, 0 if absent */
	char error[160];		    /* when !parsed: "line N: reason" */
};

/**
 * aes67d_sap_summarize() - summarise an SDP.
 * @sdp: the text (hostile), @len_bytes long. @out: filled; out->parsed says whether it parsed.
 * Return: 0, or -ENOMEM (a 14 KiB parse buffer is allocated for the call). Thread: any non-RT.
 */
AES67_MUST_CHECK int aes67d_sap_summarize(const char *sdp, size_t len_bytes,
					  struct aes67d_sap_summary *out);

/**
 * aes67d_sap_origin_text() - an origin as text ("198.51.100.1" or an IPv6 literal).
 * @o: the origin. @buf: receives the text; @cap: its size (46 is always enough). Thread: any.
 */
void aes67d_sap_origin_text(const struct aes67_sap_origin *o, char *buf, size_t cap);

/**
 * aes67d_json_text() - a JSON string of hostile text: as is when it is valid UTF-8, else with
 * every non-ASCII or NUL byte shown as '?' (jansson refuses invalid UTF-8).
 * @s: the bytes, @len long. Return: a new reference, or NULL when out of memory. Thread: any.
 */
json_t *aes67d_json_text(const char *s, size_t len);

/**
 * aes67d_sap_entry_json() - one cached session as a JSON object: name, origin, msg_id_hash,
 * encoding, rate, channels, address, port, ptime_us, age_s, announcements (and "sdp_error" when
 * the SDP does not parse), plus "sdp" when @with_sdp.
 * @e: the entry. @now_ns: current time on the cache's clock, ns. @with_sdp: add the full SDP.
 * Return: a new reference, or NULL when out of memory. Thread: any non-RT.
 */
json_t *aes67d_sap_entry_json(const struct aes67_sap_entry *e, uint64_t now_ns, bool with_sdp);

#endif /* AES67D_SAP_SUMMARY_H */
