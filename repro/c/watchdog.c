/*
 * The watchdog: runs the test in a child, waits, and on a hang dumps every test task
 * (comm "fl-*") with state, wchan and kernel stack, triggers sysrq-w, SIGKILLs the test
 * process, dumps again, aborts the FUSE connections and reaps.  Lines for the runner:
 *   WD: OUTCOME COMPLETE ms=N | WD: OUTCOME HANG secs=N
 *   WD: TASK phase=hang|killed role=R tid=N state=S wchan=W stack=f1<f2<...
 *   WD: KILL reaped=yes|no
 *   K: <level>[time] kernel log line   (sysrq-w, hung_task), between WD: KMSG lines
 * The kernel prints nothing on the console meanwhile (console loglevel 1), so the
 * watchdog is its only writer and no line is torn.
 */
#include "fl.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int done_pipe[2];

void watchdog_done(void)
{
	sig_post(done_pipe);
}

static int read_file(const char *path, char *b, size_t len)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, b, len - 1);
	close(fd);
	b[n > 0 ? n : 0] = 0;
	return n > 0 ? (int)n : 0;
}

/* "[<0>] folio_wait_bit_common+0x13d/0x350\n..." -> "folio_wait_bit_common<..." */
static void compact_stack(char *in, char *out, size_t len)
{
	size_t o = 0;
	out[0] = 0;
	for (char *l = strtok(in, "\n"); l; l = strtok(NULL, "\n")) {
		char *f = strchr(l, ']');
		f = f ? f + 1 : l;
		while (*f == ' ')
			f++;
		size_t n = strcspn(f, "+ ");
		if (o + n + 2 >= len)
			break;
		if (o)
			out[o++] = '<';
		memcpy(out + o, f, n);
		o += n;
		out[o] = 0;
	}
}

/* dump every task whose comm starts with "fl-"; returns how many are in state D */
static int dump_tasks(const char *phase)
{
	int nd = 0;
	DIR *p = opendir("/proc");
	struct dirent *pe;
	while (p && (pe = readdir(p))) {
		char path[300], b[8192], comm[32], wchan[128], stack[2048];
		if (pe->d_name[0] < '0' || pe->d_name[0] > '9')
			continue;
		snprintf(path, sizeof path, "/proc/%s/task", pe->d_name);
		DIR *t = opendir(path);
		struct dirent *te;
		while (t && (te = readdir(t))) {
			if (te->d_name[0] == '.')
				continue;
			snprintf(path, sizeof path, "/proc/%s/task/%s/comm", pe->d_name, te->d_name);
			if (read_file(path, comm, sizeof comm) <= 0 || strncmp(comm, "fl-", 3))
				continue;
			comm[strcspn(comm, "\n")] = 0;
			snprintf(path, sizeof path, "/proc/%s/task/%s/stat", pe->d_name, te->d_name);
			read_file(path, b, sizeof b);
			char *rp = strrchr(b, ')');
			char state = rp ? rp[2] : '?';
			snprintf(path, sizeof path, "/proc/%s/task/%s/wchan", pe->d_name, te->d_name);
			read_file(path, wchan, sizeof wchan);
			snprintf(path, sizeof path, "/proc/%s/task/%s/stack", pe->d_name, te->d_name);
			read_file(path, b, sizeof b);
			compact_stack(b, stack, sizeof stack);
			printf("WD: TASK phase=%s role=%s tid=%s state=%c wchan=%s stack=%s\n", phase, comm + 3,
			       te->d_name, state, wchan[0] ? wchan : "-", stack[0] ? stack : "-");
			nd += state == 'D';
		}
		if (t)
			closedir(t);
	}
	if (p)
		closedir(p);
	fflush(stdout);
	return nd;
}

static void write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY);
	if (fd >= 0) {
		if (write(fd, s, strlen(s)) < 0) {}
		close(fd);
	}
}

static void abort_fuse(void)
{
	DIR *d = opendir("/sys/fs/fuse/connections");
	struct dirent *de;
	while (d && (de = readdir(d))) {
		char p[300];
		if (de->d_name[0] == '.')
			continue;
		snprintf(p, sizeof p, "/sys/fs/fuse/connections/%s/abort", de->d_name);
		printf("WD: echo 1 > %s\n", p);
		write_str(p, "1");
	}
	if (d)
		closedir(d);
}

/* print the kernel log lines not read yet (klogctl SYSLOG_ACTION_READ consumes them)
 * as "K: " lines, or just consume them */
