package realsites

import (
	"syscall"
	"time"
)

// cpuTime is the process's CPU time so far (user and system), to judge a
// benchmark on a machine other work shares.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
