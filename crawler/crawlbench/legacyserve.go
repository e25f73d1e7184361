package crawlbench

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
)

// LegacyRegion serves a LegacySpec's sites by Host header from one
// listener and counts what it served, per site and per host.
type LegacyRegion struct {
	Spec  LegacySpec
	Sites []LegacySite

	hosts map[string][]int // host → its sites, longest prefix first
	plans []sitePlanOnce

	mu    sync.Mutex
	sites []siteCount
	hstat map[string]*HostServed
	other int64
}

type sitePlanOnce struct {
	once sync.Once
	p    *sitePlan
}

type siteCount struct {
	requests int64
	pages    []bool // answered 200, by page
	files    []bool // answered 200, by file
	nPages   int
	nFiles   int
}

// NewLegacyRegion lays out spec's region for serving.
func NewLegacyRegion(spec LegacySpec) *LegacyRegion {
	r := &LegacyRegion{Spec: spec, Sites: spec.Layout(), hosts: map[string][]int{}, hstat: map[string]*HostServed{}}
	r.plans = make([]sitePlanOnce, len(r.Sites))
	r.sites = make([]siteCount, len(r.Sites))
	for i := range r.Sites {
		r.hosts[r.Sites[i].Host] = append(r.hosts[r.Sites[i].Host], i)
	}
	for _, ss := range r.hosts {
		sort.Slice(ss, func(a, b int) bool { return len(r.Sites[ss[a]].Prefix) > len(r.Sites[ss[b]].Prefix) })
	}
	return r
}

func (r *LegacyRegion) plan(i int) *sitePlan {
	po := &r.plans[i]
	po.once.Do(func() {
		po.p = r.Sites[i].plan()
		r.mu.Lock()
		r.sites[i].pages = make([]bool, len(po.p.pages))
		r.sites[i].files = make([]bool, len(po.p.files))
		r.mu.Unlock()
	})
	return po.p
}

// Served is what the region answered, for checking a crawl against it.
type Served struct {
	Sites []SiteServed `json:"sites"` // by site index
	Hosts []HostServed `json:"hosts"`
	// Unknown counts requests for hosts the region does not have.
	Unknown int64 `json:"unknown"`
}

// SiteServed counts one site's requests (those under its prefix) and the
// distinct pages and files it answered 200.
type SiteServed struct {
	Requests int64 `json:"requests"`
	Pages    int   `json:"pages"`
	Files    int   `json:"files"`
}

// HostServed counts one host's requests, its sites' and its own (a shared
// host's robots.txt), with when the first and the last arrived.
type HostServed struct {
	Host     string    `json:"host"`
	Requests int64     `json:"requests"`
	First    time.Time `json:"first"`
	Last     time.Time `json:"last"`
}

// Served returns the counts so far.
func (r *LegacyRegion) Served() Served {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := Served{Sites: make([]SiteServed, len(r.sites)), Unknown: r.other}
	for i, c := range r.sites {
		out.Sites[i] = SiteServed{Requests: c.requests, Pages: c.nPages, Files: c.nFiles}
	}
	for _, h := range r.hstat {
		out.Hosts = append(out.Hosts, *h)
	}
	sort.Slice(out.Hosts, func(a, b int) bool { return out.Hosts[a].Host < out.Hosts[b].Host })
	return out
}

// ServeHTTP answers for every site of the region.
func (r *LegacyRegion) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	now := time.Now()
	host := strings.ToLower(req.Host)
	if i := strings.LastIndexByte(host, ':'); i >= 0 {
		host = host[:i]
	}
	ss, ok := r.hosts[host]
	r.mu.Lock()
	if !ok {
		r.other++
		r.mu.Unlock()
		http.NotFound(w, req)
		return
	}
	h := r.hstat[host]
	if h == nil {
		h = &HostServed{Host: host, First: now}
		r.hstat[host] = h
	}
	h.Requests++
	if now.After(h.Last) {
		h.Last = now
	}
	site := -1
	for _, i := range ss {
		if strings.HasPrefix(req.URL.Path, r.Sites[i].Prefix) {
			site = i
			break
		}
	}
	if site >= 0 {
		r.sites[site].requests++
	}
	r.mu.Unlock()

	s := &r.Sites[ss[0]]
	if site >= 0 {
		s = &r.Sites[site]
	}
	switch s.Trouble {
	case TroubleDown:
		panic(http.ErrAbortHandler) // the connection closes without an answer
	case TroubleBroken:
		http.Error(w, "Internal Server Error", http.StatusInternalServerError)
		return
	}
	lat := r.Spec.Latency
	if s.Trouble == TroubleSlow {
		lat *= SlowFactor
	}
	if site < 0 {
		sleep(lat)
		if req.URL.Path == "/robots.txt" {
			fmt.Fprint(w, "User-agent: *\nDisallow: /admin/\n")
			return
		}
		http.NotFound(w, req)
		return
	}
	r.serveSite(w, req, site, lat)
}

