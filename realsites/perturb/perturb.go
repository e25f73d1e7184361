// Package perturb writes a copy of a corpus of real sites (a gold-real
// folder) with some of the signals that only some sites give taken away:
// the pages' file names, their <title>s, their headings. Mapping tuned on
// a corpus may lean on what its sites happen to have (a telling address, a
// title per page); scored again on such a copy, the same sites say how
// much of the placement rests on what sites perenos has never seen may
// lack. Only static sites are copied: a PHP site's includes name its files.
package perturb

import (
	"bufio"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
)

// What is taken away.
type What struct {
	Names    bool // page files renamed to p01.html, p02.html, … (links and labels follow)
	Titles   bool // every <title> the same: the site's name only
	Headings bool // h1–h3 removed
}

// Parse reads a comma-separated list of names, titles, headings.
func Parse(s string) (What, error) {
	var w What
	for _, f := range strings.Split(s, ",") {
		switch strings.TrimSpace(f) {
		case "names":
			w.Names = true
		case "titles":
			w.Titles = true
		case "headings":
			w.Headings = true
		case "":
		default:
			return What{}, fmt.Errorf("perturbation %q: want names, titles or headings, separated by commas", f)
		}
	}
	if w == (What{}) {
		return What{}, fmt.Errorf("no perturbation in %q: want names, titles or headings", s)
	}
	return w, nil
}

// kept are the pages a rename leaves as they are: the home page, and the
// fragments pages load by name from scripts.
var kept = map[string]bool{"index.html": true, "index.htm": true, "header.html": true, "footer.html": true, "menu.html": true}

var (
	reRef      = regexp.MustCompile(`(?i)((?:href|src|action)\s*=\s*["']?|["'(/\\])([^"'()<>\s/\\]+\.html?)([#?"'\s)>]|$)`)
	reTitle    = regexp.MustCompile(`(?is)<title>.*?</title>`)
	reHeadings = regexp.MustCompile(`(?is)<h([1-3])\b[^>]*>.*?</h[1-3]>`)
)

// Copy writes the static sites of the corpus src (all of them, or those
// named) into dst, a new folder, as a corpus of its own with the labels
// that follow the renames. It returns the sites copied.
func Copy(src, dst string, only []string, w What) ([]string, error) {
	sources, err := readLines(filepath.Join(src, "SOURCES.tsv"))
	if err != nil {
		return nil, err
	}
	if len(sources) == 0 {
		return nil, fmt.Errorf("%s: empty", filepath.Join(src, "SOURCES.tsv"))
	}
	cols := strings.Split(sources[0], "\t")
	si, vi := slices.Index(cols, "site"), slices.Index(cols, "serve")
	if si < 0 || vi < 0 {
		return nil, fmt.Errorf("%s: no site or serve column", filepath.Join(src, "SOURCES.tsv"))
	}
	out := []string{sources[0]}
	renames := map[string]map[string]string{} // site → old path → new path
	var sites []string
	for _, l := range sources[1:] {
		f := strings.Split(l, "\t")
		if len(f) <= max(si, vi) || f[vi] != "static" || len(only) > 0 && !slices.Contains(only, f[si]) {
			continue
		}
		m, err := copySite(filepath.Join(src, "sites", f[si]), filepath.Join(dst, "sites", f[si]), w)
		if err != nil {
			return nil, fmt.Errorf("site %s: %w", f[si], err)
		}
		renames[f[si]] = m
		sites = append(sites, f[si])
		out = append(out, l)
	}
	if len(sites) == 0 {
		return nil, fmt.Errorf("no static site to perturb in %s", src)
	}
	if err := writeLines(filepath.Join(dst, "SOURCES.tsv"), out); err != nil {
		return nil, err
	}
	for _, name := range []string{"labels.tsv", "docs.tsv"} {
		if err := relabel(filepath.Join(src, name), filepath.Join(dst, name), renames); err != nil {
			return nil, err
		}
	}
	return sites, nil
}

// copySite copies one site's folder, perturbed, and returns its renames.
func copySite(src, dst string, w What) (map[string]string, error) {
	var files []string
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(src, p)
			files = append(files, filepath.ToSlash(rel))
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	renames := map[string]string{}
	byName := map[string]string{} // old base name → new base name, for the links
	if w.Names {
		count := map[string]int{}
		for _, f := range files {
			count[path.Base(f)]++
		}
		n := 0
		for _, f := range files {
			b := path.Base(f)
			if !isPage(f) || kept[strings.ToLower(b)] || count[b] > 1 {
				continue // a name two folders share: which one a link means is not told by its name
			}
			n++
			nb := fmt.Sprintf("p%02d%s", n, path.Ext(b))
			renames[f] = path.Join(path.Dir(f), nb)
			byName[b] = nb
		}
	}
	for _, f := range files {
		data, err := os.ReadFile(filepath.Join(src, filepath.FromSlash(f)))
		if err != nil {
			return nil, err
		}
		if isPage(f) || strings.HasSuffix(strings.ToLower(f), ".js") {
			data = []byte(rewrite(string(data), byName, w, isPage(f)))
		}
		to := f
		if r, ok := renames[f]; ok {
			to = r
		}
		p := filepath.Join(dst, filepath.FromSlash(to))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			return nil, err
		}
	}
	return renames, nil
}

func isPage(f string) bool {
	switch strings.ToLower(path.Ext(f)) {
	case ".html", ".htm":
		return true
	}
	return false
}

// rewrite points a file's links at the renamed pages and, in a page, takes
// away its title and headings. Bytes that are not UTF-8 pass through.
func rewrite(t string, byName map[string]string, w What, page bool) string {
	if len(byName) > 0 {
		t = reRef.ReplaceAllStringFunc(t, func(m string) string {
			s := reRef.FindStringSubmatch(m)
			if nb, ok := byName[s[2]]; ok {
				return s[1] + nb + s[3]
			}
			return m
		})
	}
	if page && w.Titles {
		t = reTitle.ReplaceAllString(t, "<title>Официальный сайт</title>")
	}
	if page && w.Headings {
		t = reHeadings.ReplaceAllString(t, "")
	}
	return t
}

// relabel copies a labels file's rows of the copied sites, their paths
// renamed.
func relabel(src, dst string, renames map[string]map[string]string) error {
	lines, err := readLines(src)
	if err != nil {
		return err
	}
	out := lines[:min(1, len(lines))]
	for _, l := range lines[min(1, len(lines)):] {
		f := strings.Split(l, "\t")
		m, ok := renames[f[0]]
		if !ok || len(f) < 2 {
			continue
		}
		if r, ok := m[strings.TrimPrefix(f[1], "/")]; ok {
			f[1] = r
		}
		out = append(out, strings.Join(f, "\t"))
	}
	return writeLines(dst, out)
}

func readLines(p string) ([]string, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		if strings.TrimSpace(sc.Text()) != "" {
			out = append(out, sc.Text())
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	return out, nil
}

func writeLines(p string, lines []string) error {
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	return os.WriteFile(p, []byte(strings.Join(lines, "\n")+"\n"), 0o644)
}
