//go:build !(linux || darwin || freebsd || netbsd || openbsd)

package regionbench

import "time"

// childrenCPU is unknown where getrusage is not available (Windows).
func childrenCPU() time.Duration { return 0 }
