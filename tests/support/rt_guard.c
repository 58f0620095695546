// SPDX-License-Identifier: MIT
/*
 * Wrappers for the RT guard (see rt_guard.h). Each __wrap_X checks the thread-local guard, then
 * calls __real_X. The list of wrapped names is in tests/support/meson.build and must match.
 */
#include <pthread.h>
#include <semaphore.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>
#include <sys/time.h>

#include "rt_guard.h"

static __thread int guard_mode;
static __thread unsigned guard_violations;
static __thread const char *guard_first = "";

void rt_guard_enter(enum rt_guard_mode mode)
{
	guard_mode = (int)mode;
	guard_violations = 0;
	guard_first = "";
}

unsigned rt_guard_leave(void)
{
	guard_mode = 0;
	return guard_violations;
}

const char *rt_guard_first_violation(void)
{
	return guard_first;
}

static void hit(int need, const char *what)
{
	if ((guard_mode & need) == need && guard_mode != 0) {
		if (guard_violations++ == 0) {
			guard_first = what;
		}
	}
}

#define RT 1
#define CLOCK 3

/* Prototypes of the real functions, provided by the linker's --wrap. */
void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t m);
void *__real_realloc(void *p, size_t n);
void __real_free(void *p);
void *__real_aligned_alloc(size_t a, size_t n);
int __real_posix_memalign(void **p, size_t a, size_t n);
char *__real_strdup(const char *s);
int __real_pthread_mutex_lock(pthread_mutex_t *m);
int __real_pthread_mutex_trylock(pthread_mutex_t *m);
int __real_pthread_rwlock_rdlock(pthread_rwlock_t *l);
int __real_pthread_rwlock_wrlock(pthread_rwlock_t *l);
int __real_pthread_cond_wait(pthread_cond_t *c, pthread_mutex_t *m);
int __real_sem_wait(sem_t *s);
int __real_nanosleep(const struct timespec *a, struct timespec *b);
int __real_clock_nanosleep(clockid_t c, int f, const struct timespec *a, struct timespec *b);
int __real_usleep(useconds_t u);
int __real_clock_gettime(clockid_t c, struct timespec *t);
int __real_gettimeofday(struct timeval *tv, void *tz);
time_t __real_time(time_t *t);
int __real_vfprintf(FILE *f, const char *fmt, va_list ap);
int __real_vprintf(const char *fmt, va_list ap);
int __real_puts(const char *s);
int __real_fputs(const char *s, FILE *f);
size_t __real_fwrite(const void *p, size_t n, size_t m, FILE *f);
void __real_vsyslog(int pri, const char *fmt, va_list ap);

/* Declarations of the wrappers (they are called only through the linker). */
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t m);
void *__wrap_realloc(void *p, size_t n);
void __wrap_free(void *p);
void *__wrap_aligned_alloc(size_t a, size_t n);
int __wrap_posix_memalign(void **p, size_t a, size_t n);
char *__wrap_strdup(const char *s);
int __wrap_pthread_mutex_lock(pthread_mutex_t *m);
int __wrap_pthread_mutex_trylock(pthread_mutex_t *m);
int __wrap_pthread_rwlock_rdlock(pthread_rwlock_t *l);
int __wrap_pthread_rwlock_wrlock(pthread_rwlock_t *l);
int __wrap_pthread_cond_wait(pthread_cond_t *c, pthread_mutex_t *m);
int __wrap_sem_wait(sem_t *s);
int __wrap_nanosleep(const struct timespec *a, struct timespec *b);
int __wrap_clock_nanosleep(clockid_t c, int f, const struct timespec *a, struct timespec *b);
int __wrap_usleep(useconds_t u);
int __wrap_clock_gettime(clockid_t c, struct timespec *t);
int __wrap_gettimeofday(struct timeval *tv, void *tz);
time_t __wrap_time(time_t *t);
int __wrap_fprintf(FILE *f, const char *fmt, ...);
int __wrap_printf(const char *fmt, ...);
int __wrap_vfprintf(FILE *f, const char *fmt, va_list ap);
int __wrap_vprintf(const char *fmt, va_list ap);
int __wrap_puts(const char *s);
int __wrap_fputs(const char *s, FILE *f);
size_t __wrap_fwrite(const void *p, size_t n, size_t m, FILE *f);
void __wrap_syslog(int pri, const char *fmt, ...);
void __wrap_vsyslog(int pri, const char *fmt, va_list ap);

void *__wrap_malloc(size_t n)
{
	hit(RT, "malloc");
	return __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t m)
{
	hit(RT, "calloc");
	return __real_calloc(n, m);
}

