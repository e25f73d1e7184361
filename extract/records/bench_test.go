package records

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/text/encoding/charmap"
)

// benchPage is a parsed fixture page with what Extract is called with.
type benchPage struct {
	url, crawl string
	doc        *html.Node
}

// benchPages parses the package's fixture pages (testdata/realpages) and
// the records gold set (../../testdata/gold/records, windows-1251 pages
// decoded as a crawl would), once, outside the timed loop: Extract does
// not change a tree.
func benchPages(b *testing.B) []benchPage {
	b.Helper()
	var out []benchPage
	real, _ := filepath.Glob(filepath.Join("testdata", "realpages", "*.html"))
	for _, f := range real {
		data, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		out = append(out, benchPage{"https://school.example/sveden/" + filepath.Base(f), "2024-03-15", parse(b, string(data))})
	}
	gold, _ := filepath.Glob(filepath.Join("..", "..", "testdata", "gold", "records", "*.html"))
	for _, f := range gold {
		data, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		var meta struct {
			URL       string `json:"url"`
			CrawlDate string `json:"crawl_date"`
		}
		if js, err := os.ReadFile(strings.TrimSuffix(f, ".html") + ".json"); err == nil {
			if err := json.Unmarshal(js, &meta); err != nil {
				b.Fatalf("%s: %v", f, err)
			}
		}
		if meta.URL == "" {
			meta.URL = "https://site.example/" + filepath.Base(f)
		}
		text := string(data)
		if !utf8.Valid(data) {
			dec, err := charmap.Windows1251.NewDecoder().Bytes(data)
			if err != nil {
				b.Fatalf("%s: %v", f, err)
			}
			text = string(dec)
		}
		out = append(out, benchPage{meta.URL, meta.CrawlDate, parse(b, text)})
	}
	if len(out) < 20 {
		b.Fatalf("%d fixture pages found, want the package's and the gold set's", len(out))
	}
	return out
}

// BenchmarkExtract runs Extract over every fixture page; one op is the
// whole set, and ms/page is the figure to compare. Profile with
// go test -bench Extract -cpuprofile.
func BenchmarkExtract(b *testing.B) {
	pages := benchPages(b)
	b.ReportAllocs()
	found := 0
	for b.Loop() {
		for _, p := range pages {
			found += len(Extract(p.url, p.doc, Options{CrawlDate: p.crawl}))
		}
	}
	if found == 0 {
		b.Fatal("no records found on the fixture pages")
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/1e6/float64(b.N*len(pages)), "ms/page")
}
