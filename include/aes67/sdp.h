/* SPDX-License-Identifier: MIT */
/*
 * SDP (RFC 8866, formerly RFC 4566) for AES67 / SMPTE ST 2110-30/-31 / RAVENNA streams: parse a
 * session description into a fixed-storage struct the caller owns, query derived values, check
 * whether a media section is a usable AES67 receive stream, and generate a canonical AES67 SDP.
 *
 * Storage policy (no allocation anywhere):
 * - Bounded tables (media sections, payload types, rtpmaps, refclks, source filters, groups):
 *   one entry too many is REFUSED with -AES67_ENOSPACE and a reason naming the limit.
 * - Identifiers that must round-trip exactly (addresses, encoding names, mids, user name,
 *   channel-order, refclk/mediaclk values): too long is REFUSED with -AES67_ENOSPACE.
 * - Free text for people (s=, i=, a=keywds): too long is TRUNCATED and sdp->truncated is set.
 * - Attributes the module does not model (a=tool, a=palign, vendor attributes ...) and the
 *   lines b=, u=, e=, p=, r=, z=, k= are skipped and counted; a=fmtp parameters other than
 *   channel-order are ignored. The generator does not write any of them back.
 * - Refused as malformed: several descriptions concatenated (a second v=), a missing o=, s= or
 *   t=, an unknown line letter (RFC 8866 §5), a duplicate a=mid, an a=group naming no a=mid,
 *   contradicting direction attributes, a source-filter without sources.
 * - Refused as unsupported: a nettype other than IN, a transport that is not RTP based (so an
 *   `m=application ... UDP` section refuses the whole description), two c= in one section, and
 *   a PTP domain that is not a number (IEEE 1588-2002 domain names).
 *
 * Tolerated quirks seen in real SDPs: LF or CRLF, a missing final EOL, trailing whitespace,
 * indentation at line start, blank lines, runs of spaces between tokens, session fields in any
 * order before the first m=, duplicated identical direction attributes, lowercase EUI-64s,
 * `ts-refclk:ptp=traceable` without a PTP version, `mediaclk:direct=N rate=N` without a divisor.
 */
#ifndef AES67_SDP_H
#define AES67_SDP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aes67/common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define AES67_SDP_MAX_MEDIA 8	   /* m= sections in one description */
#define AES67_SDP_MAX_FMT 8	   /* payload types on one m= line, and a=rtpmap per section */
#define AES67_SDP_MAX_REFCLK 4	   /* a=ts-refclk lines per level (session or media) */
#define AES67_SDP_MAX_FILTERS 2	   /* a=source-filter lines per level */
#define AES67_SDP_MAX_SOURCES 4	   /* source addresses in one a=source-filter */
#define AES67_SDP_MAX_GROUPS 2	   /* a=group lines */
#define AES67_SDP_MAX_GROUP_MIDS 4 /* identification tags in one a=group */
#define AES67_SDP_ADDR_BYTES 48	   /* address or host name incl. NUL (IPv6 text fits) */
#define AES67_SDP_TOKEN_BYTES 32   /* user name, mid, media type, proto, incl. NUL */
#define AES67_SDP_ENC_BYTES 16	   /* encoding name incl. NUL */
#define AES67_SDP_TEXT_BYTES 128   /* s=, i= incl. NUL (longer text is truncated) */
#define AES67_SDP_KEYWDS_BYTES 64  /* a=keywds incl. NUL (longer text is truncated) */
#define AES67_SDP_VALUE_BYTES 64   /* refclk/mediaclk values, channel-order, incl. NUL */

/* Encodings of a=rtpmap this module knows (RFC 3551 L16, RFC 3190 L24, AES67 L32, ST 2110-31). */
enum aes67_sdp_encoding {
	AES67_SDP_ENC_OTHER = 0,
	AES67_SDP_ENC_L16,
	AES67_SDP_ENC_L24,
	AES67_SDP_ENC_L32,
	AES67_SDP_ENC_AM824,
};

