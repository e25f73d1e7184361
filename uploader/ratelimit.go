package uploader

import (
	"context"
	"io"

	"golang.org/x/time/rate"

	"perenos/portal"
)

// limited is WithRateLimit's target.
type limited struct {
	next Target
	lim  *rate.Limiter
}

var (
	_ Target     = (*limited)(nil)
	_ Reader     = (*limited)(nil)
	_ Lister     = (*limited)(nil)
	_ Deleter    = (*limited)(nil)
	_ Identifier = (*limited)(nil)
)

// WithRateLimit wraps t so that every request waits for lim: one limiter
// shared by all sites of a batch keeps the whole batch under the rate the
// portal allows, instead of meeting its 429s. Waiting ends early, with
// nothing sent, when ctx is cancelled.
func WithRateLimit(t Target, lim *rate.Limiter) Target {
	return &limited{next: t, lim: lim}
}

// NewRate is a limiter of perSecond requests a second with bursts of
// burst, for PortalOptions.Rate; perSecond 0 is no limiter (nil).
func NewRate(perSecond float64, burst int) *rate.Limiter {
	if perSecond <= 0 {
		return nil
	}
	return rate.NewLimiter(rate.Limit(perSecond), max(burst, 1))
}

// Unwrap is the target limited.
func (l *limited) Unwrap() Target { return l.next }

// Properties are the wrapped target's.
func (l *limited) Properties() Properties { return l.next.Properties() }

// Put waits for the limiter, then upserts.
func (l *limited) Put(ctx context.Context, site, key string, obj portal.Object) (portal.PutResult, error) {
	if err := l.lim.Wait(ctx); err != nil {
		return portal.PutResult{}, err
	}
	return l.next.Put(ctx, site, key, obj)
}

// PutFile waits for the limiter, then stores the file.
func (l *limited) PutFile(ctx context.Context, site string, f File) (portal.PutResult, error) {
	if err := l.lim.Wait(ctx); err != nil {
		return portal.PutResult{}, err
	}
	return l.next.PutFile(ctx, site, f)
}

// Get waits for the limiter, then reads back.
func (l *limited) Get(ctx context.Context, site string, kind portal.Kind, key string) (portal.Object, error) {
	rd, err := inner[Reader](l.next, "read back")
	if err != nil {
		return nil, err
	}
	if err := l.lim.Wait(ctx); err != nil {
		return nil, err
	}
	return rd.Get(ctx, site, kind, key)
}

// GetFile waits for the limiter, then reads a file back.
func (l *limited) GetFile(ctx context.Context, site, sha string) (io.ReadCloser, error) {
	rd, err := inner[Reader](l.next, "read back")
	if err != nil {
		return nil, err
	}
	if err := l.lim.Wait(ctx); err != nil {
		return nil, err
	}
	return rd.GetFile(ctx, site, sha)
}

// List waits for the limiter, then lists.
func (l *limited) List(ctx context.Context, site string, kind portal.Kind) ([]string, error) {
	ls, err := inner[Lister](l.next, "list")
	if err != nil {
		return nil, err
	}
	if err := l.lim.Wait(ctx); err != nil {
		return nil, err
	}
	return ls.List(ctx, site, kind)
}

// Delete waits for the limiter, then deletes.
func (l *limited) Delete(ctx context.Context, site string, kind portal.Kind, key string) error {
	d, err := inner[Deleter](l.next, "delete")
	if err != nil {
		return err
	}
	if err := l.lim.Wait(ctx); err != nil {
		return err
	}
	return d.Delete(ctx, site, kind, key)
}

// Identity waits for the limiter, then asks the portal's identity.
func (l *limited) Identity(ctx context.Context) (portal.Info, error) {
	id, err := inner[Identifier](l.next, "name its portal")
	if err != nil {
		return portal.Info{}, err
	}
	if err := l.lim.Wait(ctx); err != nil {
		return portal.Info{}, err
	}
	return id.Identity(ctx)
}

// PortalOptions set up the target an upload sends through.
type PortalOptions struct {
	Client ClientOptions
	Retry  RetryOptions
	// Rate, when set, bounds the requests of every site together (share
	// one limiter across the targets of a batch).
	Rate *rate.Limiter
}

// NewPortal returns the target for the portal API at base: the client,
// rate-limited when opt.Rate is set, and retried.
func NewPortal(base string, tokens map[string]string, opt PortalOptions) Target {
	var t Target = NewClient(base, tokens, opt.Client)
	if opt.Rate != nil {
		t = WithRateLimit(t, opt.Rate)
	}
	return WithRetry(t, opt.Retry)
}
