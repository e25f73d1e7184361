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
	"strconv"
	"strings"
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
	if _, err := fmt.Sscanf(host, "site%04d.bench", &site); err != nil || site >= r.Sites {
		http.NotFound(w, req)
		return
	}
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
