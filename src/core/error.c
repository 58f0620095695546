// SPDX-License-Identifier: MIT
/*
 * aes67_strerror(): names for the project's own error codes and for the errno values the core
 * returns. strerror() is avoided because it may use a shared buffer and its text depends on the
 * locale; these strings are fixed so that tests and scripts can match them.
 */
#include <errno.h>

#include "aes67/error.h"

static const char *const own_names[] = {
	[AES67_ETRUNCATED - AES67_E_BASE] = "input truncated",
	[AES67_EVERSION - AES67_E_BASE] = "unsupported protocol version",
	[AES67_EMALFORMED - AES67_E_BASE] = "malformed input",
	[AES67_EUNSUPPORTED - AES67_E_BASE] = "unsupported feature",
	[AES67_ERANGE - AES67_E_BASE] = "value out of range",
	[AES67_ENOSPACE - AES67_E_BASE] = "not enough space",
	[AES67_EPADDING - AES67_E_BASE] = "invalid RTP padding",
	[AES67_EENCRYPTED - AES67_E_BASE] = "encrypted SAP payload not supported",
	[AES67_ECOMPRESSED - AES67_E_BASE] = "compressed SAP payload not supported",
	[AES67_EPAYLOADTYPE - AES67_E_BASE] = "unexpected payload type",
	[AES67_EABI - AES67_E_BASE] = "shared-memory ABI mismatch",
	[AES67_ENOTFOUND - AES67_E_BASE] = "not found",
	[AES67_ESTALE - AES67_E_BASE] = "stale data",
};

static_assert(AES67_ARRAY_SIZE(own_names) == AES67_E_END - AES67_E_BASE,
	      "every error code needs a name");

static const char *errno_name(int e)
{
	switch (e) {
	case 0:
		return "success";
	case EINVAL:
		return "invalid argument";
	case ENOSPC:
		return "no space left";
	case ENOMEM:
		return "out of memory";
	case EAGAIN:
		return "resource temporarily unavailable";
	case EBUSY:
		return "device or resource busy";
	case ENOENT:
		return "no such file or directory";
	case ERANGE:
		return "result out of range";
	case EOVERFLOW:
		return "value too large";
	case EPROTO:
		return "protocol error";
	case EMSGSIZE:
		return "message too long";
	case ETIMEDOUT:
		return "timed out";
	case ENOTSUP:
		return "operation not supported";
	case EEXIST:
		return "already exists";
	case EPERM:
		return "operation not permitted";
	case EACCES:
		return "permission denied";
	case EIO:
		return "input/output error";
	case ENODEV:
		return "no such device";
	case EPIPE:
		return "broken pipe";
	case ECONNREFUSED:
		return "connection refused";
	default:
		return "unknown error";
	}
}

const char *aes67_strerror(int err)
{
	int e = err < 0 ? -err : err;

	if (e >= AES67_E_BASE && e < AES67_E_END) {
		return own_names[e - AES67_E_BASE];
	}
	return errno_name(e);
}
