package review

import (
	"container/list"
	"net/netip"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// A rule is one token bucket per key: burst attempts at once, refilled at
// burst per period.
type rule struct {
	burst int
	per   time.Duration
}

func (r rule) limit() rate.Limit { return rate.Every(r.per / time.Duration(r.burst)) }

// buckets keeps a rule's bucket per key, at most max of them. It forgets
// only buckets that are full again (a full bucket says nothing a new one
// would not), so no flood of new keys can reset a bucket that someone has
// drained: when every bucket it looks at still holds a debt, a new key is
// refused until one refills.
type buckets struct {
	rule rule
	max  int
	ll   *list.List // front: most recently used
	idx  map[string]*list.Element
}

type entry struct {
	key string
	lim *rate.Limiter
}

// evictScan bounds how many of the least recently used buckets an insert
// looks at for a full one, so that an insert costs O(1).
const evictScan = 64

func newBuckets(r rule, max int) *buckets {
	return &buckets{rule: r, max: max, ll: list.New(), idx: map[string]*list.Element{}}
}

// peek returns the key's bucket, or nil when it has none (a fresh bucket).
func (b *buckets) peek(key string) *rate.Limiter {
	if e := b.idx[key]; e != nil {
		b.ll.MoveToFront(e)
		return e.Value.(*entry).lim
	}
	return nil
}

// add makes the key's bucket, forgetting a full one if there is no room;
// it returns nil when there is no room without losing a debt.
func (b *buckets) add(key string, now time.Time) *rate.Limiter {
	if b.ll.Len() >= b.max {
		e := b.ll.Back()
		for i := 0; e != nil && i < evictScan; i++ {
			if en := e.Value.(*entry); en.lim.TokensAt(now) >= float64(b.rule.burst) {
				break
			}
			e = e.Prev()
		}
		if e == nil || e.Value.(*entry).lim.TokensAt(now) < float64(b.rule.burst) {
			return nil
		}
		delete(b.idx, e.Value.(*entry).key)
		b.ll.Remove(e)
	}
	lim := rate.NewLimiter(b.rule.limit(), b.rule.burst)
	b.idx[key] = b.ll.PushFront(&entry{key, lim})
	return lim
}

// guard limits the attempts to present a secret (a password, an
// invitation link), per key of several rules at once.
type guard struct {
	mu  sync.Mutex
	now func() time.Time
}

// check is one bucket an attempt must pass: a rule's buckets and the key.
type check struct {
	b   *buckets
	key string
}

// take spends one attempt from every check's bucket. If any bucket is
// empty, or a new key finds no room, it spends nothing and returns how long
// to wait before the next try.
func (g *guard) take(checks ...check) time.Duration {
	g.mu.Lock()
	defer g.mu.Unlock()
	now := g.now()
	var wait time.Duration
	lims := make([]*rate.Limiter, len(checks))
	for i, c := range checks {
		lim := c.b.peek(c.key)
		if lim == nil {
			continue // a fresh bucket lets the attempt through
		}
		lims[i] = lim
		if lim.TokensAt(now) < 1 {
			wait = max(wait, time.Duration((1-lim.TokensAt(now))*float64(c.b.rule.per)/float64(c.b.rule.burst)))
		}
	}
	if wait > 0 {
		return wait
	}
	// Make the missing buckets only now, so that refused attempts leave
	// nothing behind.
	for i, c := range checks {
		if lims[i] != nil {
			continue
		}
		if lims[i] = c.b.add(c.key, now); lims[i] == nil {
			return c.b.rule.per / time.Duration(c.b.rule.burst)
		}
	}
	for _, lim := range lims {
		lim.AllowN(now, 1)
	}
	return 0
}

// size is how many buckets the rules hold, for tests of the memory bound.
func (g *guard) size(bs ...*buckets) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	n := 0
	for _, b := range bs {
		n += b.ll.Len()
	}
	return n
}

// addrKey is the key of a client address: IPv4 as it is, IPv6 by its /64,
// the block one subscriber usually gets.
func addrKey(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	a = a.Unmap()
	if a.Is6() {
		p, _ := a.Prefix(64)
		return p.String()
	}
	return a.String()
}
