/* SPDX-License-Identifier: MIT */
/*
 * The socket-free PTPv2 core in one include: messages (ptp_msg.h), best master clock algorithm
 * (ptp_bmca.h), port state machine (ptp_fsm.h) and the servo that maps PTP time over the local
 * monotonic clock (ptp_servo.h). The daemon's PTP thread does the sockets and timestamps.
 */
#ifndef AES67_PTP_H
#define AES67_PTP_H

#include "aes67/ptp_bmca.h"
#include "aes67/ptp_fsm.h"
#include "aes67/ptp_msg.h"
#include "aes67/ptp_servo.h"

#endif /* AES67_PTP_H */