/* RFC 8866 §6.7 media direction; NONE = no attribute at this level. */
enum aes67_sdp_direction {
	AES67_SDP_DIR_NONE = 0,
	AES67_SDP_DIR_SENDRECV,
	AES67_SDP_DIR_SENDONLY,
	AES67_SDP_DIR_RECVONLY,
	AES67_SDP_DIR_INACTIVE,
};

/* Address types; 0 means "absent" (c=) or "*" (source-filter, RFC 4570 §3). */
enum aes67_sdp_addrtype {
	AES67_SDP_ADDR_NONE = 0,
	AES67_SDP_ADDR_IP4 = 4,
	AES67_SDP_ADDR_IP6 = 6,
};

/* RFC 7273 §4.8 clock sources of a=ts-refclk. */
enum aes67_sdp_refclk_kind {
	AES67_SDP_REFCLK_OTHER = 0, /* not recognised: the whole value is kept in .value */
	AES67_SDP_REFCLK_PTP,
	AES67_SDP_REFCLK_LOCALMAC,
	AES67_SDP_REFCLK_NTP,
	AES67_SDP_REFCLK_GPS,
	AES67_SDP_REFCLK_GAL,
	AES67_SDP_REFCLK_GLONASS,
	AES67_SDP_REFCLK_LOCAL,
	AES67_SDP_REFCLK_PRIVATE,
};

/* PTP profiles named in ts-refclk:ptp= (RFC 7273 §4.8, AES67-2018 §8.2, ST 2059-2). */
enum aes67_sdp_ptp_version {
	AES67_SDP_PTP_NONE = 0, /* `ptp=traceable` without a version (seen in the wild) */
	AES67_SDP_PTP_IEEE1588_2002,
	AES67_SDP_PTP_IEEE1588_2008,
	AES67_SDP_PTP_IEEE1588_2019,
	AES67_SDP_PTP_IEEE802_1AS_2011,
	AES67_SDP_PTP_IEEE802_1AS_2020,
};

/* RFC 7273 §5 a=mediaclk forms. */
enum aes67_sdp_mediaclk_kind {
	AES67_SDP_MEDIACLK_OTHER = 0, /* not recognised: the value is kept in .value */
	AES67_SDP_MEDIACLK_DIRECT,
	AES67_SDP_MEDIACLK_SENDER,
	AES67_SDP_MEDIACLK_IEEE1722, /* .value holds the AVB stream id */
};

/* c= (RFC 8866 §5.7): address with optional /TTL and /number of addresses. */
struct aes67_sdp_conn {
	uint8_t addrtype; /* enum aes67_sdp_addrtype; NONE = no c= at this level */
	bool has_ttl;
	uint8_t ttl;
	uint16_t count; /* number of addresses, 1 when not given */
	char addr[AES67_SDP_ADDR_BYTES];
};

/* a=rtpmap:<pt> <name>/<rate>[/<channels>] (RFC 8866 §6.6). */
struct aes67_sdp_rtpmap {
	uint8_t pt;
	uint8_t encoding;  /* enum aes67_sdp_encoding, from a case-insensitive name match */
	uint16_t channels; /* 1 when not given (RFC 3551 §4.1 default for audio) */
	uint32_t rate_hz;
	char name[AES67_SDP_ENC_BYTES]; /* as written in the SDP */
};

/* a=ts-refclk (RFC 7273 §4). */
struct aes67_sdp_refclk {
	uint8_t kind;	     /* enum aes67_sdp_refclk_kind */
	uint8_t ptp_version; /* enum aes67_sdp_ptp_version, kind PTP only */
	bool traceable;	     /* PTP: `:traceable` instead of a grandmaster id */
	bool has_domain;     /* PTP: a domain number followed the grandmaster id */
	uint8_t domain;
	uint8_t gmid[8];		   /* PTP grandmaster clock identity (EUI-64) */
	uint8_t mac[6];			   /* LOCALMAC */
	char value[AES67_SDP_VALUE_BYTES]; /* NTP/GPS/...: text after '='; OTHER: whole value */
};