func sleep(d time.Duration) {
	if d > 0 {
		time.Sleep(d)
	}
}

func (r *LegacyRegion) serveSite(w http.ResponseWriter, req *http.Request, site int, lat time.Duration) {
	s := &r.Sites[site]
	p := r.plan(site)
	rel := strings.TrimPrefix(req.URL.Path, s.Prefix)
	idx, known := p.index[rel]
	if known && idx >= 0 && p.pages[idx].slow {
		lat *= 10
	}
	sleep(lat)
	switch {
	case known && idx >= 0:
		pg := &p.pages[idx]
		if pg.fail {
			http.Error(w, "Internal Server Error", http.StatusInternalServerError)
			return
		}
		body := p.render(idx)
		ct := "text/html; charset=utf-8"
		if s.Charset == "windows-1251" {
			enc, err := encoding.ReplaceUnsupported(charmap.Windows1251.NewEncoder()).String(body)
			if err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			body = enc
			ct = "text/html; charset=windows-1251"
			if s.Index%3 == 1 { // many old servers send no charset: the <meta> says it
				ct = "text/html"
			}
		}
		w.Header().Set("Content-Type", ct)
		w.Header().Set("Last-Modified", baseDate.Format(http.TimeFormat))
		w.Write([]byte(body))
		r.mu.Lock()
		if c := &r.sites[site]; !c.pages[idx] {
			c.pages[idx] = true
			c.nPages++
		}
		r.mu.Unlock()
	case known:
		fi := ^idx
		body := p.fileBody(fi)
		ct := "application/pdf"
		if p.files[fi].docx {
			ct = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
		}
		w.Header().Set("Content-Type", ct)
		w.Write(body)
		r.mu.Lock()
		if c := &r.sites[site]; !c.files[fi] {
			c.files[fi] = true
			c.nFiles++
		}
		r.mu.Unlock()
	case rel == "robots.txt" && s.Prefix == "/":
		r.robots(w, s)
	case rel == "sitemap.xml" && s.Sitemap:
		w.Header().Set("Content-Type", "application/xml")
		var b strings.Builder
		b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">` + "\n")
		for _, pg := range p.pages {
			fmt.Fprintf(&b, "<url><loc>http://%s%s</loc></url>\n", s.Host, p.href(pg.path))
		}
		b.WriteString("</urlset>\n")
		w.Write([]byte(b.String()))
	case strings.HasSuffix(rel, ".css"):
		w.Header().Set("Content-Type", "text/css")
		fmt.Fprint(w, "body{margin:0}\n")
	case strings.HasSuffix(rel, ".gif") || strings.HasSuffix(rel, ".jpg") || strings.HasSuffix(rel, ".png"):
		w.Header().Set("Content-Type", "image/gif")
		w.Write(gif1x1)
	default:
		http.NotFound(w, req)
	}
}

// robots is a standalone site's robots.txt, as its CMS writes it.
func (r *LegacyRegion) robots(w http.ResponseWriter, s *LegacySite) {
	switch s.Theme {
	case ThemeBitrix:
		fmt.Fprintf(w, "User-agent: *\nDisallow: /bitrix/\nDisallow: /search/\nDisallow: /personal/\nDisallow: /*?print=\nSitemap: http://%s/sitemap.xml\n", s.Host)
	case ThemeWordPress:
		fmt.Fprint(w, "User-agent: *\nDisallow: /wp-admin/\nAllow: /wp-admin/admin-ajax.php\n")
		if s.Sitemap {
			fmt.Fprintf(w, "Sitemap: http://%s/sitemap.xml\n", s.Host)
		}
	case ThemeJoomla:
		fmt.Fprint(w, "User-agent: *\nDisallow: /administrator/\nDisallow: /cache/\nDisallow: /tmp/\n")
	default:
		http.Error(w, "404 page not found", http.StatusNotFound)
	}
}

// gif1x1 is a transparent one-pixel GIF, the answer for every image.
var gif1x1 = []byte("GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;")
