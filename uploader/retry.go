package uploader

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"perenos/backoff"
	"perenos/portal"
)

// RetryOptions tune WithRetry.
type RetryOptions struct {
	MaxAttempts int           // tries per call, first included (default 6)
	BaseDelay   time.Duration // first backoff (default 200ms), doubled each try with jitter
	MaxDelay    time.Duration // cap of any wait, Retry-After included (default 30s)
	// Sleep waits between tries; tests pass a fake. Default: a timer that
	// ends early when ctx is cancelled.
	Sleep func(ctx context.Context, d time.Duration) error
	// Progress, when set, hears of each retry.
	Progress Progress
}

// retrying is WithRetry's target.
type retrying struct {
	next Target
	opt  RetryOptions
}

var (
	_ Target     = (*retrying)(nil)
	_ Reader     = (*retrying)(nil)
	_ Lister     = (*retrying)(nil)
	_ Deleter    = (*retrying)(nil)
	_ Identifier = (*retrying)(nil)
)

// WithRetry wraps t so that transient failures (network errors, 408, 409,
// 429, 5xx) are tried again with capped, jittered backoff, waiting at
// least what Retry-After asks; a permanent answer is returned at once, and
// a cancelled context starts no further try. A portal that cannot be
// reached is tried the same way, and then reported as unreachable.
func WithRetry(t Target, opt RetryOptions) Target {
	if opt.MaxAttempts <= 0 {
		opt.MaxAttempts = 6
	}
	if opt.BaseDelay <= 0 {
		opt.BaseDelay = 200 * time.Millisecond
	}
	if opt.MaxDelay <= 0 {
		opt.MaxDelay = 30 * time.Second
	}
	if opt.Sleep == nil {
		opt.Sleep = sleep
	}
	return &retrying{next: t, opt: opt}
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Unwrap is the target retried.
func (r *retrying) Unwrap() Target { return r.next }

// Properties are the wrapped target's.
func (r *retrying) Properties() Properties { return r.next.Properties() }

// run calls fn until it succeeds, fails for good, or the tries run out.
func (r *retrying) run(ctx context.Context, kind portal.Kind, key string, fn func() error) error {
	var last error
	for attempt := 1; ; attempt++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		err := fn()
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if Classify(err) == Permanent {
			return err
		}
		last = err
		if attempt >= r.opt.MaxAttempts {
			return fmt.Errorf("gave up after %d tries: %w", attempt, last)
		}
		var asked time.Duration
		if se, ok := errors.AsType[*StatusError](err); ok {
			asked = se.RetryAfter
		}
		wait := backoff.Policy{Base: r.opt.BaseDelay, Max: r.opt.MaxDelay}.Wait(attempt, asked)
		if r.opt.Progress != nil {
			r.opt.Progress.Retried(kind, key, attempt+1, wait, last)
		}
		if err := r.opt.Sleep(ctx, wait); err != nil {
			return err
		}
	}
}

// Put upserts, retrying transient failures.
func (r *retrying) Put(ctx context.Context, site, key string, obj portal.Object) (res portal.PutResult, err error) {
	err = r.run(ctx, obj.Kind(), key, func() (e error) { res, e = r.next.Put(ctx, site, key, obj); return e })
	return res, err
}

// PutFile stores a file, reading it afresh for every try.
func (r *retrying) PutFile(ctx context.Context, site string, f File) (res portal.PutResult, err error) {
	err = r.run(ctx, portal.KindFile, f.SHA256, func() (e error) { res, e = r.next.PutFile(ctx, site, f); return e })
	return res, err
}

// Get reads back, retrying transient failures.
func (r *retrying) Get(ctx context.Context, site string, kind portal.Kind, key string) (obj portal.Object, err error) {
	rd, err := inner[Reader](r.next, "read back")
	if err != nil {
		return nil, err
	}
	err = r.run(ctx, kind, key, func() (e error) { obj, e = rd.Get(ctx, site, kind, key); return e })
	return obj, err
}

// GetFile reads a file back, retrying transient failures to start it.
func (r *retrying) GetFile(ctx context.Context, site, sha string) (rc io.ReadCloser, err error) {
	rd, err := inner[Reader](r.next, "read back")
	if err != nil {
		return nil, err
	}
	err = r.run(ctx, portal.KindFile, sha, func() (e error) { rc, e = rd.GetFile(ctx, site, sha); return e })
	return rc, err
}

// List lists, retrying transient failures.
func (r *retrying) List(ctx context.Context, site string, kind portal.Kind) (keys []string, err error) {
	l, err := inner[Lister](r.next, "list")
	if err != nil {
		return nil, err
	}
	err = r.run(ctx, kind, "", func() (e error) { keys, e = l.List(ctx, site, kind); return e })
	return keys, err
}

// Delete deletes, retrying transient failures.
func (r *retrying) Delete(ctx context.Context, site string, kind portal.Kind, key string) error {
	d, err := inner[Deleter](r.next, "delete")
	if err != nil {
		return err
	}
	return r.run(ctx, kind, key, func() error { return d.Delete(ctx, site, kind, key) })
}

// Identity asks the portal's identity, retrying transient failures.
func (r *retrying) Identity(ctx context.Context) (info portal.Info, err error) {
	id, err := inner[Identifier](r.next, "name its portal")
	if err != nil {
		return info, err
	}
	err = r.run(ctx, "", "", func() (e error) { info, e = id.Identity(ctx); return e })
	return info, err
}