/* a=mediaclk (RFC 7273 §5). */
struct aes67_sdp_mediaclk {
	uint8_t kind; /* enum aes67_sdp_mediaclk_kind */
	bool has_rate;
	uint32_t offset; /* DIRECT: RTP timestamp at PTP epoch (AES67-2018 §8.2) */
	uint32_t rate_num;
	uint32_t rate_den;		   /* 1 when `rate=N` has no divisor */
	char id[AES67_SDP_VALUE_BYTES];	   /* `id=` prefix, empty when absent */
	char value[AES67_SDP_VALUE_BYTES]; /* IEEE1722 stream id, or an unrecognised form */
};

/* a=source-filter (RFC 4570 §3); nettype is always IN. */
struct aes67_sdp_filter {
	bool exclude;	  /* excl rather than incl */
	uint8_t addrtype; /* enum aes67_sdp_addrtype; NONE means "*" */
	uint8_t n_sources;
	char dest[AES67_SDP_ADDR_BYTES];
	char sources[AES67_SDP_MAX_SOURCES][AES67_SDP_ADDR_BYTES];
};

/* Fields allowed both at session level and in a media section (the media level wins). */
struct aes67_sdp_level {
	struct aes67_sdp_conn conn;
	char info[AES67_SDP_TEXT_BYTES]; /* i= */
	uint8_t direction;		 /* enum aes67_sdp_direction */
	uint8_t n_refclk;
	uint8_t n_filters;
	bool has_mediaclk;
	bool has_clock_domain; /* RAVENNA a=clock-domain:PTPv2 <n> */
	bool has_sync_time;    /* RAVENNA a=sync-time:<rtp ts> */
	uint8_t clock_domain;
	uint32_t sync_time;
	struct aes67_sdp_refclk refclk[AES67_SDP_MAX_REFCLK];
	struct aes67_sdp_mediaclk mediaclk;
	struct aes67_sdp_filter filters[AES67_SDP_MAX_FILTERS];
	uint16_t skipped_attrs; /* attributes not modelled at this level */
};

/* One m= section (RFC 8866 §5.14). */
struct aes67_sdp_media {
	struct aes67_sdp_level lv;
	char type[AES67_SDP_TOKEN_BYTES];  /* "audio", "video", ... */
	char proto[AES67_SDP_TOKEN_BYTES]; /* "RTP/AVP", ... */
	uint16_t port;
	uint16_t port_count; /* 1 when not given */
	uint8_t n_fmt;	     /* payload types (only when proto is RTP based) */
	uint8_t n_rtpmap;
	uint8_t fmt[AES67_SDP_MAX_FMT];
	struct aes67_sdp_rtpmap rtpmap[AES67_SDP_MAX_FMT];
	uint32_t ptime_ns;	  /* a=ptime, 0 = absent; ms text rounded to whole ns */
	uint32_t maxptime_ns;	  /* a=maxptime, 0 = absent */
	uint32_t framecount;	  /* RAVENNA a=framecount, 0 = absent */
	uint8_t channel_order_pt; /* payload type of the fmtp that carried channel-order */
	char channel_order[AES67_SDP_VALUE_BYTES]; /* ST 2110-30 §6.2.2, e.g. SMPTE2110.(ST,M) */
	char mid[AES67_SDP_TOKEN_BYTES];	   /* RFC 5888 a=mid, empty when absent */
};

/* a=group (RFC 5888), e.g. `DUP primary secondary` for ST 2022-7. */
struct aes67_sdp_group {
	uint8_t n_mids;
	char semantics[AES67_SDP_ENC_BYTES];
	char mids[AES67_SDP_MAX_GROUP_MIDS][AES67_SDP_TOKEN_BYTES];
};

