package pipeline

import (
	"math"
	"os"
	"runtime/debug"
)

// DefaultMemoryLimitMiB is the soft limit on the memory the Go runtime
// holds (debug.SetMemoryLimit) that the batch commands run under unless
// the operator says otherwise (--memory-limit-mib, or GOMEMLIMIT in the
// environment). The collector's default pacing lets the heap grow to
// twice what is live: the map stage of a 20,000-page site, whose live heap
// peaks at 130-145 MB while it makes the site's plan, reached 344 MB of
// resident memory without a limit and 275 MB under this one, with no CPU
// cost that could be told from the noise. A limit is soft: a batch whose live heap
// outgrows it (several very large sites at once) still runs, the
// collector working harder (at most about half the CPU) the closer the
// live heap is to the limit; raise it on a machine with the memory, or
// set 0 for none.
const DefaultMemoryLimitMiB = 256

// SetMemoryLimit sets the process's soft memory limit to mib MiB (0: no
// limit, the collector's pacing alone) and returns what restores the one
// before and the limit now in effect, in bytes (math.MaxInt64: none).
// Unless explicit (the operator gave the limit), a GOMEMLIMIT in the
// environment is kept: the runtime applied it at start.
func SetMemoryLimit(mib int, explicit bool) (restore func(), limit int64) {
	prev := debug.SetMemoryLimit(-1)
	if !explicit && os.Getenv("GOMEMLIMIT") != "" {
		return func() {}, prev
	}
	limit = math.MaxInt64
	if mib > 0 {
		limit = int64(mib) << 20
	}
	debug.SetMemoryLimit(limit)
	return func() { debug.SetMemoryLimit(prev) }, limit
}
