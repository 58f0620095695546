/* SPDX-License-Identifier: MIT */
/*
 * RT guard: proves that code run between rt_guard_enter() and rt_guard_leave() on the calling
 * thread does not allocate, lock, log, sleep or (in core mode) read a clock.
 *
 * How: test executables are linked with -Wl,--wrap=<fn> for each forbidden function, so every
 * call to it from the project's objects (libaes67 is linked statically) goes through a wrapper
 * here. The wrapper counts a violation when the calling thread is inside the guard, then forwards
 * to the real function so the test can go on and report. Calls made from inside shared libraries
 * (libc's own internals) are not seen; the core makes no such calls on RT paths.
 */
#ifndef AES67_RT_GUARD_H
#define AES67_RT_GUARD_H

enum rt_guard_mode {
	RT_GUARD_RT = 1,   /* alloc, free, locks, condition waits, sleeps, logging */
	RT_GUARD_CORE = 3, /* RT, plus reading any clock (the core takes time as a parameter) */
};

/* Start guarding the calling thread. Thread: any (state is thread-local). */
void rt_guard_enter(enum rt_guard_mode mode);

/* Stop guarding; returns the number of violations seen since the matching enter. */
unsigned rt_guard_leave(void);

/* Name of the first forbidden function called inside the last guard, or "" if none. */
const char *rt_guard_first_violation(void);

#endif /* AES67_RT_GUARD_H */
