package crawlbench

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/text/encoding/charmap"

	"perenos/attachtext"
)

func TestLegacyLayout(t *testing.T) {
	for _, spec := range []LegacySpec{
		{Sites: 6, Pages: 10, LargeSites: 1, LargePages: 40, Delay: 45 * time.Millisecond},
		{Sites: 900, Pages: 60, LargeSites: 5, LargePages: 3000, Delay: 45 * time.Millisecond},
	} {
		sites := spec.Layout()
		if len(sites) != spec.Sites {
			t.Fatalf("%d sites for %d", len(sites), spec.Sites)
		}
		ids, addrs := map[string]bool{}, map[string]bool{}
		hosts := map[string][]LegacySite{}
		troubles := map[Trouble]int{}
		charsets := map[string]int{}
		for i, s := range sites {
			if ids[s.ID] || addrs[s.URL()] {
				t.Errorf("site %d repeats an ID or address: %s %s", i, s.ID, s.URL())
			}
			ids[s.ID], addrs[s.URL()] = true, true
			hosts[s.Host] = append(hosts[s.Host], s)
			troubles[s.Trouble]++
			charsets[s.Charset]++
			if s.Large != (i < spec.LargeSites) || (s.Large && s.Pages != spec.LargePages) || (!s.Large && s.Pages != spec.Pages) {
				t.Errorf("site %d: large %v with %d pages; the large ones come first", i, s.Large, s.Pages)
			}
			if s.Name == "" || s.Short == "" || s.Town == "" {
				t.Errorf("site %d has no name: %+v", i, s)
			}
		}
		shared := 0
		for host, ss := range hosts {
			if len(ss) == 1 {
				continue
			}
			shared++
			strict := 0
			for _, s := range ss {
				if !s.Shared || s.Prefix == "/" {
					t.Errorf("%s: site %s shares the host but is not under a path of its own", host, s.ID)
				}
				if s.DelayMS > 0 {
					strict++
				}
			}
			if strict != 1 {
				t.Errorf("%s: %d of its sites ask for a stricter delay, want one", host, strict)
			}
		}
		if shared == 0 || troubles[TroubleDown]+troubles[TroubleBroken] == 0 || troubles[TroubleSlow] == 0 {
			t.Errorf("%d sites: %d shared hosts, troubles %v; want some of each", spec.Sites, shared, troubles)
		}
		if spec.Sites >= 100 && (charsets["windows-1251"] < spec.Sites/5 || charsets["utf-8"] < spec.Sites/5) {
			t.Errorf("charsets %v", charsets)
		}
	}
}

// crawl fetches a site of the region from its home page, following the
// links under its prefix, as a crawler would; it returns the pages and
// files answered 200 and the deepest link depth.
func crawl(t *testing.T, r *LegacyRegion, s *LegacySite) (pages, files map[string]bool, depth int) {
	t.Helper()
	pages, files = map[string]bool{}, map[string]bool{}
	type item struct {
		u     string
		depth int
	}
	seen := map[string]bool{s.URL(): true}
	queue := []item{{s.URL(), 0}}
	for len(queue) > 0 {
		it := queue[0]
		queue = queue[1:]
		req := httptest.NewRequest(http.MethodGet, it.u, nil)
		rec := httptest.NewRecorder()
		r.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			continue
		}
		ct := rec.Header().Get("Content-Type")
		if !strings.HasPrefix(ct, "text/html") {
			if !strings.HasPrefix(ct, "image/") && !strings.HasPrefix(ct, "text/css") {
				files[it.u] = true
			}
			continue
		}
		pages[it.u] = true
		depth = max(depth, it.depth)
		body := rec.Body.Bytes()
		if s.Charset == "windows-1251" {
			if utf8.Valid(body) {
				t.Fatalf("%s: a windows-1251 site answered UTF-8", it.u)
			}
			body, _ = charmap.Windows1251.NewDecoder().Bytes(body)
		}
		if !strings.Contains(string(body), s.Short) {
			t.Fatalf("%s does not name its organisation %q", it.u, s.Short)
		}
		base, _ := url.Parse(it.u)
		z := html.NewTokenizer(strings.NewReader(string(body)))
		for tt := z.Next(); tt != html.ErrorToken; tt = z.Next() {
			if tt != html.StartTagToken {
				continue
			}
			name, more := z.TagName()
			if string(name) != "a" {
				continue
			}
			for more {
				var k, v []byte
				k, v, more = z.TagAttr()
				if string(k) != "href" {
					continue
				}
				u, err := base.Parse(string(v))
				if err != nil || u.Host != s.Host || !strings.HasPrefix(u.Path, s.Prefix) {
					continue
				}
				u.Fragment = ""
				if !seen[u.String()] {
					seen[u.String()] = true
					queue = append(queue, item{u.String(), it.depth + 1})
				}
			}
		}
	}
	return pages, files, depth
}

