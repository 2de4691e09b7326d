#define _GNU_SOURCE
#include "ccgd_process_watch.h"

#include <poll.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

int ccgd_pidfd_open(pid_t pid) {
    // The kernel makes pidfds close-on-exec; no flags are needed.
    return (int)syscall(SYS_pidfd_open, pid, 0);
}

int ccgd_pidfd_exited(int pidfd) {
    struct pollfd entry = {.fd = pidfd, .events = POLLIN};
    int ready = poll(&entry, 1, 0);
    if (ready < 0) return -1;
    return ready > 0 && (entry.revents & (POLLIN | POLLHUP)) ? 1 : 0;
}

int ccgd_epoll_create(void) {
    return epoll_create1(EPOLL_CLOEXEC);
}

int ccgd_epoll_watch(int epoll, int fd, uint64_t token) {
    struct epoll_event event = {.events = EPOLLIN, .data.u64 = token};
    return epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &event);
}

int ccgd_epoll_forget(int epoll, int fd) {
    return epoll_ctl(epoll, EPOLL_CTL_DEL, fd, NULL);
}

int ccgd_epoll_wait(int epoll, uint64_t *tokens, int capacity, int timeout_ms) {
    struct epoll_event events[64];
    int maximum = capacity < 64 ? capacity : 64;
    int ready = epoll_wait(epoll, events, maximum, timeout_ms);
    for (int i = 0; i < ready; i++) tokens[i] = events[i].data.u64;
    return ready;
}