/* A whole session description. Plain data: the caller owns it (about 14 KiB). */
struct aes67_sdp {
	char username[AES67_SDP_TOKEN_BYTES]; /* o= */
	uint64_t sess_id;
	uint64_t sess_version;
	uint8_t origin_addrtype; /* enum aes67_sdp_addrtype */
	char origin_addr[AES67_SDP_ADDR_BYTES];
	char name[AES67_SDP_TEXT_BYTES]; /* s=; may be empty */
	uint64_t t_start;		 /* first t= line */
	uint64_t t_stop;
	char keywds[AES67_SDP_KEYWDS_BYTES];
	bool truncated; /* some free text (s=, i=, keywds) was cut to fit */
	uint8_t n_groups;
	uint8_t n_media;
	uint16_t skipped_lines; /* b= u= e= p= r= z= k= and repeated t= lines */
	struct aes67_sdp_group groups[AES67_SDP_MAX_GROUPS];
	struct aes67_sdp_level lv; /* session level */
	struct aes67_sdp_media media[AES67_SDP_MAX_MEDIA];
};

/* Where and why parsing stopped. reason is a static string ("" on success). */
struct aes67_sdp_error {
	unsigned line;	     /* 1-based line number, 0 when the input as a whole is at fault */
	size_t offset_bytes; /* byte offset into the input of the offending token */
	const char *reason;
};

/**
 * aes67_sdp_init() - reset a description to an empty, generator-ready state.
 * @sdp: the description to reset (caller-owned).
 *
 * Sets every field to zero/empty, the user name to "-" and the session time to 0 0.
 * Thread: any.
 */
AES67_API void aes67_sdp_init(struct aes67_sdp *sdp);

/**
 * aes67_sdp_parse() - parse one SDP session description.
 * @sdp: output (caller-owned); fully overwritten, meaningful only on success.
 * @text: the description; need not be NUL-terminated. A NUL or other control byte (except tab,
 *        and CR before LF) inside a line is refused.
 * @len_bytes: number of bytes in @text.
 * @err: optional (may be NULL); filled with line, byte offset and reason on failure, and with
 *       line 0 / reason "" on success.
 *
 * Return: 0 on success; -AES67_EMALFORMED (syntax), -AES67_EVERSION (v= not 0), -AES67_ERANGE
 * (a number out of range), -AES67_ENOSPACE (a fixed table or identifier buffer too small),
 * -AES67_EUNSUPPORTED (valid SDP this module does not handle, e.g. nettype other than IN),
 * -AES67_ETRUNCATED (empty input). Allocates nothing. Thread: any.
 */
AES67_API AES67_MUST_CHECK int aes67_sdp_parse(struct aes67_sdp *sdp, const char *text,
					       size_t len_bytes, struct aes67_sdp_error *err);

/**
 * aes67_sdp_generate() - write a canonical AES67 SDP (CRLF line endings) for @sdp.
 * @sdp: the description; every field the parser fills is written back, except skipped ones.
 * @buf: output buffer (caller-owned); NUL-terminated on success.
 * @cap_bytes: capacity of @buf in bytes, including room for the NUL.
 *
 * Parsing the output yields the same values for every field written (round trip).
 * Return: number of bytes written (without the NUL), -AES67_ENOSPACE if @buf is too small (its
 * content is then unspecified), -EINVAL if @sdp holds a value that cannot be written (e.g. an
 * address with a space, or a payload type above 127). Thread: any.
 */
AES67_API AES67_MUST_CHECK int aes67_sdp_generate(const struct aes67_sdp *sdp, char *buf,
						  size_t cap_bytes);

/**
 * aes67_sdp_media_conn() - the connection that applies to a media section.
 * @sdp: the description.
 * @m: one of @sdp's media sections.
 *
 * Return: the media-level c= if present, else the session-level c=, else NULL. Thread: any.
 */
AES67_API const struct aes67_sdp_conn *aes67_sdp_media_conn(const struct aes67_sdp *sdp,
							    const struct aes67_sdp_media *m);

/**
 * aes67_sdp_conn_is_multicast() - whether a c= address is an IPv4 (224/4) or IPv6 (ff00::/8)
 * multicast literal. Host names are not multicast.
 * @c: the connection; NULL gives false. Thread: any.
 */
AES67_API bool aes67_sdp_conn_is_multicast(const struct aes67_sdp_conn *c);

