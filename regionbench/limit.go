package regionbench

import (
	"sort"
	"time"

	"perenos/crawler/crawlbench"
)

// hostLimit is the politeness limit of one host: the strictest settings
// of the sites on it, with the batch's as the default, and the latency
// its answers take.
type hostLimit struct {
	host    string
	sites   []int
	delay   time.Duration // the largest delay any of its sites asks for
	perHost int           // the fewest requests in flight any of them allows
	latency time.Duration
	failing bool // every site on it is down or broken: no rate to speak of
}

// rate is the most requests a second the host may see: one start per
// delay, and no more than perHost answers in flight.
func (h hostLimit) rate() float64 {
	r := float64(h.perHost) / max(h.latency.Seconds(), 1e-6)
	if h.delay > 0 {
		r = min(r, 1/h.delay.Seconds())
	}
	return r
}

// hostLimits groups the region's sites by host.
func hostLimits(sites []crawlbench.LegacySite, opt Options) map[string]*hostLimit {
	out := map[string]*hostLimit{}
	for i := range sites {
		s := &sites[i]
		h := out[s.Host]
		if h == nil {
			h = &hostLimit{host: s.Host, delay: opt.Delay, perHost: opt.PerHost, latency: opt.Latency, failing: true}
			out[s.Host] = h
		}
		h.sites = append(h.sites, i)
		if d := time.Duration(s.DelayMS) * time.Millisecond; d > h.delay {
			h.delay = d
		}
		if s.PerHost > 0 && s.PerHost < h.perHost {
			h.perHost = s.PerHost
		}
		if s.Trouble == crawlbench.TroubleSlow {
			h.latency = opt.Latency * crawlbench.SlowFactor
		}
		if s.Trouble != crawlbench.TroubleDown && s.Trouble != crawlbench.TroubleBroken {
			h.failing = false
		}
	}
	return out
}

// HostRate is one host's crawl against its limit.
type HostRate struct {
	Host     string  `json:"host"`
	Sites    int     `json:"sites"`
	Requests int64   `json:"requests"`
	Rate     float64 `json:"rate_per_sec"`
	Limit    float64 `json:"limit_per_sec"`
	Ratio    float64 `json:"ratio"` // Rate ÷ Limit, not capped
}

// hostRatio is the crawl's rate against the limit while each host was
// being crawled: the sum over hosts of the time their requests needed at
// the limit, over the sum of the time from their first request to their
// last (plus one spacing). A host crawled faster than its limit counts as
// at its limit, and is listed: that is impoliteness, not speed.
func hostRatio(limits map[string]*hostLimit, served *crawlbench.Served) (ratio float64, hosts []HostRate, each []float64) {
	var need, took float64
	for _, hs := range served.Hosts {
		h := limits[hs.Host]
		if h == nil || h.failing || hs.Requests < 2 {
			continue
		}
		r := h.rate()
		ideal := float64(hs.Requests) / r
		active := hs.Last.Sub(hs.First).Seconds() + 1/r
		need += min(ideal, active)
		took += active
		each = append(each, min(ideal/active, 1))
		hosts = append(hosts, HostRate{Host: hs.Host, Sites: len(h.sites), Requests: hs.Requests,
			Rate: round(float64(hs.Requests)/active, 2), Limit: round(r, 2), Ratio: round(ideal/active, 3)})
	}
	sort.Slice(hosts, func(a, b int) bool { return hosts[a].Host < hosts[b].Host })
	sort.Float64s(each)
	if took == 0 {
		return 0, hosts, each
	}
	return need / took, hosts, each
}

// Spread is how a figure varies over hosts.
type Spread struct {
	Min    float64 `json:"min"`
	P10    float64 `json:"p10"`
	Median float64 `json:"median"`
	P90    float64 `json:"p90"`
}

// spread reads the percentiles of sorted figures.
func spread(sorted []float64) Spread {
	if len(sorted) == 0 {
		return Spread{}
	}
	at := func(q float64) float64 { return round(sorted[min(int(q*float64(len(sorted))), len(sorted)-1)], 3) }
	return Spread{Min: round(sorted[0], 3), P10: at(0.1), Median: at(0.5), P90: at(0.9)}
}

// idealMakespan is how long the crawl would take if every host ran at its
// limit all the time: sites start in order, slots at a time, each with
// the requests it was served; the sites crawled at once on one host share
// its rate. Sites on failing hosts take no time.
func idealMakespan(sites []crawlbench.LegacySite, limits map[string]*hostLimit, served *crawlbench.Served, slots int) float64 {
	work := make([]float64, len(sites))
	hostReq := map[string]int64{}
	for _, hs := range served.Hosts {
		hostReq[hs.Host] = hs.Requests
	}
	for i := range sites {
		if i < len(served.Sites) {
			work[i] = float64(served.Sites[i].Requests)
		}
	}
	// the requests of a shared host's own (robots.txt) go to its sites evenly
	for host, h := range limits {
		var attributed float64
		for _, i := range h.sites {
			attributed += work[i]
		}
		if extra := float64(hostReq[host]) - attributed; extra > 0 {
			for _, i := range h.sites {
				work[i] += extra / float64(len(h.sites))
			}
		}
	}
	var now float64
	active := map[int]bool{}
	next := 0
	fill := func() {
		for len(active) < max(slots, 1) && next < len(sites) {
			if h := limits[sites[next].Host]; !h.failing && work[next] > 0 {
				active[next] = true
			}
			next++
		}
	}
	fill()
	for len(active) > 0 {
		share := map[string]int{}
		for i := range active {
			share[sites[i].Host]++
		}
		rate := func(i int) float64 { return limits[sites[i].Host].rate() / float64(share[sites[i].Host]) }
		dt := -1.0
		for i := range active {
			if t := work[i] / rate(i); dt < 0 || t < dt {
				dt = t
			}
		}
		now += dt
		for i := range active {
			work[i] -= dt * rate(i)
			if work[i] <= 1e-9 {
				delete(active, i)
			}
		}
		fill()
	}
	return now
}
