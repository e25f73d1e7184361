package realsites

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"perenos/store"
)

// HeldOut are the sites of the fixed held-out part: never tuned on, only
// measured. Every other site of the corpus is for tuning.
var HeldOut = []string{"dshi5-yoshkar-ola", "ims-montessori-spb"}

// How a site of the corpus is served (the serve column of SOURCES.tsv).
const (
	ServeStatic  = "static"   // a file server with the site folder as its root
	ServePHP     = "php"      // PHP's built-in server with the corpus's router
	ServePHPHTML = "php-html" // the same, .html pages run through PHP too
)

// Site is one site of the corpus.
type Site struct {
	Name  string
	Type  store.OrgType
	Serve string
}

// Label is one hand-labelled page or document: its path under the site's
// root (as its URL path, not escaped) and the sections any of which is
// right.
type Label struct {
	Site   string
	Path   string
	Accept []string
	Why    string
	Line   int // line in its file, for messages
}

// Corpus is a gold-real folder: sites with their labels.
type Corpus struct {
	Dir    string
	Sites  []Site
	Pages  map[string][]Label // labels.tsv, by site
	Docs   map[string][]Label // docs.tsv, by site
	router string             // serve/router.php
}

// IsCorpus reports whether dir looks like a gold-real folder (it has SOURCES.tsv).
func IsCorpus(dir string) bool {
	st, err := os.Stat(filepath.Join(dir, "SOURCES.tsv"))
	return err == nil && st.Mode().IsRegular()
}

// LoadCorpus reads SOURCES.tsv, labels.tsv and docs.tsv of dir, checking
// that every label names a known site and every section exists in the
// site's profile.
func LoadCorpus(dir string, sectionExists func(store.OrgType, string) bool) (*Corpus, error) {
	c := &Corpus{Dir: dir, Pages: map[string][]Label{}, Docs: map[string][]Label{}, router: filepath.Join(dir, "serve", "router.php")}
	types := map[string]store.OrgType{}
	err := readTSV(filepath.Join(dir, "SOURCES.tsv"), []string{"site", "org_type", "serve"}, func(line int, f map[string]string) error {
		t, err := store.ParseOrgType(f["org_type"])
		if err != nil {
			return err
		}
		switch f["serve"] {
		case ServeStatic, ServePHP, ServePHPHTML:
		default:
			return fmt.Errorf("serve is %q; want %s, %s or %s", f["serve"], ServeStatic, ServePHP, ServePHPHTML)
		}
		if _, dup := types[f["site"]]; dup {
			return fmt.Errorf("site %s is listed twice", f["site"])
		}
		if st, err := os.Stat(filepath.Join(dir, "sites", f["site"])); err != nil || !st.IsDir() {
			return fmt.Errorf("site %s has no folder sites/%s", f["site"], f["site"])
		}
		types[f["site"]] = t
		c.Sites = append(c.Sites, Site{Name: f["site"], Type: t, Serve: f["serve"]})
		return nil
	})
	if err != nil {
		return nil, err
	}
	read := func(name string, into map[string][]Label) error {
		return readTSV(filepath.Join(dir, name), []string{"site", "path", "accept", "why"}, func(line int, f map[string]string) error {
			t, ok := types[f["site"]]
			if !ok {
				return fmt.Errorf("site %q is not in SOURCES.tsv", f["site"])
			}
			l := Label{Site: f["site"], Path: strings.TrimPrefix(f["path"], "/"), Why: f["why"], Line: line}
			for _, s := range strings.Split(f["accept"], "|") {
				if s = strings.TrimSpace(s); s == "" {
					continue
				}
				if !sectionExists(t, s) {
					return fmt.Errorf("section %q is not in the %s profile", s, t)
				}
				l.Accept = append(l.Accept, s)
			}
			if l.Path == "" || len(l.Accept) == 0 {
				return fmt.Errorf("a label needs a path and at least one accepted section")
			}
			into[l.Site] = append(into[l.Site], l)
			return nil
		})
	}
	if err := read("labels.tsv", c.Pages); err != nil {
		return nil, err
	}
	if err := read("docs.tsv", c.Docs); err != nil {
		return nil, err
	}
	return c, nil
}

// PartOf returns "heldout" or "tuning" for a site.
func PartOf(site string) string {
	if slices.Contains(HeldOut, site) {
		return "heldout"
	}
	return "tuning"
}

// readTSV calls fn for each data line of a tab-separated file whose first
// line names its columns; want are the columns it must have. Errors name
// the file and line.
func readTSV(path string, want []string, fn func(line int, fields map[string]string) error) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("gold-real corpus: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	var cols []string
	line := 0
	for sc.Scan() {
		line++
		t := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(t) == "" || strings.HasPrefix(t, "#") {
			continue
		}
		fields := strings.Split(t, "\t")
		if cols == nil {
			cols = fields
			for _, w := range want {
				if !slices.Contains(cols, w) {
					return fmt.Errorf("%s:%d: no column %q in the header (have %s)", path, line, w, strings.Join(cols, ", "))
				}
			}
			continue
		}
		m := make(map[string]string, len(cols))
		for i, c := range cols {
			if i < len(fields) {
				m[c] = strings.TrimSpace(fields[i])
			}
		}
		for _, w := range want {
			if m[w] == "" && w != "why" {
				return fmt.Errorf("%s:%d: column %q is empty", path, line, w)
			}
		}
		if err := fn(line, m); err != nil {
			return fmt.Errorf("%s:%d: %w", path, line, err)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}
