//go:build unix

package crawlbench

import (
	"syscall"
	"time"
)

// usage is the process's CPU time so far and its peak resident memory in
// bytes.
func usage() (cpu time.Duration, peakRSS int64) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), int64(ru.Maxrss) * maxrssUnit
}
