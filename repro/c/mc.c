/*
 * MC (rule 22, munmap-close): munmap of a dirty MAP_SHARED FUSE mapping waits for the
 * server in fuse_vma_close -> write_inode_now, holding the mmap_read_lock munmap
 * downgraded to (7.2 mm/vma.c vms_complete_munmap_vmas).
 *
 *   M   dirties page 0 (the server answers the READ), pauses the server and queues the
 *       page's WRITE (sync_file_range): since 6.16 the folio stays PG_writeback until
 *       the server replies (fuse_writepage_finish); up to 6.15 a temp folio ended it
 *       at once.
 *   U   munmap()s the mapping: write_inode_now's filemap_fdatawait waits for that
 *       writeback under mmap_read_lock (6.16 and later).
 *   W   -w 1: mprotect() of another VMA C: mmap_write_lock, queued behind U.
 *   S   resumes: -b cold: reads the WRITE into a never-touched buffer (GUP in
 *       fuse_copy_fill needs mmap_read_lock: behind W); -b warm: a pre-faulted one.
 * No FUSE_WRITEBACK_CACHE: with it the inode's times are dirty too, and
 * write_inode_now also sends a SETATTR (fuse_write_inode -> fuse_flush_times) and
 * waits for its answer on every kernel, which the scenario does not model.
 */
#include "fl.h"
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <unistd.h>

static struct {
	const char *buffer;
	int writer, wbc, secs;
	char *map, *other;
	int fd;
	int pipe_u[2], pipe_w[2];
	volatile pid_t tid_u, tid_w;
	struct fuse_pausable srv;
} g;

static void mc_write(struct fuse_in_header *ih, struct fuse_write_in *in)
{
	fl_log("S", "WRITE off=%llu size=%u (pid %u)", (unsigned long long)in->offset, in->size, ih->pid);
}

static const struct fuse_hooks hooks = { .write = mc_write };
static const struct fuse_hooks hooks_wbc = { .write = mc_write, .init_flags = FUSE_WRITEBACK_CACHE };

static void *unmapper(void *arg)
{
	(void)arg;
	thread_begin("fl-U", &g.tid_u, g.pipe_u);
	fl_log("U", "munmap of the dirty shared mapping (fuse_vma_close -> write_inode_now) ...");
	int r = munmap(g.map, FILE_SIZE);
	fl_log("U", "munmap returned %d", r);
	return NULL;
}

static void *writer(void *arg)
{
	(void)arg;
	thread_begin("fl-W", &g.tid_w, g.pipe_w);
	if (!g.writer)
		return NULL;
	fl_log("W", "mprotect of another VMA (mmap_write_lock) ...");
	int r = mprotect(g.other, PG, PROT_READ); /* the flags change: it write-locks */
	fl_log("W", "mprotect returned %d", r);
	return NULL;
}

static int test(void *arg)
{
	(void)arg;
	struct fl_thread tu, tw;
	set_role("fl-M");
	if (pipe(g.pipe_u) || pipe(g.pipe_w) || pipe(g.srv.resume))
		die("pipe");
	fuse_prepare_buffers();
	fuse_pausable_cold_or_warm(&g.srv, g.wbc ? &hooks_wbc : &hooks, !strcmp(g.buffer, "cold"));
	g.other = map_guarded(1);
	memset(g.other, 0, PG);
	fuse_start(fuse_pausable_thread, &g.srv);
	g.fd = open(MNT "/" FNAME, O_RDWR);
	if (g.fd < 0)
		die("open fuse file");
	g.map = mmap(NULL, FILE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, g.fd, 0);
	if (g.map == MAP_FAILED)
		die("mmap fuse file");
	fl_log("M", "first write to page 0 (READ, dirty) ...");
	g.map[0] = 'x';
	fl_spawn(&tu, unmapper, NULL);
	fl_spawn(&tw, writer, NULL);
	fuse_pause_writeback(&g.srv, g.fd);
	/* each waits, or is gone (a thread's exit madvises its stack, which must not queue
	 * behind W's mmap_write_lock) */
	step("M", "U (munmap)", g.pipe_u, &g.tid_u, 2000);
	step("M", "W (behind U, or done)", g.pipe_w, &g.tid_w, 2000);
	fl_log("M", "resuming the server (-b %s)", g.buffer);
	sig_post(g.srv.resume);
	fl_join(&tu);
	fl_join(&tw);
	fl_log("M", "all threads finished");
	watchdog_done();
	close(g.fd);
	umount2(MNT, MNT_DETACH);
	return 0;
}

int case_mc(int argc, char **argv)
{
	int opt;
	g.buffer = "cold";
	g.writer = 1;
	g.secs = 12;
	while ((opt = getopt(argc, argv, "b:w:c:T:")) != -1) {
		switch (opt) {
		case 'c': g.wbc = atoi(optarg); break;
		case 'b': g.buffer = optarg; break;
		case 'w': g.writer = atoi(optarg); break;
		case 'T': g.secs = atoi(optarg); break;
		default:
			fprintf(stderr, "usage: fltest mc [-b cold|warm] [-w 0|1] [-c 0|1] [-T secs]\n");
			return 2;
		}
	}
	return watchdog(test, NULL, g.secs);
}
