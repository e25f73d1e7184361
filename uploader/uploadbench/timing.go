package uploadbench

import (
	"cmp"
	"context"
	"math"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"perenos/portal"
	"perenos/uploader"
)

// Timing says where an upload's wall time went: how long each write was
// in flight (the uploader's call, retries included), how much of that the
// portal spent on it (its injected latency included), how long the slots
// stood free, and the run's ends (planning before the first write, the
// last ID map commit after the last answer).
type Timing struct {
	Writes int `json:"writes"`
	// InFlightMS are the writes' times from the call to the answer.
	InFlightMS Spread `json:"in_flight_ms"`
	// PortalMS are the API requests' times inside the portal's handler,
	// from the request's headers to the end of its answer.
	PortalMS Spread `json:"portal_ms"`
	// ClientMS is the mean of in flight less the portal's share: encoding,
	// the HTTP stack both ways and the loopback.
	ClientMS float64 `json:"client_mean_ms"`
	// SlotFreeMS is, per slot, the time it held no write: Concurrency ×
	// the wall time less the time writes were in flight, over the slots.
	SlotFreeMS float64 `json:"slot_free_ms_per_slot"`
	// SlotsBusy is the share of the slots' time a write was in flight:
	// 1 less the free time over Concurrency × the wall time.
	SlotsBusy float64 `json:"slots_busy"`
	// FreePerWriteMS is the slots' free time over the writes: what each
	// write cost the run beyond its time in flight.
	FreePerWriteMS float64 `json:"slot_free_per_write_ms"`
	// BeforeFirstMS is from the clock's start to the first write.
	BeforeFirstMS float64 `json:"before_first_write_ms"`
	// AfterLastMS is from the last answer to the clock's end: the last ID
	// map commit.
	AfterLastMS float64 `json:"after_last_answer_ms"`
	// MaxInFlight is the most writes that were in flight at once: never
	// more than the concurrency the limit is computed from.
	MaxInFlight int `json:"max_in_flight"`
	// Connections is how many TCP connections the portal accepted: with
	// keep-alive working, no more than the writes in flight.
	Connections int64 `json:"connections"`
}

// Spread is a distribution of durations, in milliseconds.
type Spread struct {
	Mean float64 `json:"mean"`
	P50  float64 `json:"p50"`
	P90  float64 `json:"p90"`
	P99  float64 `json:"p99"`
	Max  float64 `json:"max"`
}

func spreadOf(ds []time.Duration) Spread {
	if len(ds) == 0 {
		return Spread{}
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	var sum time.Duration
	for _, d := range s {
		sum += d
	}
	at := func(q float64) float64 { return ms(s[min(len(s)-1, int(math.Ceil(q*float64(len(s))))-1)]) }
	return Spread{Mean: round(ms(sum)/float64(len(s)), 3), P50: round(at(0.5), 3), P90: round(at(0.9), 3),
		P99: round(at(0.99), 3), Max: round(ms(s[len(s)-1]), 3)}
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func round(v float64, digits int) float64 {
	p := math.Pow(10, float64(digits))
	return math.Round(v*p) / p
}

// span is one write or request, as offsets from the clock's start.
type span struct{ start, end time.Duration }

// clock records spans against one start.
type clock struct {
	mu    sync.Mutex
	t0    time.Time
	spans []span
}

func (c *clock) reset(t0 time.Time) {
	c.mu.Lock()
	c.t0, c.spans = t0, c.spans[:0]
	c.mu.Unlock()
}

func (c *clock) add(start, end time.Time) {
	c.mu.Lock()
	c.spans = append(c.spans, span{start.Sub(c.t0), end.Sub(c.t0)})
	c.mu.Unlock()
}

func (c *clock) taken() []span {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.spans)
}

// timedTarget is a target that clocks every write it passes on.
type timedTarget struct {
	uploader.Target
	c *clock
}

func (t *timedTarget) Put(ctx context.Context, site, key string, obj portal.Object) (portal.PutResult, error) {
	start := time.Now()
	defer func() { t.c.add(start, time.Now()) }()
	return t.Target.Put(ctx, site, key, obj)
}

func (t *timedTarget) PutFile(ctx context.Context, site string, f uploader.File) (portal.PutResult, error) {
	start := time.Now()
	defer func() { t.c.add(start, time.Now()) }()
	return t.Target.PutFile(ctx, site, f)
}

// timedHandler clocks the portal's API requests.
func timedHandler(h http.Handler, c *clock) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.URL.Path, "/api/v1/sites/") {
			h.ServeHTTP(w, r)
			return
		}
		start := time.Now()
		h.ServeHTTP(w, r)
		c.add(start, time.Now())
	})
}

// timingOf sums up a run of wall time whose writes were clocked, with the
// portal's times for its requests; concurrency is the slots the writes
// shared.
func timingOf(wall time.Duration, writes []span, requests []time.Duration, concurrency int) Timing {
	tm := Timing{Writes: len(writes)}
	if len(writes) == 0 {
		return tm
	}
	durs := func(ss []span) []time.Duration {
		out := make([]time.Duration, len(ss))
		for i, s := range ss {
			out[i] = s.end - s.start
		}
		return out
	}
	fl := durs(writes)
	tm.InFlightMS = spreadOf(fl)
	tm.PortalMS = spreadOf(requests)
	tm.ClientMS = round(tm.InFlightMS.Mean-tm.PortalMS.Mean, 3)
	var busy time.Duration
	for _, d := range fl {
		busy += d
	}
	tm.SlotFreeMS = round(ms(time.Duration(concurrency)*wall-busy)/float64(concurrency), 1)
	first, last := writes[0].start, writes[0].end
	for _, s := range writes {
		first, last = min(first, s.start), max(last, s.end)
	}
	tm.BeforeFirstMS = round(ms(first), 2)
	tm.AfterLastMS = round(ms(wall-last), 2)
	tm.SlotsBusy = round(ms(busy)/ms(time.Duration(concurrency)*wall), 4)
	tm.MaxInFlight = maxOverlap(writes)
	tm.FreePerWriteMS = round(tm.SlotFreeMS*float64(concurrency)/float64(len(writes)), 3)
	return tm
}

// maxOverlap is the most spans open at one moment; a span that ends as
// another starts does not overlap it.
func maxOverlap(ss []span) int {
	type edge struct {
		at   time.Duration
		step int
	}
	edges := make([]edge, 0, 2*len(ss))
	for _, s := range ss {
		edges = append(edges, edge{s.start, 1}, edge{s.end, -1})
	}
	slices.SortFunc(edges, func(a, b edge) int {
		// Ends go before starts at the same moment.
		return cmp.Or(cmp.Compare(a.at, b.at), cmp.Compare(a.step, b.step))
	})
	most, open := 0, 0
	for _, e := range edges {
		open += e.step
		most = max(most, open)
	}
	return most
}
