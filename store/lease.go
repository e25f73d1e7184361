package store

import (
	"errors"
	"fmt"
	"sync"
	"time"
)

// ErrBusy says another job holds a site.
var ErrBusy = errors.New("another job is working on this site")

// BusyError is ErrBusy with who holds the site and since when.
type BusyError struct {
	Org    string
	Holder string
	Since  time.Time
}

func (e *BusyError) Error() string {
	return fmt.Sprintf("organisation %s: %s (%s, since %s); wait for it to finish or stop it", e.Org, ErrBusy, e.Holder, e.Since.Format("15:04:05"))
}

func (e *BusyError) Unwrap() error { return ErrBusy }

// leases are the sites a job of this process is working on. bbolt lets one
// process hold a workspace, so an in-process table is the whole truth; a
// shared backend keeps the same promise with a lease that expires.
type leases struct {
	mu   sync.Mutex
	held map[string]lease
}

type lease struct {
	holder string
	since  time.Time
}

// Lease claims org for one job (holder says which, for the message a
// second job gets) until release is called. A site already claimed is
// refused at once with a *BusyError rather than waited for: jobs are long.
func (w *Workspace) Lease(org, holder string) (release func(), err error) {
	w.leases.mu.Lock()
	defer w.leases.mu.Unlock()
	if w.leases.held == nil {
		w.leases.held = map[string]lease{}
	}
	if l, ok := w.leases.held[org]; ok {
		return nil, &BusyError{Org: org, Holder: l.holder, Since: l.since}
	}
	w.leases.held[org] = lease{holder: holder, since: w.now()}
	var once sync.Once
	return func() {
		once.Do(func() {
			w.leases.mu.Lock()
			delete(w.leases.held, org)
			w.leases.mu.Unlock()
		})
	}, nil
}
