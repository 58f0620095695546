/* SPDX-License-Identifier: MIT */
/*
 * Error codes of libaes67.
 *
 * Every function that can fail returns int: >= 0 on success, a negative number on failure. The
 * negative number is either -errno (for conditions errno already names, e.g. -EINVAL, -ENOSPC) or
 * -AES67_E* below for conditions specific to the protocols. aes67_strerror() names both.
 *
 * The enum is append-only: values are part of the ABI and are never renumbered.
 */
#ifndef AES67_ERROR_H
#define AES67_ERROR_H

#include "aes67/common.h"

#ifdef __cplusplus
extern "C" {
#endif

enum aes67_error {
	AES67_E_BASE = 4096,
	AES67_ETRUNCATED = AES67_E_BASE, /* input shorter than a header or a length says */
	AES67_EVERSION,			 /* protocol version not supported */
	AES67_EMALFORMED,		 /* input violates the format */
	AES67_EUNSUPPORTED,		 /* valid input we do not handle (e.g. encrypted SAP) */
	AES67_ERANGE,			 /* a value outside the allowed range */
	AES67_ENOSPACE,			 /* output buffer or fixed table too small */
	AES67_EPADDING,			 /* bad RTP padding */
	AES67_EENCRYPTED,		 /* SAP: encrypted payload */
	AES67_ECOMPRESSED,		 /* SAP: compressed payload */
	AES67_EPAYLOADTYPE,		 /* unexpected payload / MIME type */
	AES67_EABI,			 /* shared-memory ABI mismatch (magic, version, size) */
	AES67_ENOTFOUND,		 /* a looked-up entry does not exist */
	AES67_ESTALE,			 /* data overwritten or too old to use */
	AES67_E_END			 /* one past the last code; append above this line */
};

/**
 * aes67_strerror() - describe an error code.
 * @err: a negative return value of a libaes67 function (either -errno or -AES67_E*); positive
 *       values are accepted as well.
 *
 * Return: a static string; never NULL. Thread: any (does not use strerror's shared buffer).
 */
AES67_API const char *aes67_strerror(int err);

#ifdef __cplusplus
}
#endif

#endif /* AES67_ERROR_H */
