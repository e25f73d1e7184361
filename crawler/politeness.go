package crawler

import (
	"context"
	"sync"
	"time"
)

// Politeness is what one site asks of the hosts it is served from: at
// most PerHost requests in flight, and at least Delay between the starts
// of two requests.
type Politeness struct {
	PerHost int
	Delay   time.Duration
}

// Gates holds one politeness gate per host for a whole process: every
// batch and every site of the process that reaches a host goes through the
// same gate, so two batches sharing a host share its rate. Sites on one
// host that ask for different settings all get the strictest of those
// asked for by the sites crawling it at the time (the largest delay, the
// fewest in flight): what a site asked for always holds.
type Gates struct {
	mu    sync.Mutex
	hosts map[string]*Gate
}

// NewGates makes an empty set of gates.
func NewGates() *Gates { return &Gates{hosts: map[string]*Gate{}} }

// Join registers a site's politeness on host and returns the host's gate
// and the func that withdraws it (when the site's crawl ends). Until then
// the gate honours p together with every other site's.
func (g *Gates) Join(host string, p Politeness) (*Gate, func()) {
	p.PerHost = max(p.PerHost, 1)
	p.Delay = max(p.Delay, 0)
	g.mu.Lock()
	gt := g.hosts[host]
	if gt == nil {
		gt = &Gate{claims: map[uint64]Politeness{}, wake: make(chan struct{})}
		g.hosts[host] = gt
	}
	g.mu.Unlock()
	id := gt.claim(p)
	var once sync.Once
	return gt, func() { once.Do(func() { gt.unclaim(id) }) }
}

// Gate is one host's politeness: requests in flight bounded by the
// strictest PerHost of the sites on it, and a start-to-start spacing of
// at least their largest Delay that also adapts to the host (robots.txt
// Crawl-delay, 429/503, rising latency).
type Gate struct {
	mu       sync.Mutex
	claims   map[uint64]Politeness
	nextID   uint64
	limit    int           // fewest in flight asked for
	delay    time.Duration // largest delay asked for
	robots   time.Duration // Crawl-delay, raised by robots.txt
	inFlight int
	wake     chan struct{} // closed and replaced when a slot frees or the limit changes
	extra    time.Duration // backoff added after throttling or slow answers
	next     time.Time     // earliest next start
	last     time.Time     // the last start
	ewma     time.Duration // smoothed latency
	base     time.Duration // first latencies seen, the host's normal
}

func (g *Gate) claim(p Politeness) uint64 {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.nextID++
	g.claims[g.nextID] = p
	g.settle()
	return g.nextID
}

func (g *Gate) unclaim(id uint64) {
	g.mu.Lock()
	defer g.mu.Unlock()
	delete(g.claims, id)
	g.settle()
}

// settle recomputes the strictest settings; caller holds g.mu.
func (g *Gate) settle() {
	limit, delay := 0, time.Duration(0)
	for _, p := range g.claims {
		if limit == 0 || p.PerHost < limit {
			limit = p.PerHost
		}
		delay = max(delay, p.Delay)
	}
	if limit == 0 { // nobody on the host: keep the last settings for stragglers
		return
	}
	g.limit, g.delay = limit, delay
	g.signal()
}

func (g *Gate) signal() {
	close(g.wake)
	g.wake = make(chan struct{})
}

// Settings are the gate's current limits: requests in flight, and the
// least spacing between starts (without the adaptive backoff).
func (g *Gate) Settings() Politeness {
	g.mu.Lock()
	defer g.mu.Unlock()
	return Politeness{PerHost: g.limit, Delay: max(g.delay, g.robots)}
}

// RaiseDelay sets the spacing to at least d (robots.txt Crawl-delay).
func (g *Gate) RaiseDelay(d time.Duration) {
	g.mu.Lock()
	g.robots = max(g.robots, d)
	g.mu.Unlock()
}

// Acquire waits for a slot and for the host's next start time.
func (g *Gate) Acquire(ctx context.Context) error {
	for {
		g.mu.Lock()
		if g.inFlight < max(g.limit, 1) {
			g.inFlight++
			// The spacing as it is now, also from the last start: a
			// stricter site joining takes effect at once.
			spacing := max(g.delay, g.robots)
			start := time.Now()
			if g.next.After(start) {
				start = g.next
			}
			if t := g.last.Add(spacing); !g.last.IsZero() && t.After(start) {
				start = t
			}
			g.last = start
			g.next = start.Add(spacing + g.extra)
			g.mu.Unlock()
			if wait := time.Until(start); wait > 0 {
				t := time.NewTimer(wait)
				defer t.Stop()
				select {
				case <-t.C:
				case <-ctx.Done():
					g.free()
					return ctx.Err()
				}
			}
			return nil
		}
		wake := g.wake
		g.mu.Unlock()
		select {
		case <-wake:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func (g *Gate) free() {
	g.mu.Lock()
	g.inFlight--
	g.signal()
	g.mu.Unlock()
}

// Release frees the slot and feeds the host's answer back into its pace:
// throttled answers and timeouts double the extra spacing (honouring
// retryAfter), latency well above the host's normal adds to it, and healthy
// answers let it decay.
func (g *Gate) Release(latency time.Duration, throttled bool, retryAfter time.Duration) {
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
	g.inFlight--
	g.signal()
	g.mu.Unlock()
}
