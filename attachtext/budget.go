package attachtext

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"

	"golang.org/x/sync/semaphore"
)

// DefaultMemoryBudget is the memory all attachment reading of a process
// may take at once unless SetMemoryBudget says otherwise.
const DefaultMemoryBudget = 512 << 20

// budget is the process's memory for reading attachments. Every read
// holds its expected memory for as long as it runs, so however many sites
// a batch reads in parallel, attachments together stay within the budget:
// the reads beyond it wait their turn.
var budget = struct {
	mu   sync.Mutex
	sem  *semaphore.Weighted
	size int64
	held atomic.Int64 // now, for tests and logs
	peak atomic.Int64
}{sem: semaphore.NewWeighted(DefaultMemoryBudget), size: DefaultMemoryBudget}

// SetMemoryBudget sets the memory, in bytes, that attachment reading may
// take at once across the whole process (default DefaultMemoryBudget).
// Reads already running keep what they hold; new reads use the new
// budget. A single file that expects more than the whole budget runs
// alone.
func SetMemoryBudget(n int64) {
	if n <= 0 {
		n = DefaultMemoryBudget
	}
	budget.mu.Lock()
	defer budget.mu.Unlock()
	budget.sem, budget.size = semaphore.NewWeighted(n), n
}

// acquire waits until n bytes of the budget are free (or ctx ends) and
// returns the function that gives them back.
func acquire(ctx context.Context, name string, n int64) (func(), error) {
	budget.mu.Lock()
	sem, size := budget.sem, budget.size
	budget.mu.Unlock()
	n = min(max(n, 1), size)
	if err := sem.Acquire(ctx, n); err != nil {
		return nil, fmt.Errorf("attachment %s: waiting for memory to read it: %w", name, err)
	}
	now := budget.held.Add(n)
	for {
		p := budget.peak.Load()
		if now <= p || budget.peak.CompareAndSwap(p, now) {
			break
		}
	}
	return func() {
		budget.held.Add(-n)
		sem.Release(n)
	}, nil
}

// expectedMemory is what reading a file of size bytes in format may take
// at most: the file itself, what it unpacks to, and the text twice (as
// it is built and as it is returned). For DOCX and ODT the unpacked part
// is bounded by the limits the reader enforces (MaxUnpacked, and
// MaxRatio from 1 MiB on), and the streaming XML decoder holds one token
// of it at a time, at most the whole part.
func expectedMemory(format string, size int64, opt Options) int64 {
	const overhead = 1 << 20
	text := 2 * int64(opt.MaxText)
	switch format {
	case "docx", "odt":
		part := min(opt.MaxUnpacked, max(int64(float64(size)*opt.MaxRatio), unpackRatioFrom))
		return size + part + text + overhead
	case "pdf":
		if opt.PureGo || !HavePdftotext() {
			// the pure-Go reader holds the file and unpacks one page's
			// streams at a time
			return 4*size + text + overhead
		}
		return size + text + overhead // pdftotext runs in its own process
	case "txt":
		return 3*size + overhead // the bytes, their decoding, the string
	}
	return size + text + overhead
}
