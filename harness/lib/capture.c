/* posix_spawn with a pipe, a poll loop and a deadline: running a tool and keeping its output. */
#include "capture.h"

#include "machine.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

int ceil_in_path(const char *program)
{
    const char *path = getenv("PATH");
    if (!path)
        return 0;
    char buf[4096];
    for (const char *p = path; *p;) {
        size_t len = strcspn(p, ":");
        snprintf(buf, sizeof buf, "%.*s/%s", (int)len, p, program);
        if (len && access(buf, X_OK) == 0)
            return 1;
        p += len + (p[len] == ':');
    }
    return 0;
}

int ceil_spawn_capture(char *const argv[], double timeout_s, char **out, int *status)
{
    *out = NULL;
    *status = 127;
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0)
        return -errno;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&fa, fds[1], STDERR_FILENO);
    posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    pid_t pid;
    int rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(fds[1]);
    if (rc != 0) {
        close(fds[0]);
        return -rc;
    }
    size_t len = 0, cap = 4096;
    char *buf = malloc(cap);
    double deadline = ceil_now() + timeout_s;
    int timed_out = 0;
    for (;;) {
        double left = deadline - ceil_now();
        if (left <= 0) {
            timed_out = 1;
            kill(pid, SIGKILL);
            break;
        }
        struct pollfd pfd = { .fd = fds[0], .events = POLLIN };
        int ready = poll(&pfd, 1, (int)(left * 1000) + 1);
        if (ready < 0 && errno == EINTR)
            continue;
        if (ready <= 0)
            continue;
        if (buf && len + 1024 > cap) {
            char *grown = realloc(buf, cap *= 2);
            if (!grown) {
                free(buf);
                buf = NULL;
            } else {
                buf = grown;
            }
        }
        ssize_t got = buf ? read(fds[0], buf + len, cap - len - 1) : 0;
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            break;
        len += (size_t)got;
    }
    close(fds[0]);
    int wstatus = 0;
    while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR)
        ;
    *status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
    if (!buf)
        return -ENOMEM;
    buf[len] = '\0';
    *out = buf;
    return timed_out ? -ETIMEDOUT : 0;
}

void ceil_capture_reason(const char *output, char *out, size_t len)
{
    static const char *signs[] = { "ERROR", "Unsupported", "Cannot", "No groups", "not supported",
                                   "Permission", "not available", NULL };
    size_t used = 0;
    out[0] = '\0';
    for (const char *line = output; line && *line;) {
        const char *end = strchr(line, '\n');
        size_t n = end ? (size_t)(end - line) : strlen(line);
        char text[512];
        snprintf(text, sizeof text, "%.*s", (int)(n < sizeof text ? n : sizeof text - 1), line);
        int wanted = 0;
        for (unsigned i = 0; signs[i]; i++)
            wanted |= strstr(text, signs[i]) != NULL;
        /* "ERROR - [./src/perfmon.c:perfmon_init_maps:1162] Unsupported Processor": the message */
        char *msg = text;
        if (strncmp(msg, "ERROR - [", 9) == 0 && strchr(msg, ']'))
            msg = strchr(msg, ']') + 1 + (strchr(msg, ']')[1] == ' ');
        if (wanted && *msg && !strstr(out, msg) && used + strlen(msg) + 3 < len)
            used += (size_t)snprintf(out + used, len - used, "%s%s", used ? "; " : "", msg);
        line = end ? end + 1 : NULL;
    }
    if (!out[0])
        snprintf(out, len, "no reason printed");
}
