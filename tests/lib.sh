# Helpers for the shell tests: failure counting, children of a process, leftovers.
# Needs only POSIX sh, coreutils and /proc (no procps).

failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
finish() {
    if [ "$failures" -ne 0 ]; then echo "$failures check(s) failed" >&2; exit 1; fi
    exit 0
}

# The child process ids of $1, from /proc.
children_of() { cat /proc/"$1"/task/*/children 2>/dev/null | tr ' ' '\n' | grep -v '^$' || true; }

# Waits up to 10 s for $1 to have at least $2 children; prints them.
wait_for_children() {
    i=0
    while [ $i -lt 200 ]; do
        kids=$(children_of "$1")
        if [ "$(printf '%s\n' "$kids" | grep -c .)" -ge "$2" ]; then printf '%s\n' "$kids"; return 0; fi
        sleep 0.05
        i=$((i + 1))
    done
    return 1
}

# Waits up to 10 s for $1 to run at least $2 threads (a team of threads has started).
wait_for_threads() {
    i=0
    while [ $i -lt 200 ]; do
        [ "$(ls /proc/"$1"/task 2>/dev/null | grep -c .)" -ge "$2" ] && return 0
        sleep 0.05
        i=$((i + 1))
    done
    return 1
}

# Is any of the given pids still a process (of any state)?
any_alive() { for p in "$@"; do if [ -e /proc/"$p" ]; then return 0; fi; done; return 1; }

shm_listing() { ls -A /dev/shm 2>/dev/null | sort; }

now_ms() { date +%s%3N; }

# Waits up to 10 s for background job $1 to end (a hang is a failure, not a stuck test: the
# job is then killed). Sets exit_rc and exit_ms (since $2, a now_ms reading).
wait_exit() {
    i=0
    while [ -e /proc/"$1" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
    if [ -e /proc/"$1" ]; then
        fail "pid $1 still running 10 s on"
        kill -KILL "$1"
    fi
    wait "$1"
    exit_rc=$?
    exit_ms=$(($(now_ms) - $2))
}

# Any process still in process group $1 (a setsid'd command's pid)?
group_alive() {
    for stat in /proc/[0-9]*/stat; do
        pgrp=$(sed 's/^.*) //' "$stat" 2>/dev/null | cut -d' ' -f3)
        if [ "$pgrp" = "$1" ]; then return 0; fi
    done
    return 1
}

# Waits up to 5 s for every given pid to be gone or a zombie (a launcher such as mpirun may exit
# while the kernel still tears its children down). Returns 1 if one still runs.
wait_gone() {
    i=0
    while [ $i -lt 50 ]; do
        running=0
        for p in "$@"; do
            state=$(sed 's/^.*) //' /proc/"$p"/stat 2>/dev/null | cut -d' ' -f1)
            if [ -n "$state" ] && [ "$state" != Z ] && [ "$state" != X ]; then running=1; fi
        done
        [ $running -eq 0 ] && return 0
        sleep 0.1
        i=$((i + 1))
    done
    return 1
}
