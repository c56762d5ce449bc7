/* Logging with a test-relative clock, sleeps, pipe signals, guarded mappings. */
#include "fl.h"
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static struct timespec t0;
static int t0_set;

static double now_ms(void)
{
	struct timespec t;
	if (!t0_set) { /* not t0.tv_sec: a guest's monotonic clock starts near 0 */
		clock_gettime(CLOCK_MONOTONIC, &t0);
		t0_set = 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0.tv_sec) * 1e3 + (t.tv_nsec - t0.tv_nsec) / 1e6;
}

void fl_log(const char *who, const char *fmt, ...)
{
	char b[512];
	int n = snprintf(b, sizeof b, "[%9.3f ms] %-3s tid=%ld: ", now_ms(), who, (long)syscall(SYS_gettid));
	va_list ap;
	va_start(ap, fmt);
	n += vsnprintf(b + n, sizeof b - n, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof b - 2)
		n = sizeof b - 2;
	b[n++] = '\n';
	if (write(1, b, n) < 0) {}
}

void msleep(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {}
}

/* fault the thread's stack in now, so no later step faults on it */
void touch_stack(void)
{
	volatile char pad[256 * 1024];
	memset((char *)pad, 1, sizeof pad);
}

void sig_wait(int *p)
{
	char c;
	while (read(p[0], &c, 1) < 0 && errno == EINTR) {}
}

void sig_post(int *p)
{
	char c = 1;
	if (write(p[1], &c, 1) < 0) {}
}

/* the thread's comm is its role, so the watchdog's dump names it */
void set_role(const char *role)
{
	prctl(PR_SET_NAME, role, 0, 0, 0);
}

void die(const char *what)
{
	perror(what);
	exit(1);
}

/* [PROT_NONE][npages rw][PROT_NONE]: the middle is its own VMA (no merging) */
void *map_guarded(size_t npages)
{
	char *p = mmap(NULL, (npages + 2) * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		die("mmap");
	mprotect(p, PG, PROT_NONE);
	mprotect(p + (npages + 1) * PG, PG, PROT_NONE);
	return p + PG;
}

/* the state letter of thread tid (/proc/self/task/TID/stat, no mmap_lock taken); '?'
 * when it is gone */
static char state_of(pid_t tid)
{
	char path[64], b[512];
	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", (int)tid);
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return '?';
	ssize_t n = read(fd, b, sizeof(b) - 1);
	close(fd);
	b[n > 0 ? n : 0] = 0;
	char *e = strrchr(b, ')');
	return e && e[1] && e[2] ? e[2] : '?';
}

static void *fl_trampoline(void *p)
{
	struct fl_thread *t = p;
	void *r = t->fn(t->arg);
	sig_post(t->done);
	return r;
}

void fl_spawn(struct fl_thread *t, void *(*fn)(void *), void *arg)
{
	t->fn = fn;
	t->arg = arg;
	if (pipe(t->done) || pthread_create(&t->t, NULL, fl_trampoline, t))
		die("fl_spawn");
}

/*
 * glibc's pthread_join writes pd->joinid and futex-waits on pd->tid, both in the
 * thread's stack, with a shared futex whose get_futex_key GUPs the page FOLL_WRITE.
 * Once fork's dup_mmap has write-protected that stack for COW, the write faults into
 * lock_mm_and_find_vma, or the GUP into __gup_longterm_locked: both want mmap_read_lock,
 * behind a fork that hangs further up the address space. CI saw M blocked so
 * (7.2+fork-predicate ff) when M reached the join late. Wait in a pipe read, which
 * needs no mm, until the thread is done; only then join.
 */
void fl_join(struct fl_thread *t)
{
	sig_wait(t->done);
	pthread_join(t->t, NULL);
	close(t->done[0]);
	close(t->done[1]);
}

void wait_d(const char *by, const char *who, volatile pid_t *tid, int max_ms)
{
	char st = 0;
	for (int ms = 0; ms < max_ms; ms += 20) {
		st = *tid ? state_of(*tid) : 0;
		if (st == 'D' || st == '?')
			break;
		msleep(20);
	}
	fl_log(by, "%s is %s", who,
	       st == 'D' ? "in D state" : st == '?' ? "gone (it did not block)" : "NOT in D state (fallback: go on)");
	msleep(200);
}

/* the kernel function thread tid sleeps in (/proc/self/task/TID/wchan), "" if none */
static void wchan_of(pid_t tid, char *b, size_t len)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/task/%d/wchan", (int)tid);
	int fd = open(path, O_RDONLY);
	ssize_t n = fd < 0 ? 0 : read(fd, b, len - 1);
	if (fd >= 0)
		close(fd);
	b[n > 0 ? n : 0] = 0;
}

void wait_wchan(const char *by, const char *who, volatile pid_t *tid, const char *fn, int max_ms)
{
	char w[128] = "";
	for (int ms = 0; ms < max_ms; ms += 20) {
		if (*tid)
			wchan_of(*tid, w, sizeof w);
		if (strstr(w, fn))
			break;
		msleep(20);
	}
	fl_log(by, "%s is %s %s", who, strstr(w, fn) ? "asleep in" : "NOT asleep in (fallback: go on)", w[0] ? w : fn);
}

void thread_begin(const char *role, volatile pid_t *tid, int *go)
{
	set_role(role);
	touch_stack();
	if (tid)
		*tid = gettid();
	if (go)
		sig_wait(go);
}

void step(const char *by, const char *who, int *go, volatile pid_t *tid, int max_ms)
{
	sig_post(go);
	wait_d(by, who, tid, max_ms);
}
