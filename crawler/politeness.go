package crawler

import (
	"context"
	"sync"
	"time"
)

// Gates holds one politeness gate per host, shared by every site of a batch
// that lives on that host.
type Gates struct {
	mu      sync.Mutex
	perHost int
	delay   time.Duration
	hosts   map[string]*gate
}

// NewGates makes gates allowing perHost requests in flight per host, each
// starting at least delay after the previous one to the same host started.
func NewGates(perHost int, delay time.Duration) *Gates {
	return &Gates{perHost: max(perHost, 1), delay: delay, hosts: map[string]*gate{}}
}

// For returns host's gate.
func (g *Gates) For(host string) *gate {
	g.mu.Lock()
	defer g.mu.Unlock()
	gt := g.hosts[host]
	if gt == nil {
		gt = &gate{slots: make(chan struct{}, g.perHost), delay: g.delay}
		g.hosts[host] = gt
	}
	return gt
}

// gate is one host's politeness: a semaphore for requests in flight and a
// start-to-start spacing that adapts to the host (Crawl-delay, 429/503,
// rising latency).
type gate struct {
	slots chan struct{}
	mu    sync.Mutex
	delay time.Duration
	extra time.Duration // backoff added after throttling or slow answers
	next  time.Time
	ewma  time.Duration // smoothed latency
	base  time.Duration // first latencies seen, the host's normal
}

// RaiseDelay sets the spacing to at least d (robots.txt Crawl-delay).
func (g *gate) RaiseDelay(d time.Duration) {
	g.mu.Lock()
	if d > g.delay {
		g.delay = d
	}
	g.mu.Unlock()
}

// Acquire waits for a slot and for the host's next start time.
func (g *gate) Acquire(ctx context.Context) error {
	select {
	case g.slots <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	g.mu.Lock()
	now := time.Now()
	start := g.next
	if start.Before(now) {
		start = now
	}
	g.next = start.Add(g.delay + g.extra)
	g.mu.Unlock()
	if wait := time.Until(start); wait > 0 {
		t := time.NewTimer(wait)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
			<-g.slots
			return ctx.Err()
		}
	}
	return nil
}

// Release frees the slot and feeds the host's answer back into its pace:
// throttled answers and timeouts double the extra spacing (honouring
// retryAfter), latency well above the host's normal adds to it, and healthy
// answers let it decay.
func (g *gate) Release(latency time.Duration, throttled bool, retryAfter time.Duration) {
	g.mu.Lock()
	switch {
	case throttled:
		g.extra = min(max(2*g.extra, 250*time.Millisecond, g.delay), 30*time.Second)
		if retryAfter > 0 {
			if t := time.Now().Add(retryAfter); t.After(g.next) {
				g.next = t
			}
		}
	case latency > 0:
		if g.ewma == 0 {
			g.ewma, g.base = latency, latency
		} else {
			g.ewma = (7*g.ewma + latency) / 8
		}
		if g.base > 0 && g.ewma > 4*g.base && g.ewma > 200*time.Millisecond {
			g.extra = min(g.extra+g.ewma/4, 30*time.Second)
		} else {
			g.extra = g.extra * 3 / 4
		}
	}
	g.mu.Unlock()
	<-g.slots
}
