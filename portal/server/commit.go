package server

import (
	"fmt"
	"sync"

	bolt "go.etcd.io/bbolt"
)

// maxGroup is the most writes one commit carries.
const maxGroup = 128

// committer runs the portal's writes as group commits: a write that finds
// the storage idle commits at once, alone; writes that arrive while a
// commit is under way queue, and the first of them then commits them all
// in one transaction (and, with fsync on, one fsync). Nobody waits for a
// batch to fill, as under bbolt's Batch (MaxBatchDelay), and concurrent
// writes do not queue one transaction each for the storage's single
// writer lock.
//
// As with Batch, a write's function may run more than once (when a write
// it shared a transaction with failed, the others run again without it),
// so it must be idempotent.
type committer struct {
	db    *bolt.DB
	mu    sync.Mutex
	busy  bool            // a leader is committing
	queue []*pendingWrite // waiting for the next commit
}

// pendingWrite is one write waiting for its commit.
type pendingWrite struct {
	fn func(*bolt.Tx) error
	// out carries the write's result, or lead: the write is to commit the
	// queue, itself first.
	out chan outcome
}

type outcome struct {
	err  error
	lead bool
}

// do runs fn in a read-write transaction, shared with the writes that
// queued meanwhile, and returns fn's error or the commit's.
func (c *committer) do(fn func(*bolt.Tx) error) error {
	w := &pendingWrite{fn: fn, out: make(chan outcome, 1)}
	c.mu.Lock()
	c.queue = append(c.queue, w)
	if c.busy {
		c.mu.Unlock()
		if o := <-w.out; !o.lead {
			return o.err
		}
		c.mu.Lock()
	}
	c.busy = true
	n := min(len(c.queue), maxGroup)
	group := c.queue[:n:n]
	c.queue = c.queue[n:]
	c.mu.Unlock()

	errs := c.run(group)
	// Hand the queue on before answering, so that the next commit starts
	// while this one's writers read their results.
	c.mu.Lock()
	if len(c.queue) > 0 {
		c.queue[0].out <- outcome{lead: true}
	} else {
		c.busy = false
	}
	c.mu.Unlock()
	for i, o := range group {
		if o != w {
			o.out <- outcome{err: errs[i]}
		}
	}
	for i, o := range group {
		if o == w {
			return errs[i]
		}
	}
	panic("portal: a write lost its own commit")
}

// run commits group in one transaction; a write whose function fails is
// run alone, and the rest again without it.
func (c *committer) run(group []*pendingWrite) []error {
	errs := make([]error, len(group))
	failed := -1
	err := c.update(func(tx *bolt.Tx) error {
		for i, w := range group {
			if err := call(w.fn, tx); err != nil {
				failed = i
				return err
			}
		}
		return nil
	})
	switch {
	case failed < 0:
		for i := range errs {
			errs[i] = err // the commit's own error, if any
		}
	case len(group) == 1:
		errs[0] = err
	default:
		errs[failed] = c.update(func(tx *bolt.Tx) error { return call(group[failed].fn, tx) })
		rest := append(append([]*pendingWrite(nil), group[:failed]...), group[failed+1:]...)
		restErrs := c.run(rest)
		copy(errs[:failed], restErrs[:failed])
		copy(errs[failed+1:], restErrs[failed:])
	}
	return errs
}

// update runs one read-write transaction; a panic in the storage becomes
// the error of every write of the group, so that the leader still hands
// the queue on and nobody waits for good.
func (c *committer) update(fn func(*bolt.Tx) error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("portal storage panicked: %v", p)
		}
	}()
	return c.db.Update(fn)
}

// call runs fn, turning a panic into an error so that one write's panic
// does not take its group's writers down with it.
func call(fn func(*bolt.Tx) error, tx *bolt.Tx) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("portal write panicked: %v", p)
		}
	}()
	return fn(tx)
}
