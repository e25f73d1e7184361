// Package backoff says how long to wait before trying a remote call again:
// capped exponential delays with full jitter, and the server's Retry-After.
// The crawler (legacy sites) and the uploader (the portal) both use it, so
// a region's retries spread out the same way towards every server.
package backoff

import (
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Policy is a capped exponential backoff with full jitter: the wait before
// try n+1 is uniform in (0, min(Base·2ⁿ⁻¹, Max)], so that many clients
// retrying after one outage do not come back in step.
type Policy struct {
	Base time.Duration // the cap of the first wait
	Max  time.Duration // the cap of any wait, Retry-After included
}

// Delay is the wait after the attempt-th failed try (attempt ≥ 1).
func (p Policy) Delay(attempt int) time.Duration {
	base, ceil := p.Base, p.Max
	if base <= 0 {
		base = 100 * time.Millisecond
	}
	if ceil <= 0 {
		ceil = 30 * time.Second
	}
	d := min(base<<min(max(attempt-1, 0), 20), ceil)
	return time.Duration(rand.Int64N(int64(d))) + time.Millisecond
}

// Wait is the wait after the attempt-th failed try when the server also
// asked for retryAfter (zero when it did not): the longer of the two,
// capped by Max.
func (p Policy) Wait(attempt int, retryAfter time.Duration) time.Duration {
	ceil := p.Max
	if ceil <= 0 {
		ceil = 30 * time.Second
	}
	return min(max(p.Delay(attempt), retryAfter), ceil)
}

// RetryAfter reads a Retry-After header (delay-seconds or an HTTP date,
// RFC 9110 §10.2.3) as a duration from now. It returns 0 for an absent or
// unreadable header and for a date in the past.
func RetryAfter(h string, now time.Time) time.Duration {
	h = strings.TrimSpace(h)
	if h == "" {
		return 0
	}
	if s, err := strconv.ParseInt(h, 10, 64); err == nil {
		if s <= 0 {
			return 0
		}
		return time.Duration(min(s, int64(24*time.Hour/time.Second))) * time.Second
	}
	if t, err := http.ParseTime(h); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}
