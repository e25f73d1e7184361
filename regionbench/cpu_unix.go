//go:build linux || darwin || freebsd || netbsd || openbsd

package regionbench

import (
	"syscall"
	"time"
)

// childrenCPU is the CPU time of the process's finished and waited-for
// children (pdftotext and catdoc, which read attachments): procstat
// counts the process alone. The serving process is waited for only at the
// end, so it never counts in a stage.
func childrenCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_CHILDREN, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
