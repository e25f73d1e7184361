package extract

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

// hostileSeeds are malformed and hostile pages for the fuzzers' seed
// corpus (more are in testdata/fuzz).
var hostileSeeds = []string{
	"<table><tr><td><table><tr><td>x</table>",
	"<a href='javascript:alert(1)'>x</a><img src=x onerror=alert(1)>",
	"<html><body><iframe src='//evil'></iframe><frameset><frame src=a>",
	"<td><br><ul><li>a<td>b</table></table>",
	"<base href='::bad'><a href='%zz'>bad</a>",
	strings.Repeat("<div>", 5000) + "deep",
	strings.Repeat("<table><tr><td>", 300) + "cell",
	"<table><tr><td colspan='-1' rowspan='99999999'>a<br>b</td></tr></table>",
	"<svg><foreignObject><p>text in svg</p></foreignObject></svg><math><mi>x</mi></math>",
	"<p>\x00\xff\xfe invalid utf-8 \xc3\x28</p>",
	"<div style='display:none'><main><article itemprop='articleBody'>hidden main</article></main></div>",
	"<nav><main>main inside nav</main></nav><footer><article>article in footer</article></footer>",
	"<iframe></iframe><iframe src=''></iframe><iframe src='http://[::1'></iframe>",
	"<a href='http://%41:8080/'>x</a><a href='mailto:a@b'>m</a><a href='tel:+7'>t</a>",
	"<ul><li><table><tr><td><ul><li>x<table>",
	"<div class='" + strings.Repeat("menu content ", 2000) + "'>x</div>",
	"<plaintext><p>not a tag",
	"<title>t</title><h1></h1><h1>   </h1>",
	"<table><caption>c</caption><thead><tr><th>a<th>b</thead><tbody><tr><td><ol><li>1<li>2</ol><td><p>p</table>",
	strings.Repeat("<p>a, b, c, d</p>", 2000),
	"<select><option>x<textarea><script>alert(1)</script></textarea></select>",
	// panels (panels.go): controls naming themselves, their ancestors, each other, nothing
	"<div id=a><a href=#a data-toggle=tab>a</a><div id=b data-toggle=collapse data-target=#a>b<div id=a>dup</div></div></div>",
	"<details id=d><summary data-toggle=collapse data-target=#d>s</summary><details><summary><details><summary>x</summary>y</details></summary>z</details></details>",
	"<ul class=tabs><li role=tab aria-controls=p><a href=#p>t</a></li></ul><div id=p class=spoiler><div>t</div><div hidden>text</div></div>",
	strings.Repeat("<div class=spoiler><div>s</div><div>", 300) + "deep",
	strings.Repeat("<details><summary>", 300) + "deep",
	"<button data-bs-toggle=pill data-bs-target='#x, #y'>x</button><a href='#' role=tab>t</a><a href='#%zz' data-toggle=tab>z</a><div id='%zz'>p</div>",
}

// checkDoc asserts what must hold of any Document, whatever the input.
func checkDoc(t *testing.T, d *Document) {
	t.Helper()
	if !utf8.ValidString(d.Markdown) || !utf8.ValidString(d.Text) {
		t.Errorf("invalid UTF-8 in output")
	}
	for _, l := range d.Links {
		if !strings.HasPrefix(l.URL, "http://") && !strings.HasPrefix(l.URL, "https://") {
			t.Errorf("link not absolute http(s): %q", l.URL)
		}
	}
	if m := unsafeMDLink.FindString(d.Markdown); m != "" {
		t.Errorf("unsafe link %q in Markdown: %q", m, d.Markdown)
	}
	// Raw HTML in the Markdown is only the clean tables Markdown writes;
	// text that looks like a tag must have been escaped or be code.
	md := codeSpan.ReplaceAllString(d.Markdown, "")
	for i := strings.IndexByte(md, '<'); i >= 0; i = nextLT(md, i) {
		m := rawTag.FindStringSubmatch(md[i:])
		if m == nil {
			continue
		}
		if !allowedTags[strings.ToLower(m[1])] {
			t.Errorf("raw markup in Markdown at %d: %q in %q", i, clip(md[i:], 60), d.Markdown)
			break
		}
		if strings.EqualFold(m[1], "a") && !safeAnchor.MatchString(md[i:]) {
			t.Errorf("unsafe anchor in Markdown: %q", clip(md[i:], 80))
		}
	}
}

var (
	unsafeMDLink = regexp.MustCompile(`(?i)(^|[^\\])\[[^\]]*\]\(\s*(javascript|vbscript|data):`)
	codeSpan     = regexp.MustCompile("(?s)(`+).*?(`+)")
	rawTag       = regexp.MustCompile(`^</?([a-zA-Z][a-zA-Z0-9]*)`)
	safeAnchor   = regexp.MustCompile(`^<a href="(https?://|mailto:|tel:)`)
	allowedTags  = map[string]bool{"table": true, "thead": true, "tbody": true, "tfoot": true, "tr": true, "td": true,
		"th": true, "ul": true, "ol": true, "li": true, "b": true, "strong": true, "i": true, "em": true, "sup": true,
		"sub": true, "br": true, "a": true}
)

func nextLT(s string, i int) int {
	j := strings.IndexByte(s[i+1:], '<')
	if j < 0 {
		return -1
	}
	return i + 1 + j
}

// FuzzExtract runs the page-alone path (page-level signals) on any input.
func FuzzExtract(f *testing.F) {
	for _, s := range hostileSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		doc, err := Parse(in)
		if err != nil {
			return
		}
		d, err := Extract("http://s.example/a/b.html", doc, Options{})
		if err != nil {
			t.Fatal(err)
		}
		checkDoc(t, d)
	})
}

// FuzzExtractTemplate learns a template from the input and three variants
// of it, then extracts the input with it: the site-aware path.
func FuzzExtractTemplate(f *testing.F) {
	for _, s := range hostileSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		tmpl := NewTemplate()
		for _, v := range []string{in, in + "<p>second page</p>", "<div>third</div>" + in, in} {
			doc, err := Parse(v)
			if err != nil {
				return
			}
			tmpl.Learn(doc)
		}
		doc, err := Parse(in)
		if err != nil {
			return
		}
		d, err := Extract("https://s.example/", doc, Options{Template: tmpl})
		if err != nil {
			t.Fatal(err)
		}
		checkDoc(t, d)
	})
}

// FuzzSite streams the input and variants of it through a Site with a
// small warm-up: every page comes out once, with a Document or an error.
func FuzzSite(f *testing.F) {
	for _, s := range hostileSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		s := NewSite(SiteOptions{Warmup: 2})
		pages := []string{in, in + "<p>second page</p>", "<div>third</div>" + in, in, "<table><tr><td>" + in}
		seen := map[string]bool{}
		collect := func(rs []Result) {
			for _, r := range rs {
				if seen[r.URL] {
					t.Fatalf("%s came out twice", r.URL)
				}
				seen[r.URL] = true
				if r.Err == nil {
					checkDoc(t, r.Doc)
				}
			}
		}
		for i, p := range pages {
			collect(s.Add(Page{URL: fmt.Sprintf("https://s.example/%d", i), Text: p}))
		}
		collect(s.Finish())
		if len(seen) != len(pages) {
			t.Fatalf("%d of %d pages came out", len(seen), len(pages))
		}
	})
}