void *__wrap_realloc(void *p, size_t n)
{
	hit(RT, "realloc");
	return __real_realloc(p, n);
}

void __wrap_free(void *p)
{
	hit(RT, "free");
	__real_free(p);
}

void *__wrap_aligned_alloc(size_t a, size_t n)
{
	hit(RT, "aligned_alloc");
	return __real_aligned_alloc(a, n);
}

int __wrap_posix_memalign(void **p, size_t a, size_t n)
{
	hit(RT, "posix_memalign");
	return __real_posix_memalign(p, a, n);
}

char *__wrap_strdup(const char *s)
{
	hit(RT, "strdup");
	return __real_strdup(s);
}

int __wrap_pthread_mutex_lock(pthread_mutex_t *m)
{
	hit(RT, "pthread_mutex_lock");
	return __real_pthread_mutex_lock(m);
}

int __wrap_pthread_mutex_trylock(pthread_mutex_t *m)
{
	hit(RT, "pthread_mutex_trylock");
	return __real_pthread_mutex_trylock(m);
}

int __wrap_pthread_rwlock_rdlock(pthread_rwlock_t *l)
{
	hit(RT, "pthread_rwlock_rdlock");
	return __real_pthread_rwlock_rdlock(l);
}

int __wrap_pthread_rwlock_wrlock(pthread_rwlock_t *l)
{
	hit(RT, "pthread_rwlock_wrlock");
	return __real_pthread_rwlock_wrlock(l);
}

int __wrap_pthread_cond_wait(pthread_cond_t *c, pthread_mutex_t *m)
{
	hit(RT, "pthread_cond_wait");
	return __real_pthread_cond_wait(c, m);
}

int __wrap_sem_wait(sem_t *s)
{
	hit(RT, "sem_wait");
	return __real_sem_wait(s);
}

int __wrap_nanosleep(const struct timespec *a, struct timespec *b)
{
	hit(RT, "nanosleep");
	return __real_nanosleep(a, b);
}

int __wrap_clock_nanosleep(clockid_t c, int f, const struct timespec *a, struct timespec *b)
{
	hit(RT, "clock_nanosleep");
	return __real_clock_nanosleep(c, f, a, b);
}

int __wrap_usleep(useconds_t u)
{
	hit(RT, "usleep");
	return __real_usleep(u);
}

int __wrap_clock_gettime(clockid_t c, struct timespec *t)
{
	hit(CLOCK, "clock_gettime");
	return __real_clock_gettime(c, t);
}

int __wrap_gettimeofday(struct timeval *tv, void *tz)
{
	hit(CLOCK, "gettimeofday");
	return __real_gettimeofday(tv, tz);
}

time_t __wrap_time(time_t *t)
{
	hit(CLOCK, "time");
	return __real_time(t);
}

int __wrap_fprintf(FILE *f, const char *fmt, ...)
{
	va_list ap;
	int r;

	hit(RT, "fprintf");
	va_start(ap, fmt);
	r = __real_vfprintf(f, fmt, ap);
	va_end(ap);
	return r;
}

int __wrap_printf(const char *fmt, ...)
{
	va_list ap;
	int r;

	hit(RT, "printf");
	va_start(ap, fmt);
	r = __real_vprintf(fmt, ap);
	va_end(ap);
	return r;
}

int __wrap_vfprintf(FILE *f, const char *fmt, va_list ap)
{
	hit(RT, "vfprintf");
	return __real_vfprintf(f, fmt, ap);
}

int __wrap_vprintf(const char *fmt, va_list ap)
{
	hit(RT, "vprintf");
	return __real_vprintf(fmt, ap);
}

int __wrap_puts(const char *s)
{
	hit(RT, "puts");
	return __real_puts(s);
}

int __wrap_fputs(const char *s, FILE *f)
{
	hit(RT, "fputs");
	return __real_fputs(s, f);
}

size_t __wrap_fwrite(const void *p, size_t n, size_t m, FILE *f)
{
	hit(RT, "fwrite");
	return __real_fwrite(p, n, m, f);
}

void __wrap_syslog(int pri, const char *fmt, ...)
{
	va_list ap;

	hit(RT, "syslog");
	va_start(ap, fmt);
	__real_vsyslog(pri, fmt, ap);
	va_end(ap);
}

void __wrap_vsyslog(int pri, const char *fmt, va_list ap)
{
	hit(RT, "vsyslog");
	__real_vsyslog(pri, fmt, ap);
}