// TestLegacySitesAreWhole: every page and file a site holds is reachable
// by links from its home page within the crawler's depth, answered in the
// site's charset, and counted once by the server.
func TestLegacySitesAreWhole(t *testing.T) {
	spec := LegacySpec{Sites: 40, Pages: 30, LargeSites: 1, LargePages: 900} // 900: long enough for year pages
	r := NewLegacyRegion(spec)
	if p := r.Sites[0].plan(); p.years == 0 {
		t.Fatalf("the large site has %d archive pages and no year pages", p.archives)
	}
	themes := map[Theme]bool{}
	for i := range r.Sites {
		s := &r.Sites[i]
		if s.Trouble == TroubleDown || s.Trouble == TroubleBroken {
			continue
		}
		if s.Trouble == TroubleSlow {
			continue // the same pages, only slower
		}
		themes[s.Theme] = true
		pages, files, depth := crawl(t, r, s)
		want := s.Expected()
		if len(pages) != want.Pages || len(files) != want.Files {
			t.Errorf("%s (%s): reached %d pages and %d files, it holds %d and %d", s.URL(), s.Theme, len(pages), len(files), want.Pages, want.Files)
		}
		if depth > 25 {
			t.Errorf("%s: a page %d links deep, beyond the crawler's default", s.URL(), depth)
		}
		got := r.Served().Sites[i]
		if got.Pages != want.Pages || got.Files != want.Files {
			t.Errorf("%s: the server counted %d pages and %d files, want %d and %d", s.URL(), got.Pages, got.Files, want.Pages, want.Files)
		}
	}
	if len(themes) != 5 {
		t.Errorf("themes crawled: %v", themes)
	}
}

func TestLegacyTroubles(t *testing.T) {
	r := NewLegacyRegion(LegacySpec{Sites: 500, Pages: 10})
	for _, s := range r.Sites {
		if s.Trouble != TroubleBroken {
			continue
		}
		rec := httptest.NewRecorder()
		r.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, s.URL(), nil))
		if rec.Code != http.StatusInternalServerError {
			t.Errorf("a broken host answered %d", rec.Code)
		}
		return
	}
	t.Fatal("no broken host in a region of 500")
}

// TestLegacyFilesAreReadable: the generated PDF and DOCX files give their
// Russian text back to the extract stage's reader.
func TestLegacyFilesAreReadable(t *testing.T) {
	if !attachtext.HavePdftotext() {
		if os.Getenv("CI") == "true" {
			t.Fatal("pdftotext is not installed (apt-get install poppler-utils)")
		}
		t.Skip("pdftotext is not installed (apt-get install poppler-utils)")
	}
	s := NewLegacyRegion(LegacySpec{Sites: 3, Pages: 40}).Sites[1]
	p := s.plan()
	dir := t.TempDir()
	kinds := map[bool]bool{}
	for fi, f := range p.files {
		path := filepath.Join(dir, filepath.Base(f.path))
		os.WriteFile(path, p.fileBody(fi), 0o644)
		res, err := attachtext.File(t.Context(), path, attachtext.Options{})
		if err != nil {
			t.Fatalf("%s: %v", f.path, err)
		}
		if !strings.Contains(res.Text, strings.ToUpper(f.title)) || res.Scan {
			t.Errorf("%s read as %q (scan %v)", f.path, res.Text[:min(200, len(res.Text))], res.Scan)
		}
		kinds[f.docx] = true
	}
	if len(kinds) != 2 {
		t.Errorf("the site has only one kind of file: %v", kinds)
	}
}
