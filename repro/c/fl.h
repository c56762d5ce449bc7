/* Shared declarations of the faultline kernel tests (raw /dev/fuse, no libfuse). */
#ifndef FL_H
#define FL_H
#define _GNU_SOURCE
#include <linux/fuse.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define MNT "/mnt/f"
#define FNAME "f"
#define FILE_INO 2
#define FILE_SIZE (1 << 20)
#define PG 4096
/* fuse_dev_do_read refuses buffers smaller than max_write + headers */
#define RBUF_SZ (FUSE_MIN_READ_BUFFER + 256 * 1024)

/* log.c */
void fl_log(const char *who, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void msleep(int ms);
void touch_stack(void);
void sig_wait(int *p);
void sig_post(int *p);
void set_role(const char *role);
void *map_guarded(size_t npages);
void die(const char *what);
/* handshake (logged as role by): wait (up to max_ms) until thread *tid sleeps in D or
 * is gone, then 200 ms:
 * a test step starts when the one before it waits, not after a guessed delay, so a
 * slow (loaded) host does not reorder the steps */
void wait_d(const char *by, const char *who, volatile pid_t *tid, int max_ms);
/* a test thread's first steps: its role as comm, its stack faulted in, its tid
 * published (if tid) for wait_d, then (if go) the wait for its go signal */
void thread_begin(const char *role, volatile pid_t *tid, int *go);
/* hand the test over to thread *tid: post go, then wait_d for it */
void step(const char *by, const char *who, int *go, volatile pid_t *tid, int max_ms);
/* wait (up to max_ms) until thread *tid sleeps in a kernel function whose name
 * contains fn (its wchan: 7.2's pipe reads sleep in anon_pipe_read) */
void wait_wchan(const char *by, const char *who, volatile pid_t *tid, const char *fn, int max_ms);
/* a test thread that says it is done through a pipe: fl_join sleeps in a pipe read,
 * which needs no mm, where pthread_join's shared futex GUPs the thread's stack and can
 * queue behind a hung fork's mmap_write_lock (log.c) */
struct fl_thread {
	pthread_t t;
	void *(*fn)(void *);
	void *arg;
	int done[2];
};
void fl_spawn(struct fl_thread *t, void *(*fn)(void *), void *arg);
void fl_join(struct fl_thread *t);

/* fuse.c: an in-process (or forked) server thread with per-case hooks */
struct fuse_hooks {
	/* answer a READ; return 1 if handled (replied) */
	int (*read)(struct fuse_in_header *ih, struct fuse_read_in *in);
	/* a WRITE arrived (writeback); the server replies itself after this */
	void (*write)(struct fuse_in_header *ih, struct fuse_write_in *in);
	/* open_flags for an OPEN with these flags */
	uint32_t (*open_flags)(uint32_t flags);
	uint32_t init_flags; /* extra FUSE_INIT reply flags (FUSE_WRITEBACK_CACHE) */
};
extern int fuse_fd;
extern char *fuse_obuf;
void fuse_reply(uint64_t unique, int err, const void *data, size_t len);
void fuse_fill_data(char *dst, uint64_t off, size_t len);
/* read one request from /dev/fuse into buf and dispatch it; returns -1 when gone */
int fuse_serve_one(const struct fuse_hooks *h, char *buf, size_t len);
extern const char *fuse_role; /* the server's comm: fl-S, or fl-D for a daemon */
void *fuse_server_thread(void *hooks);
void fuse_mount(void);
void fuse_prepare_buffers(void);
/* make later closes skip FLUSH (fc->no_flush), so exit cannot wait for a dead server */
void fuse_disable_flush(void);
/* mount, start thread(arg) as the server, make later closes skip FLUSH */
void fuse_start(void *(*thread)(void *), void *arg);

/* a server a case can pause (stop reading /dev/fuse) and resume */
struct fuse_pausable {
	const struct fuse_hooks *hooks;
	char *buf; /* where requests are read to; on_resume may switch it */
	void (*on_resume)(struct fuse_pausable *s); /* first thing after a resume */
	volatile int paused, pause_req;
	int resume[2]; /* a pipe: sig_post(resume) resumes it */
	char *warm, *cold; /* fuse_pausable_cold_or_warm's buffers */
	int resume_cold;
};
void *fuse_pausable_thread(void *s);
/* s serves h from a pre-faulted buffer; once resumed, from a never-touched one if cold
 * (fuse_copy_fill's GUP then faults it in under mmap_read_lock), else the same */
void fuse_pausable_cold_or_warm(struct fuse_pausable *s, const struct fuse_hooks *h, int cold);
/* pause s, then queue the WRITE of page 0 of fd (PG_writeback until s answers it) */
void fuse_pause_writeback(struct fuse_pausable *s, int fd);

/* watchdog.c: fork the test, wait secs, dump, SIGKILL, abort, report */
int watchdog(int (*test)(void *), void *arg, int secs);
/* the test signals "all test threads done" through this */
void watchdog_done(void);

/* cases */
int case_h2(int argc, char **argv);
int case_wb(int argc, char **argv);
int case_ff(int argc, char **argv);
int case_uw(int argc, char **argv);
int case_mc(int argc, char **argv);
#endif
