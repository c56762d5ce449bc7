/*
 * WB: a write fault waits for FUSE writeback under its fault lock.
 *
 *   T1  dirties page 0 of a MAP_SHARED mapping (FUSE_WRITEBACK_CACHE; the server
 *       answers the READ), then, after sync_file_range queued the page's WRITE while
 *       the server was not reading /dev/fuse, writes it again: do_wp_page ->
 *       fuse_page_mkwrite -> fuse_wait_on_page_writeback, holding the VMA lock (6.12)
 *       or mmap_read_lock (6.1).
 *   W   -w 1, -m mlock|madvise|mremap|fork: mlock of its first page, MADV_DONTFORK, a
 *       shrinking mremap, or fork(): each write-locks the VMA under mmap_write_lock.
 *       -m mprotect (default): mprotect() of that mapping adding PROT_EXEC (the flags must change, or
 *       mprotect_fixup returns early): mmap_write_lock, then vma_start_write (6.12),
 *       or queued behind T1's mmap_read_lock (6.1).
 *       -m diommap: mmap of a FOPEN_DIRECT_IO open of the file (opened before the
 *       server pauses): fuse_file_mmap -> invalidate_inode_pages2 under
 *       mmap_write_lock, whose folio_wait_writeback waits for the server since 6.16
 *       (fs/fuse/file.c fuse_writepage_finish ends PG_writeback); up to 6.15
 *       PG_writeback ended at once (temp folio).
 *   -f 0: T1 does not write the page again (no fuse_page_mkwrite wait): only W
 *       waits for the writeback.
 *   S   then reads /dev/fuse: -b cold: into a never-touched buffer (GUP in
 *       fuse_copy_fill needs mmap_read_lock); -b warm: into its pre-faulted buffer.
 */
#include "fl.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

static struct {
	const char *buffer, *how;
	int writer, second, secs;
	char *map;
	int fd, fd_dio;
	int pipe_t1[2], pipe_w[2];
	volatile pid_t tid_t1, tid_w;
	struct fuse_pausable srv;
} g;

static void wb_write(struct fuse_in_header *ih, struct fuse_write_in *in)
{
	fl_log("S", "WRITE off=%llu size=%u (pid %u)", (unsigned long long)in->offset, in->size, ih->pid);
}

/* an O_NONBLOCK open is W's FOPEN_DIRECT_IO one (-m diommap) */
static uint32_t wb_open_flags(uint32_t flags)
{
	return (flags & O_NONBLOCK) ? FOPEN_DIRECT_IO : FOPEN_KEEP_CACHE;
}

static const struct fuse_hooks hooks = {
	.write = wb_write,
	.open_flags = wb_open_flags,
	.init_flags = FUSE_WRITEBACK_CACHE,
};

static void *faulter(void *arg)
{
	(void)arg;
	thread_begin("fl-T1", &g.tid_t1, NULL);
	fl_log("T1", "first write to page 0 (READ, dirty) ...");
	g.map[0] = 'x';
	fl_log("T1", "page 0 dirty");
	sig_wait(g.pipe_t1);
	if (!g.second)
		return NULL;
	fl_log("T1", "second write to page 0 (write-protected, under writeback) ...");
	g.map[1] = 'y';
	fl_log("T1", "second write done");
	return NULL;
}

static void *writer(void *arg)
{
	(void)arg;
	thread_begin("fl-W", &g.tid_w, g.pipe_w);
	if (!g.writer)
		return NULL;
	int r;
	fl_log("W", "%s of the mapping ...", g.how);
	if (!strcmp(g.how, "mlock"))
		r = mlock(g.map, PG); /* mlock_fixup splits and write-locks the VMA */
	else if (!strcmp(g.how, "madvise"))
		r = madvise(g.map, FILE_SIZE, MADV_DONTFORK); /* madvise_update_vma */
	else if (!strcmp(g.how, "fork")) { /* dup_mmap write-locks every VMA */
		pid_t c = fork();
		if (c == 0)
			_exit(0);
		r = c < 0 ? -1 : 0;
		if (c > 0)
			waitpid(c, NULL, 0);
	} else if (!strcmp(g.how, "diommap")) { /* invalidate_inode_pages2 under mmap_write_lock */
		void *p = mmap(NULL, PG, PROT_READ, MAP_PRIVATE, g.fd_dio, 0);
		r = p == MAP_FAILED ? -1 : 0;
	} else if (!strcmp(g.how, "mremap"))
		r = mremap(g.map, FILE_SIZE, FILE_SIZE / 2, 0) == MAP_FAILED ? -1 : 0; /* split */
	else /* the flags must change: mprotect_fixup returns before vma_start_write if not */
		r = mprotect(g.map, FILE_SIZE, PROT_READ | PROT_WRITE | PROT_EXEC);
	fl_log("W", "%s returned %d", g.how, r);
	return NULL;
}

static int test(void *arg)
{
	(void)arg;
	struct fl_thread t1, tw;
	set_role("fl-M");
	if (pipe(g.pipe_t1) || pipe(g.pipe_w) || pipe(g.srv.resume))
		die("pipe");
	fuse_prepare_buffers();
	fuse_pausable_cold_or_warm(&g.srv, &hooks, !strcmp(g.buffer, "cold"));
	fuse_start(fuse_pausable_thread, &g.srv);
	g.fd = open(MNT "/" FNAME, O_RDWR);
	if (g.fd < 0)
		die("open fuse file");
	g.map = mmap(NULL, FILE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, g.fd, 0);
	if (g.map == MAP_FAILED)
		die("mmap fuse file");
	/* W's FOPEN_DIRECT_IO open, while the server still answers */
	g.fd_dio = !strcmp(g.how, "diommap") ? open(MNT "/" FNAME, O_RDONLY | O_NONBLOCK) : -1;
	if (!strcmp(g.how, "diommap") && g.fd_dio < 0)
		die("open fuse file O_NONBLOCK");
	fl_spawn(&t1, faulter, NULL);
	fl_spawn(&tw, writer, NULL);
	msleep(500); /* T1 dirtied page 0 */
	fuse_pause_writeback(&g.srv, g.fd);
	msleep(200);
	/* each waits, or is gone: a thread's exit madvises its stack (glibc), which must
	 * not queue behind W's mmap_write_lock */
	step("M", "T1 (fuse_page_mkwrite)", g.pipe_t1, &g.tid_t1, 2000);
	step("M", "W (behind T1, or on the writeback)", g.pipe_w, &g.tid_w, 2000);
	fl_log("M", "resuming the server");
	sig_post(g.srv.resume);
	fl_join(&t1);
	fl_join(&tw);
	fl_log("M", "all threads finished");
	watchdog_done();
	munmap(g.map, FILE_SIZE);
	close(g.fd);
	umount2(MNT, MNT_DETACH);
	return 0;
}

int case_wb(int argc, char **argv)
{
	int opt;
	g.buffer = "cold";
	g.writer = 1;
	g.second = 1;
	g.how = "mprotect";
	g.secs = 12;
	while ((opt = getopt(argc, argv, "b:w:m:f:T:")) != -1) {
		switch (opt) {
		case 'm': g.how = optarg; break;
		case 'b': g.buffer = optarg; break;
		case 'w': g.writer = atoi(optarg); break;
		case 'f': g.second = atoi(optarg); break;
		case 'T': g.secs = atoi(optarg); break;
		default:
			fprintf(stderr, "usage: fltest wb [-b cold|warm] [-w 0|1] [-m mprotect|mlock|madvise|mremap|fork|diommap] [-f 0|1] [-T secs]\n");
			return 2;
		}
	}
	return watchdog(test, NULL, g.secs);
}