static void dump_kmsg(const char *what, int print)
{
	static char buf[1 << 20];
	if (print)
		printf("WD: KMSG %s\n", what);
	for (;;) {
		int unread = klogctl(9 /* SIZE_UNREAD */, NULL, 0);
		if (unread <= 0)
			break;
		int n = klogctl(2 /* READ */, buf, unread < (int)sizeof buf - 1 ? unread : (int)sizeof buf - 1);
		if (n <= 0)
			break;
		buf[n] = 0;
		for (char *l = buf; print && *l;) {
			char *nl = strchr(l, '\n');
			if (nl)
				*nl = 0;
			printf("K: %s\n", l);
			if (!nl)
				break;
			l = nl + 1;
		}
	}
	if (print)
		printf("WD: KMSG end\n");
}

/*
 * A task asleep in D since before the hang was declared is reported by khungtaskd
 * within two hung_task periods (a check every timeout seconds, reporting tasks asleep
 * for a whole timeout). Wait for the first report or those two periods, whichever
 * comes first: on a loaded host the test's set-up eats into the watchdog's window, and
 * a report that comes after the dump reads as hung_task=no. A killable sleep is also D
 * in /proc but never reported: it pays the whole wait.
 */
static void await_hung_task(void)
{
	static char buf[1 << 20];
	char t[16];
	int period = read_file("/proc/sys/kernel/hung_task_timeout_secs", t, sizeof t) > 0 ? atoi(t) : 0;
	if (period <= 0)
		return;
	for (int ms = 0; ms <= (2 * period + 1) * 1000; ms += 200) {
		int n = klogctl(3 /* READ_ALL: does not consume */, buf, sizeof buf - 1);
		buf[n > 0 ? n : 0] = 0;
		if (strstr(buf, "INFO: task fl-")) { /* "blocked (in I/O wait) for more than" */
			printf("WD: hung_task reported %d ms after the hang\n", ms);
			return;
		}
		msleep(200);
	}
	printf("WD: no hung_task report %d s after the hang\n", 2 * period + 1);
}

/* poll for up to ms: 1 when pid was reaped */
static int reap(pid_t pid, int ms)
{
	for (int i = 0; i <= ms / 100; i++) {
		int st;
		if (waitpid(pid, &st, WNOHANG) == pid)
			return 1;
		msleep(100);
	}
	return 0;
}

int watchdog(int (*test)(void *), void *arg, int secs)
{
	struct timespec a, b;
	if (pipe(done_pipe))
		die("pipe");
	setvbuf(stdout, NULL, _IONBF, 0);
	write_str("/proc/sys/kernel/printk", "1"); /* console: emergencies only */
	dump_kmsg("boot", 0);
	clock_gettime(CLOCK_MONOTONIC, &a);
	pid_t pid = fork();
	if (pid == 0) {
		close(done_pipe[0]);
		_exit(test(arg));
	}
	close(done_pipe[1]);
	fcntl(done_pipe[0], F_SETFL, O_NONBLOCK);
	for (int i = 0; i < secs * 10; i++) {
		char c;
		if (read(done_pipe[0], &c, 1) == 1) {
			clock_gettime(CLOCK_MONOTONIC, &b);
			printf("WD: OUTCOME COMPLETE ms=%.0f\n", (b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6);
			int r = reap(pid, 5000);
			printf("WD: test process %s\n", r ? "exited" : "did not exit within 5 s");
			if (!r) {
				dump_tasks("exit");
				abort_fuse();
			}
			return 0;
		}
		int st;
		if (waitpid(pid, &st, WNOHANG) == pid) {
			printf("WD: OUTCOME FAILED test exited early, status %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
			return 1;
		}
		msleep(100);
	}
	printf("WD: OUTCOME HANG secs=%d\n", secs);
	if (dump_tasks("hang"))
		await_hung_task();
	write_str("/proc/sysrq-trigger", "w");
	msleep(500);
	/* sysrq-w's traces and hung_task's reports so far: everything before SIGKILL */
	dump_kmsg("hang", 1);
	printf("WD: SIGKILL %d\n", pid);
	kill(pid, SIGKILL);
	int r = reap(pid, 3000);
	printf("WD: KILL reaped=%s\n", r ? "yes" : "no");
	dump_tasks("killed");
	abort_fuse();
	if (!r)
		r = reap(pid, 3000);
	printf("WD: after fusectl abort: reaped=%s\n", r ? "yes" : "no");
	dump_kmsg("after", 1);
	return 1;
}
