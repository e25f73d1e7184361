// Package crawlbench measures the crawler against a synthetic region: many
// virtual hosts served from one loopback listener (chosen by Host header,
// reached through the crawler's resolver override), with realistic page
// sizes and link graphs, per-response latency, and a few slow, failing and
// trap pages. It reports throughput against the politeness limit.
package crawlbench

import (
	"fmt"
	"hash/fnv"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Region is a synthetic set of legacy sites.
type Region struct {
	Sites   int
	Pages   int           // pages per site
	Latency time.Duration // added to every response
	// Requests counts every request served.
	Requests atomic.Int64

	once   sync.Once
	served []siteServed // per site, made on the first request
}

// siteServed is when a site's requests arrived (first and last, in Unix
// nanoseconds) and how many there were.
type siteServed struct {
	first, last, requests atomic.Int64
}

// note counts a request to site at now.
func (r *Region) note(site int, now int64) {
	r.once.Do(func() { r.served = make([]siteServed, r.Sites) })
	s := &r.served[site]
	s.requests.Add(1)
	for f := s.first.Load(); f == 0 || now < f; f = s.first.Load() {
		if s.first.CompareAndSwap(f, now) {
			break
		}
	}
	for l := s.last.Load(); now > l; l = s.last.Load() {
		if s.last.CompareAndSwap(l, now) {
			break
		}
	}
}

// IdealSeconds is how long the run would take if every site were crawled
// at rate from its first request to its last, slots sites at a time in
// order (as Run starts them), each with the requests it was served: the
// least time any crawler obeying the limit needs for what was served.
func (r *Region) IdealSeconds(rate float64, slots int) float64 {
	if rate <= 0 || slots <= 0 {
		return 0
	}
	free := make([]float64, slots) // when each slot is free again
	var end float64
	for i := range r.served {
		at := slices.Min(free)
		j := slices.Index(free, at)
		free[j] = at + float64(r.served[i].requests.Load())/rate
		end = max(end, free[j])
	}
	return end
}

// RatioWhileCrawling is the crawl's rate against the politeness limit
// while each site was being crawled, rate being a site's most requests a
// second: the sum over sites of the time their requests need at that rate
// (at most the time they took) over the sum of the time from their first
// request to their last plus one spacing. Unlike pages a second over the
// whole run against the limit of every slot, it leaves out the end of
// the run, when fewer sites than slots are left, and the requests that
// are not pages (robots.txt, retries): what the crawler's own pacing
// makes of the limit.
func (r *Region) RatioWhileCrawling(rate float64) float64 {
	if rate <= 0 {
		return 0
	}
	var need, took float64
	for i := range r.served {
		s := &r.served[i]
		n := s.requests.Load()
		if n < 2 {
			continue
		}
		active := float64(s.last.Load()-s.first.Load())/1e9 + 1/rate
		need += min(float64(n)/rate, active)
		took += active
	}
	if took == 0 {
		return 0
	}
	return need / took
}

// words is the vocabulary of generated Russian text.
var words = strings.Fields(`школа учащиеся приказ директор образовательной программы учебный план
расписание занятий родители собрание итоги олимпиады областной этап педагог стаж квалификация
категория питание меню столовая спортивный зал библиотека фонд учебников аттестация экзамен
результаты выпускники поступление медицинский кабинет лицензия аккредитация устав положение
порядок приёма перевода отчисления платные услуги договор стоимость финансово хозяйственная
деятельность план отчёт самообследование вакантные места классы муниципальное задание`)

// Host names the i-th site.
func Host(i int) string { return fmt.Sprintf("site%04d.bench", i) }

func hash(s string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(s))
	return h.Sum64()
}

// ServeHTTP answers for every site of the region by Host header.
func (r *Region) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	r.Requests.Add(1)
	host := req.Host
	if i := strings.IndexByte(host, ':'); i >= 0 {
		host = host[:i]
	}
	var site int
	if _, err := fmt.Sscanf(host, "site%04d.bench", &site); err != nil || site < 0 || site >= r.Sites {
		http.NotFound(w, req)
		return
	}
	r.note(site, time.Now().UnixNano())
	if r.Latency > 0 {
		time.Sleep(r.Latency)
	}
	p := req.URL.Path
	switch {
	case p == "/robots.txt":
		fmt.Fprint(w, "User-agent: *\nDisallow: /admin/\n")
	case p == "/" || p == "/index.html":
		r.page(w, site, 0)
	case strings.HasPrefix(p, "/p/"):
		n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(p, "/p/"), ".html"))
		if err != nil || n < 0 || n >= r.Pages {
			http.NotFound(w, req)
			return
		}
		r.trouble(w, req, site, n)
	case p == "/calendar":
		// a trap: every day links to the next, forever
		d, _ := strconv.Atoi(req.URL.Query().Get("d"))
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<html><body><h1>Календарь событий</h1><a href="/calendar?d=%d">следующий день</a><a href="/calendar?d=%d">предыдущий</a></body></html>`, d+1, d-1)
	case strings.HasPrefix(p, "/files/"):
		w.Header().Set("Content-Type", "application/pdf")
		w.Write(pdfBody(p))
	default:
		http.NotFound(w, req)
	}
}

// trouble serves page n, except for the few slow and failing ones.
func (r *Region) trouble(w http.ResponseWriter, req *http.Request, site, n int) {
	h := hash(fmt.Sprint(site, "/", n)) % 1000
	switch {
	case h < 3: // slow
		time.Sleep(10 * r.Latency)
	case h < 5: // always failing
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	r.page(w, site, n)
}

// page writes a 10–30 KB page with a menu, a body of text and tables, and
// links forming a tree with cross links; every tenth page links a PDF.
func (r *Region) page(w http.ResponseWriter, site, n int) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	var b strings.Builder
	b.Grow(32 << 10) // most pages fit: one allocation, not a doubling series
	fmt.Fprintf(&b, `<!DOCTYPE html><html><head><meta charset="utf-8"><title>Страница %d — школа %d</title></head><body>`, n, site)
	b.WriteString(`<div id="menu"><a href="/">Главная</a> <a href="/p/1.html">Сведения</a> <a href="/p/2.html">Новости</a> <a href="/calendar?d=0">Календарь</a> <a href="/admin/">Вход</a></div><div id="content">`)
	fmt.Fprintf(&b, "<h1>Раздел %d</h1>", n)
	seed := hash(fmt.Sprint(site, "-", n))
	paras := 8 + int(seed%16)
	for i := 0; i < paras; i++ {
		b.WriteString("<p>")
		for j := 0; j < 40; j++ {
			seed = seed*6364136223846793005 + 1442695040888963407
			b.WriteString(words[seed>>33%uint64(len(words))])
			b.WriteByte(' ')
		}
		b.WriteString("</p>")
	}
	for _, k := range []int{2*n + 1, 2*n + 2, (n*7 + 3) % r.Pages, (n*13 + 5) % r.Pages} {
		if k < r.Pages && k > 0 {
			fmt.Fprintf(&b, `<a href="/p/%d.html">раздел %d</a> `, k, k)
		}
	}
	if n%10 == 0 {
		fmt.Fprintf(&b, `<a href="/files/doc%d.pdf">Документ %d</a>`, n, n)
	}
	b.WriteString(`</div><div id="footer">© Школа, 2024. Телефон 8 (3955) 52-12-34</div></body></html>`)
	io.WriteString(w, b.String())
}

func pdfBody(path string) []byte {
	body := make([]byte, 30<<10)
	copy(body, "%PDF-1.4 "+path)
	return body
}