/**
 * aes67_sdp_media_rtpmap() - the a=rtpmap of a payload type in a media section.
 * @m: the media section.
 * @pt: payload type 0..127.
 *
 * Return: the entry, or NULL if the section has no a=rtpmap for @pt. Thread: any.
 */
AES67_API const struct aes67_sdp_rtpmap *aes67_sdp_media_rtpmap(const struct aes67_sdp_media *m,
								unsigned pt);

/**
 * aes67_sdp_media_refclk() - the reference clock that applies to a media section.
 * @sdp: the description.
 * @m: one of @sdp's media sections.
 *
 * Takes the media level's a=ts-refclk lines if it has any, else the session level's, and
 * among those prefers the first PTP one (AES67-2018 §8.2), else the first.
 * Return: the entry, or NULL when neither level has a=ts-refclk. Thread: any.
 */
AES67_API const struct aes67_sdp_refclk *aes67_sdp_media_refclk(const struct aes67_sdp *sdp,
								const struct aes67_sdp_media *m);

/**
 * aes67_sdp_media_mediaclk() - the a=mediaclk that applies (media level wins).
 * @sdp: the description.
 * @m: one of @sdp's media sections.
 *
 * Return: the entry, or NULL when neither level has one. Thread: any.
 */
AES67_API const struct aes67_sdp_mediaclk *
aes67_sdp_media_mediaclk(const struct aes67_sdp *sdp, const struct aes67_sdp_media *m);

/**
 * aes67_sdp_media_direction() - the direction that applies to a media section.
 * @sdp: the description.
 * @m: one of @sdp's media sections.
 *
 * Return: the media level's, else the session level's, else SENDRECV (the RFC 8866 §6.7
 * default); never NONE. Thread: any.
 */
AES67_API enum aes67_sdp_direction aes67_sdp_media_direction(const struct aes67_sdp *sdp,
							     const struct aes67_sdp_media *m);

/**
 * aes67_sdp_media_frames_per_packet() - audio frames in one RTP packet of a media section.
 * @m: the media section; its first payload type must have an a=rtpmap.
 *
 * From a=ptime and the clock rate, rounded to the nearest frame (so 0.333 ms at 48 kHz is 16
 * and 1.088 ms at 44.1 kHz is 48); without a=ptime, from RAVENNA a=framecount.
 * Return: frames (>= 1), -AES67_ENOTFOUND without ptime and framecount or without an rtpmap,
 * -AES67_ERANGE if the result is 0 or above 65535. Thread: any.
 */
AES67_API AES67_MUST_CHECK int aes67_sdp_media_frames_per_packet(const struct aes67_sdp_media *m);

/**
 * aes67_sdp_media_check() - is this media section usable as an AES67 / ST 2110-30/-31 receive
 * stream?
 * @sdp: the description.
 * @index: media section index (< sdp->n_media).
 * @reason: optional; receives a static string saying why not ("" when usable).
 *
 * Requires: audio over RTP/AVP; an a=rtpmap for the first payload type; encoding L16, L24, L32 or
 * AM824 (AM824 with an even channel count); 1..64 channels; 44.1, 48, 88.2, 96, 176.4 or 192 kHz;
 * a connection address; if a packet time is given (a=ptime or a=framecount; both are optional),
 * at most 1440 payload bytes per packet; direction not inactive. A reference clock is not
 * required.
 * Return: 0 if usable; -EINVAL for a bad @index; -AES67_EUNSUPPORTED, -AES67_EPAYLOADTYPE,
 * -AES67_ERANGE, -AES67_ENOTFOUND or -AES67_EMALFORMED with @reason. Thread: any.
 */
AES67_API AES67_MUST_CHECK int aes67_sdp_media_check(const struct aes67_sdp *sdp, unsigned index,
						     const char **reason);

/**
 * aes67_sdp_encoding_name() - canonical name of an encoding.
 * @enc: the encoding.
 *
 * Return: a static string such as "L24"; "" for OTHER or an unknown value. Thread: any.
 */
AES67_API const char *aes67_sdp_encoding_name(enum aes67_sdp_encoding enc);

#ifdef __cplusplus
}
#endif

#endif /* AES67_SDP_H */
